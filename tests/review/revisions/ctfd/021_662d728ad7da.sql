BEGIN;

-- Running upgrade f73a96c97449 -> 662d728ad7da

ALTER TABLE users ADD COLUMN change_password BOOLEAN;

UPDATE alembic_version SET version_num='662d728ad7da' WHERE alembic_version.version_num = 'f73a96c97449';

COMMIT;
