BEGIN;

-- Running upgrade a8b9c0d1e2f3 -> c1d2e3f4a5b6

DROP INDEX index_spans_experiment_id;

CREATE INDEX index_spans_experiment_id_start_time ON spans (experiment_id, start_time_unix_nano);

UPDATE alembic_version SET version_num='c1d2e3f4a5b6' WHERE alembic_version.version_num = 'a8b9c0d1e2f3';

COMMIT;
