BEGIN;

-- Running upgrade d0f1c55954fa -> 0bfc26bc256e

ALTER TABLE dag ALTER COLUMN schedule_interval TYPE TEXT;

ALTER TABLE dag ALTER COLUMN schedule_interval DROP NOT NULL;

ALTER TABLE dag RENAME schedule_interval TO timetable_summary;

UPDATE alembic_version SET version_num='0bfc26bc256e' WHERE alembic_version.version_num = 'd0f1c55954fa';

COMMIT;
