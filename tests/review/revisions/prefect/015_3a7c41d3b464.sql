BEGIN;

-- Running upgrade 77ebcc9cf355 -> 3a7c41d3b464

ALTER TABLE block_type ADD COLUMN description VARCHAR;

ALTER TABLE block_type ADD COLUMN code_example VARCHAR;

UPDATE alembic_version SET version_num='3a7c41d3b464' WHERE alembic_version.version_num = '77ebcc9cf355';

COMMIT;
