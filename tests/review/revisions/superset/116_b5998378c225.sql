BEGIN;

-- Running upgrade 72428d1ea401 -> b5998378c225

ALTER TABLE dbs ADD COLUMN server_cert BYTEA;

UPDATE alembic_version SET version_num='b5998378c225' WHERE alembic_version.version_num = '72428d1ea401';

COMMIT;
