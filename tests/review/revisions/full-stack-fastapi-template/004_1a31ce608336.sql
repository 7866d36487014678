BEGIN;

-- Running upgrade d98dd8ec85a3 -> 1a31ce608336

ALTER TABLE item ALTER COLUMN owner_id SET NOT NULL;

ALTER TABLE item DROP CONSTRAINT item_owner_id_fkey;

ALTER TABLE item ADD FOREIGN KEY(owner_id) REFERENCES "user" (id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='1a31ce608336' WHERE alembic_version.version_num = 'd98dd8ec85a3';

COMMIT;
