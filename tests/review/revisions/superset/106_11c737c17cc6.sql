BEGIN;

-- Running upgrade def97f26fdfb -> 11c737c17cc6

ALTER TABLE metrics DROP COLUMN is_restricted;

ALTER TABLE sql_metrics DROP COLUMN is_restricted;

UPDATE alembic_version SET version_num='11c737c17cc6' WHERE alembic_version.version_num = 'def97f26fdfb';

COMMIT;
