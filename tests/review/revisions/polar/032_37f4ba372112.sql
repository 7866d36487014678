BEGIN;

-- Running upgrade 646c76720b00 -> 37f4ba372112

SET LOCAL lock_timeout = '30s';

ALTER TABLE organizations ADD COLUMN onboarding_resubmission_requested_at TIMESTAMP WITH TIME ZONE;

UPDATE alembic_version SET version_num='37f4ba372112' WHERE alembic_version.version_num = '646c76720b00';

COMMIT;
