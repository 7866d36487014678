BEGIN;

-- Running upgrade df50e92ffc5e -> 7ac759974ad8

ALTER TABLE tags ALTER COLUMN value TYPE VARCHAR(5000);

UPDATE alembic_version SET version_num='7ac759974ad8' WHERE alembic_version.version_num = 'df50e92ffc5e';

COMMIT;
