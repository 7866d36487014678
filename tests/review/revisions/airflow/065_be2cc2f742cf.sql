BEGIN;

-- Running upgrade d469d27e2a64 -> be2cc2f742cf

DELETE FROM dag_priority_parsing_request;

ALTER TABLE dag_priority_parsing_request ADD COLUMN bundle_name VARCHAR(250) NOT NULL;

ALTER TABLE dag_priority_parsing_request ADD COLUMN relative_fileloc VARCHAR(2000) NOT NULL;

ALTER TABLE dag_priority_parsing_request DROP COLUMN fileloc;

UPDATE alembic_version SET version_num='be2cc2f742cf' WHERE alembic_version.version_num = 'd469d27e2a64';

COMMIT;
