BEGIN;

-- Running upgrade 3ac9e5732b1f -> 583e80dfcef4

CREATE TABLE task_inlet_asset_reference (
    asset_id INTEGER NOT NULL, 
    dag_id VARCHAR(250) NOT NULL, 
    task_id VARCHAR(250) NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
    CONSTRAINT tiar_pkey PRIMARY KEY (asset_id, dag_id, task_id), 
    CONSTRAINT tiar_asset_fkey FOREIGN KEY(asset_id) REFERENCES asset (id) ON DELETE CASCADE, 
    CONSTRAINT tiar_dag_id_fkey FOREIGN KEY(dag_id) REFERENCES dag (dag_id) ON DELETE CASCADE
);

CREATE INDEX idx_task_inlet_asset_reference_dag_id ON task_inlet_asset_reference (dag_id);

UPDATE alembic_version SET version_num='583e80dfcef4' WHERE alembic_version.version_num = '3ac9e5732b1f';

COMMIT;
