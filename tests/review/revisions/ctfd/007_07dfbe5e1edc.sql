BEGIN;

-- Running upgrade 75e8ab9a0014 -> 07dfbe5e1edc

ALTER TABLE pages ADD COLUMN format VARCHAR(80);

UPDATE alembic_version SET version_num='07dfbe5e1edc' WHERE alembic_version.version_num = '75e8ab9a0014';

COMMIT;
