BEGIN;

-- Running upgrade 1a31ce608336 -> fe56fa70289e

ALTER TABLE item ADD COLUMN created_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE "user" ADD COLUMN created_at TIMESTAMP WITH TIME ZONE;

UPDATE alembic_version SET version_num='fe56fa70289e' WHERE alembic_version.version_num = '1a31ce608336';

COMMIT;
