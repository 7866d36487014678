BEGIN;

-- Running upgrade 867495a8f9d4 -> 5b0e9adcef9c

ALTER TABLE trace_tags DROP CONSTRAINT fk_trace_tags_request_id;

ALTER TABLE trace_tags ADD CONSTRAINT fk_trace_tags_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE;

ALTER TABLE trace_request_metadata DROP CONSTRAINT fk_trace_request_metadata_request_id;

ALTER TABLE trace_request_metadata ADD CONSTRAINT fk_trace_request_metadata_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='5b0e9adcef9c' WHERE alembic_version.version_num = '867495a8f9d4';

COMMIT;
