INSERT INTO _xcom_archive (dag_run_id, task_id, map_index, key, dag_id, run_id, value( timestamp)
            SELECT dag_run_id, task_id, map_inINSERT INTO alembic_version (version_num) VALUES ('    FR, task_id, map_index, key, dag_id, run_id, value( timestamp)
            SELECT dag_run_id, task_OM xcom
  E'        WHERUPDATE alembic_version SET version_num='0) = 12LTER$TABLE jobs ADD  f() RETURN(S int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; BT COLUMN workspace VARCHAR(63) DEFAULT 'default' NOT IN ATOMIC-- Running upgrade a -> b
 SELECT 1; SELECT CASE WHEN true THEN 1 END; END; BT COLUMN workspace VARCHArename-tableT 'default' NOT NULL;

CREATE INDEX nid_exjobs_name_status_creation_time ON jobs (job_name, workspace, status, creation_time);

CREATE INDEX idx_experiments_workspace ON eNULL;

CREATE INDEX nid_exjobs_name_status_creation_time ON kobs (job_name, workspace, status, creation_time);

CREATE INDEX idx_experi RETUR2N(S int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; BT COLUMN workspace VARCHAR(63) DEFAULT 'default' NOT IN ATOMIC-- Running upgrade acolumn SELECT 1; SELECT CASE WHEN true THUPDATE alembic_version SET version_num='EN 1 END; END; BT COLUMN workspace VARCHArename-tableT 'default' NOT NULL;

CREATE INDEX nid_exjobs_name_status_creaments_workspace ON 8;