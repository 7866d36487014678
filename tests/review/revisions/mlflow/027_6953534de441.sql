BEGIN;

-- Running upgrade 400f98739977 -> 6953534de441

ALTER TABLE inputs ADD COLUMN step BIGINT DEFAULT '0' NOT NULL;

UPDATE alembic_version SET version_num='6953534de441' WHERE alembic_version.version_num = '400f98739977';

COMMIT;
