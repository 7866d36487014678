BEGIN;

-- Running upgrade e37912a26567 -> ab104a954a8f

ALTER TABLE report_schedule ALTER COLUMN crontab TYPE VARCHAR(1000);

UPDATE alembic_version SET version_num='ab104a954a8f' WHERE alembic_version.version_num = 'e37912a26567';

COMMIT;
