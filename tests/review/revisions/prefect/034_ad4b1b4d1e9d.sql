BEGIN;

-- Running upgrade 22b7cb02e593 -> ad4b1b4d1e9d

CREATE INDEX ix_deployment__created ON deployment (created);

UPDATE alembic_version SET version_num='ad4b1b4d1e9d' WHERE alembic_version.version_num = '22b7cb02e593';

COMMIT;
