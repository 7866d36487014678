BEGIN;

-- Running upgrade ab104a954a8f -> 73fd22e742ab

CREATE TABLE dynamic_plugin (
    created_on TIMESTAMP WITHOUT TIME ZONE, 
    changed_on TIMESTAMP WITHOUT TIME ZONE, 
    id SERIAL NOT NULL, 
    name VARCHAR(50) NOT NULL, 
    key VARCHAR(50) NOT NULL, 
    bundle_url VARCHAR(1000) NOT NULL, 
    created_by_fk INTEGER, 
    changed_by_fk INTEGER, 
    PRIMARY KEY (id), 
    FOREIGN KEY(changed_by_fk) REFERENCES ab_user (id), 
    FOREIGN KEY(created_by_fk) REFERENCES ab_user (id), 
    UNIQUE (key), 
    UNIQUE (name)
);

UPDATE alembic_version SET version_num='73fd22e742ab' WHERE alembic_version.version_num = 'ab104a954a8f';

COMMIT;
