BEGIN;

-- Running upgrade 6cd2cda5a8a0 -> 31d662178679

SET LOCAL lock_timeout = '5s';

UPDATE organizations SET sso_enforced = false WHERE sso_enforced IS NULL;

ALTER TABLE organizations ALTER COLUMN sso_enforced SET NOT NULL;

UPDATE alembic_version SET version_num='31d662178679' WHERE alembic_version.version_num = '6cd2cda5a8a0';

COMMIT;
