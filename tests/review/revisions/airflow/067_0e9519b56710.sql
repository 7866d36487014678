BEGIN;

-- Running upgrade ec62e120484d -> 0e9519b56710

update dag_run set run_type = 'asset_triggered' where run_type = 'dataset_triggered';

UPDATE alembic_version SET version_num='0e9519b56710' WHERE alembic_version.version_num = 'ec62e120484d';

COMMIT;
