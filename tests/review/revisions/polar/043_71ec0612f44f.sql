BEGIN;

-- Running upgrade 5a1b80eeae48 -> 71ec0612f44f

COMMIT;

DROP INDEX CONCURRENTLY IF EXISTS ix_billing_entry_deleted_at;

DROP INDEX CONCURRENTLY IF EXISTS ix_billing_entry_subscription_id;

DROP INDEX CONCURRENTLY IF EXISTS ix_billing_entry_type;

DROP INDEX CONCURRENTLY IF EXISTS ix_billing_entry_end_timestamp;

BEGIN;

UPDATE alembic_version SET version_num='71ec0612f44f' WHERE alembic_version.version_num = '5a1b80eeae48';

COMMIT;
