BEGIN;

-- Running upgrade 40d0bc3f9994 -> cddb6a1cfd92

SET LOCAL lock_timeout = '5s';

ALTER TABLE oauth2_clients ADD COLUMN client_secret_hash VARCHAR(64);

ALTER TABLE oauth2_clients ADD COLUMN client_secret_encrypted TEXT;

ALTER TABLE oauth2_clients ADD COLUMN registration_access_token_hash VARCHAR(64);

ALTER TABLE oauth2_clients ADD COLUMN registration_access_token_encrypted TEXT;

CREATE INDEX ix_oauth2_clients_client_secret_hash ON oauth2_clients (client_secret_hash);

CREATE INDEX ix_oauth2_clients_registration_access_token_hash ON oauth2_clients (registration_access_token_hash);

UPDATE alembic_version SET version_num='cddb6a1cfd92' WHERE alembic_version.version_num = '40d0bc3f9994';

COMMIT;
