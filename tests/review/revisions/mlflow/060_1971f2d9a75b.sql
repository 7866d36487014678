BEGIN;

-- Running upgrade 6f8d9c3b2a1e -> 1971f2d9a75b

CREATE INDEX index_trace_info_timestamp_ms_request_id ON trace_info (timestamp_ms, request_id);

UPDATE alembic_version SET version_num='1971f2d9a75b' WHERE alembic_version.version_num = '6f8d9c3b2a1e';

COMMIT;
