BEGIN;

-- Running upgrade 38770795785f -> e39a26ac59f6

ALTER TABLE dag_run ADD COLUMN conf_json JSONB;


------------
--  WARNING: Unable to migrate the data in the 'conf' column while in offline mode!
--  The 'conf' column will be set to NULL in offline mode.
--  Avoid using offline mode if you need to retain 'conf' values.
------------

ALTER TABLE dag_run DROP COLUMN conf;

ALTER TABLE dag_run RENAME conf_json TO conf;

UPDATE alembic_version SET version_num='e39a26ac59f6' WHERE alembic_version.version_num = '38770795785f';

COMMIT;
