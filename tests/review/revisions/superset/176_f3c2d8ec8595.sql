BEGIN;

-- Running upgrade 4ce1d9b25135 -> f3c2d8ec8595

CREATE TABLE ssh_tunnels (
    created_on TIMESTAMP WITHOUT TIME ZONE, 
    changed_on TIMESTAMP WITHOUT TIME ZONE, 
    created_by_fk INTEGER, 
    changed_by_fk INTEGER, 
    extra_json TEXT, 
    uuid UUID, 
    id SERIAL NOT NULL, 
    database_id INTEGER, 
    server_address VARCHAR(256), 
    server_port INTEGER, 
    username BYTEA, 
    password BYTEA, 
    private_key BYTEA, 
    private_key_password BYTEA, 
    PRIMARY KEY (id), 
    FOREIGN KEY(database_id) REFERENCES dbs (id)
);

CREATE UNIQUE INDEX ix_ssh_tunnels_uuid ON ssh_tunnels (uuid);

CREATE UNIQUE INDEX ix_ssh_tunnels_database_id ON ssh_tunnels (database_id);

UPDATE alembic_version SET version_num='f3c2d8ec8595' WHERE alembic_version.version_num = '4ce1d9b25135';

COMMIT;
