BEGIN;

-- Running upgrade 7e3ddad2a00b -> ad4d656d92bc

ALTER TABLE columns ADD COLUMN avg BOOLEAN;

ALTER TABLE table_columns ADD COLUMN avg BOOLEAN;

UPDATE alembic_version SET version_num='ad4d656d92bc' WHERE alembic_version.version_num = '7e3ddad2a00b';

COMMIT;
