BEGIN;

-- Running upgrade 916718e8330f -> 954db7517015

ALTER TABLE automation_bucket ALTER COLUMN trigger_id SET NOT NULL;

ALTER TABLE automation_bucket ALTER COLUMN triggered_at DROP NOT NULL;

DROP INDEX uq_automation_bucket__automation_id__bucketing_key;

CREATE UNIQUE INDEX uq_automation_bucket__automation_id__trigger_id__bucketing_key ON automation_bucket (automation_id, trigger_id, bucketing_key);

UPDATE alembic_version SET version_num='954db7517015' WHERE alembic_version.version_num = '916718e8330f';

COMMIT;
