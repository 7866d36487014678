BEGIN;

-- Running upgrade 0def790057c1 -> 9e6f6578ca84

ALTER TABLE tokens ADD COLUMN description TEXT;

UPDATE alembic_version SET version_num='9e6f6578ca84' WHERE alembic_version.version_num = '0def790057c1';

COMMIT;
