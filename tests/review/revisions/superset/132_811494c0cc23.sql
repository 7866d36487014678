BEGIN;

-- Running upgrade 8ee129739cf9 -> 811494c0cc23

UPDATE alembic_version SET version_num='811494c0cc23' WHERE alembic_version.version_num = '8ee129739cf9';

COMMIT;
