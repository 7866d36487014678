BEGIN;

-- Running upgrade 94e7a3499973 -> 32bf93dfe2a4

UPDATE alembic_version SET version_num='32bf93dfe2a4' WHERE alembic_version.version_num = '94e7a3499973';

COMMIT;
