BEGIN;

-- Running upgrade f98ae6d8e2cc -> 2a88656f4a23

DROP INDEX ix_work_pool_queue__updated;

DROP INDEX ix_work_pool_queue__work_pool_id;

DROP INDEX ix_work_pool_queue__work_pool_id_priority;

DROP TABLE work_pool_queue;

ALTER TABLE work_queue ALTER COLUMN work_pool_id SET NOT NULL;

UPDATE alembic_version SET version_num='2a88656f4a23' WHERE alembic_version.version_num = 'f98ae6d8e2cc';

COMMIT;
