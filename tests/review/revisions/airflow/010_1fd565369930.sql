BEGIN;

-- Running upgrade 88344c1d9134 -> 1fd565369930

ALTER TABLE task_instance ADD COLUMN rendered_map_index VARCHAR(250);

UPDATE alembic_version SET version_num='1fd565369930' WHERE alembic_version.version_num = '88344c1d9134';

COMMIT;
