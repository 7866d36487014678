BEGIN;

-- Running upgrade 1c9bb7f78263 -> aa1234567890

ALTER TABLE automation ADD COLUMN tags JSONB DEFAULT '[]' NOT NULL;

UPDATE alembic_version SET version_num='aa1234567890' WHERE alembic_version.version_num = '1c9bb7f78263';

COMMIT;
