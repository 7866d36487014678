BEGIN;

-- Running upgrade 55a5e94aaf9d -> a1c2f95b7d31

SET LOCAL lock_timeout = '5s';

ALTER TABLE checkouts ADD COLUMN payment_method_type VARCHAR;

UPDATE alembic_version SET version_num='a1c2f95b7d31' WHERE alembic_version.version_num = '55a5e94aaf9d';

COMMIT;
