BEGIN;

-- Running upgrade 620241d1153f -> 743a117f0d98

ALTER TABLE dashboard_email_schedules ADD COLUMN slack_channel TEXT;

ALTER TABLE slice_email_schedules ADD COLUMN slack_channel TEXT;

UPDATE alembic_version SET version_num='743a117f0d98' WHERE alembic_version.version_num = '620241d1153f';

COMMIT;
