BEGIN;

-- Running upgrade 42886ceacac8 -> 6cd2cda5a8a0

SET LOCAL lock_timeout = '5s';

ALTER TABLE organizations ADD COLUMN sso_enforced BOOLEAN;

UPDATE alembic_version SET version_num='6cd2cda5a8a0' WHERE alembic_version.version_num = '42886ceacac8';

COMMIT;
