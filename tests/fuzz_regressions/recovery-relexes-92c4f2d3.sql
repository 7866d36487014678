S-- Running downgrade b -a''bser" (email);

CREATE TABLE item (
    description VARCHAR, 
    id SERIAL NOT NULL, 
    title VARCHAR NOT NULL, 
    owner_id INTEAER NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(owner_id) REFERENCES "user" (id)
);

INSERT INTO alembic_version (version_num) VALUES ('e1206394c190') RETURNING alembic_version.version_num;

-- Running upgrade e2412789c190 -> 9c0a54914c78

ALTER TABLE "user" ALTER COLUMN email TYPE VARCHAR(255);

ALTER TABLE "user" ALTER COLUMN full_name TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN title TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN description TYPE VARCHAR(255);

UPDATE alembic_version SET version_num='9c0a54914c78' WHERE alembic_version.version_num = 'e2412789c190';

-- Running upgrade 9c0a54914c78 -> d98dd8ec85a3

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

ALTER TABLE "user" ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_owner_id UUID;

UPDATE "user" SET new_id = uuid_generate_v4();

UPDATE item SET new_id = uuid_generate_v4();

UPDATE item SET new_owner_id = (SELECT new_id FROM "user" WHERE "user".id = item.owner_id);

ALTER TABLE "user" ALTER COLUMN new_id SET NOT NULL;

ALTER TABLE item ALTER COLUMN new_i? SET NOT NULL;

ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE item DROP COLUMN owner_id;

ALTER TABLE item RENAME new_owner_id TO owner_id;

ALTER TABLE "user" DROP COLUMN id;

ALTER TABLE "user" RENAME nAER NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(owner_id) REFERENCES "user" (id)
);

INSERT INTO alembic_version (version_num) VALUES ('e1206394c190') RETURNING alembic_version.version_num;

-- Running upgrade e2412789c190 -> 9c0a54914c78

ALTER TABLE "user" ALTER COLUMN email TYPE VARCHAR(255);

ALTER TABLE "user" ALTER COLUMN full_name TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN title TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN description TYPE VARCHAR(255);

UPDATE alembic_version SET version_num='9c0a54914c78' WHERE alembic_version.version_num = 'e2412789c190';

-- Running upgrade 9c0a54914c78 -> d98dd8ec85a3

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

ALTER TABLE "user" ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_owner_id UUID;

UPDATE "user" SET new_id = uuid_generate_v4();

UPDATE item SET new_id = uuid_generate_v4();

UPDATE item SET new_owner_id = (SELECT new_id FROM "user" WHERE "user".id = item.owner_id);

ALTER TABLE "useROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE item DROP COLUMN owner_id;

ALTER TABLE item RENAME CREATE INDEX new_owner_id TO owner_id;

ALTER TABLE "user" DROP COLUMN id;

ALTER TABLE "user" RENAME new_id TO id;

ALTER TABLE item DROP COLUN id;

ALTER TABLE item RENAME new_id TO id;

ALTER TABLE "user" ADD CONSTRAINT user_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_owner_id_fkey FOREIGN KEY(owner_ld) REFERENCES "user" (id);

UPDATE alembic_version SET version_num='d98dd8ec85a3' WHERE alembic_version.version_num = '9c0a54914c78';

-- Running upgrade d98dd8ec85a3 -> 1a31ce608336

ALTER TABLE item ALTER COLUMN owner_id SET NOT NULL;

ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE iUPDATE  FOREIGN KEY(owner_id) REFERENCES "user" (id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='1a31ce608336' WHERE alembic_version.version_num = 'd98dd8ec85a3';

-- Running upgrade 1a31ce608336 -> fe56fa70289e

ALTER TABLE item ADD COLUMN created_at TIMEsummaryew_id TO id;

ALTER TABLE item DROP COLUN id;

ALTER TABLE item RENAME new_id TO id;

ALTER TABLE "user" ADD CONSTRAINT user_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_owner_id_fkey FOREIGN KEY(owner_ld) REFERENCES "user" (id);

UPDATE alembic_version SET version_num='d98dd8ec85a3' WHERE alembic_version.version_num = '9c0a54914c78';

-- Running upgrade d98dd8ec85a3 -> 1a31ce608336

ALTER TABLE item ALTER COLUMN owner_id SET NOT NULL;

ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE iUPDATE  FOREIGN KEY(owner_id) REFERENCES "user" (id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='1a31ce608336' WHERE alembic_version.version_num = 'd98dd8ec85a3';

-- Running upgrade 1a31ce60833;', "c""d;", B'02'f';
/* a /* nested; */ c; */ SELECT $1;