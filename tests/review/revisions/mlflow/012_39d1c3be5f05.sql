BEGIN;

-- Running upgrade a8c4a736bde6 -> 39d1c3be5f05

ALTER TABLE latest_metrics ALTER COLUMN is_nan TYPE BOOLEAN;

ALTER TABLE latest_metrics ALTER COLUMN is_nan SET NOT NULL;

ALTER TABLE metrics ALTER COLUMN is_nan TYPE BOOLEAN;

ALTER TABLE metrics ALTER COLUMN is_nan SET NOT NULL;

UPDATE alembic_version SET version_num='39d1c3be5f05' WHERE alembic_version.version_num = 'a8c4a736bde6';

COMMIT;
