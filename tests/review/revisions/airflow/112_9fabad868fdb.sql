BEGIN;

-- Running upgrade a4c2d171ae18 -> 9fabad868fdb

ALTER TABLE dag ADD COLUMN timetable_periodic BOOLEAN DEFAULT '0' NOT NULL;

UPDATE alembic_version SET version_num='9fabad868fdb' WHERE alembic_version.version_num = 'a4c2d171ae18';

COMMIT;
