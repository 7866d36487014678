BEGIN;

-- Running upgrade 9e6f6578ca84 -> 5c4996aeb2cb

ALTER TABLE files ADD COLUMN sha1sum VARCHAR(40);

UPDATE alembic_version SET version_num='5c4996aeb2cb' WHERE alembic_version.version_num = '9e6f6578ca84';

COMMIT;
