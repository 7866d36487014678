BEGIN;

-- Running upgrade 9c0a54914c78 -> d98dd8ec85a3

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

ALTER TABLE "user" ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_id UUID;

ALTER TABLE item ADD COLUMN new_owner_id UUID;

UPDATE "user" SET new_id = uuid_generate_v4();

UPDATE item SET new_id = uuid_generate_v4();

UPDATE item SET new_owner_id = (SELECT new_id FROM "user" WHERE "user".id = item.owner_id);

ALTER TABLE "user" ALTER COLUMN new_id SET NOT NULL;

ALTER TABLE item ALTER COLUMN new_id SET NOT NULL;

ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE item DROP COLUMN owner_id;

ALTER TABLE item RENAME new_owner_id TO owner_id;

ALTER TABLE "user" DROP COLUMN id;

ALTER TABLE "user" RENAME new_id TO id;

ALTER TABLE item DROP COLUMN id;

ALTER TABLE item RENAME new_id TO id;

ALTER TABLE "user" ADD CONSTRAINT user_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_pkey PRIMARY KEY (id);

ALTER TABLE item ADD CONSTRAINT item_owner_id_fkey FOREIGN KEY(owner_id) REFERENCES "user" (id);

UPDATE alembic_version SET version_num='d98dd8ec85a3' WHERE alembic_version.version_num = '9c0a54914c78';

COMMIT;
