BEGIN;

-- Running upgrade bda7b8c39065 -> cbc13b556ace

ALTER TABLE trace_info ADD COLUMN client_request_id VARCHAR(50);

ALTER TABLE trace_info ADD COLUMN request_preview VARCHAR(1000);

ALTER TABLE trace_info ADD COLUMN response_preview VARCHAR(1000);

UPDATE alembic_version SET version_num='cbc13b556ace' WHERE alembic_version.version_num = 'bda7b8c39065';

COMMIT;
