BEGIN;

-- Running upgrade 90e64c465722 -> 181f10493468

ALTER TABLE metrics ALTER COLUMN value TYPE FLOAT(53);

ALTER TABLE metrics ALTER COLUMN value SET NOT NULL;

ALTER TABLE metrics ADD COLUMN is_nan BOOLEAN DEFAULT '0' NOT NULL;

ALTER TABLE metrics DROP CONSTRAINT metric_pk;

ALTER TABLE metrics ADD CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan);

UPDATE alembic_version SET version_num='181f10493468' WHERE alembic_version.version_num = '90e64c465722';

COMMIT;
