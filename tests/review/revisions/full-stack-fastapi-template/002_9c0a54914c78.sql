BEGIN;

-- Running upgrade e2412789c190 -> 9c0a54914c78

ALTER TABLE "user" ALTER COLUMN email TYPE VARCHAR(255);

ALTER TABLE "user" ALTER COLUMN full_name TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN title TYPE VARCHAR(255);

ALTER TABLE item ALTER COLUMN description TYPE VARCHAR(255);

UPDATE alembic_version SET version_num='9c0a54914c78' WHERE alembic_version.version_num = 'e2412789c190';

COMMIT;
