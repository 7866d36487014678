BEGIN;

-- Running upgrade 0242ac120002 -> 3ac9e5732b1f

ALTER TABLE task_instance DROP CONSTRAINT task_instance_dag_version_id_fkey;

ALTER TABLE task_instance ADD CONSTRAINT task_instance_dag_version_id_fkey FOREIGN KEY(dag_version_id) REFERENCES dag_version (id) ON DELETE RESTRICT;

UPDATE alembic_version SET version_num='3ac9e5732b1f' WHERE alembic_version.version_num = '0242ac120002';

COMMIT;
