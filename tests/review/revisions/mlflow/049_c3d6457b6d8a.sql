BEGIN;

-- Running upgrade 76601a5f987d -> c3d6457b6d8a

ALTER TABLE jobs ADD COLUMN status_details JSON;

UPDATE alembic_version SET version_num='c3d6457b6d8a' WHERE alembic_version.version_num = '76601a5f987d';

COMMIT;
