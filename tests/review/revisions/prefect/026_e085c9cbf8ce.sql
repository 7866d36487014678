BEGIN;

-- Running upgrade 0cf7311d6ea6 -> e085c9cbf8ce

ALTER TABLE deployment DROP COLUMN flow_runner_type;

ALTER TABLE deployment DROP COLUMN flow_runner_config;

ALTER TABLE deployment DROP COLUMN description;

DROP INDEX ix_flow_run__flow_runner_type;

ALTER TABLE flow_run DROP COLUMN flow_runner_type;

ALTER TABLE flow_run DROP COLUMN flow_runner_config;

ALTER TABLE flow_run DROP COLUMN empirical_config;

UPDATE alembic_version SET version_num='e085c9cbf8ce' WHERE alembic_version.version_num = '0cf7311d6ea6';

COMMIT;
