BEGIN;

-- Running upgrade 9a1c47f0b3d2 -> 89e805c471b0

COMMIT;

DROP INDEX CONCURRENTLY IF EXISTS ix_email_logs_deduplication_key;

CREATE INDEX CONCURRENTLY ix_email_logs_deduplication_key ON email_logs (deduplication_key) WHERE deduplication_key IS NOT NULL;

BEGIN;

UPDATE alembic_version SET version_num='89e805c471b0' WHERE alembic_version.version_num = '9a1c47f0b3d2';

COMMIT;
