BEGIN;

-- Running upgrade 0b112f49112d -> e79fc784f145

ALTER TABLE dag ADD COLUMN timetable_type VARCHAR(255);

UPDATE dag SET timetable_type = '' WHERE timetable_type IS NULL;

ALTER TABLE dag ALTER COLUMN timetable_type SET NOT NULL;

UPDATE alembic_version SET version_num='e79fc784f145' WHERE alembic_version.version_num = '0b112f49112d';

COMMIT;
