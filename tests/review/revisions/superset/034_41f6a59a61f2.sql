BEGIN;

-- Running upgrade 3c3ffe173e4f -> 41f6a59a61f2

ALTER TABLE dbs ADD COLUMN allow_ctas BOOLEAN;

ALTER TABLE dbs ADD COLUMN expose_in_sqllab BOOLEAN;

ALTER TABLE dbs ADD COLUMN force_ctas_schema VARCHAR(250);

UPDATE alembic_version SET version_num='41f6a59a61f2' WHERE alembic_version.version_num = '3c3ffe173e4f';

COMMIT;
