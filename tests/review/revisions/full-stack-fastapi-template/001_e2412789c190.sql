BEGIN;

-- Running upgrade  -> e2412789c190

CREATE TABLE "user" (
    email VARCHAR NOT NULL, 
    is_active BOOLEAN NOT NULL, 
    is_superuser BOOLEAN NOT NULL, 
    full_name VARCHAR, 
    id SERIAL NOT NULL, 
    hashed_password VARCHAR NOT NULL, 
    PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_user_email ON "user" (email);

CREATE TABLE item (
    description VARCHAR, 
    id SERIAL NOT NULL, 
    title VARCHAR NOT NULL, 
    owner_id INTEGER NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(owner_id) REFERENCES "user" (id)
);

INSERT INTO alembic_version (version_num) VALUES ('e2412789c190') RETURNING alembic_version.version_num;

COMMIT;
