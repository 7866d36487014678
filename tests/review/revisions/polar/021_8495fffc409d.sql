BEGIN;

-- Running upgrade 27dd12a3dcd3 -> 8495fffc409d

SET LOCAL lock_timeout = '5s';

UPDATE subscriptions SET pause_at_period_end = false WHERE pause_at_period_end IS NULL;

ALTER TABLE subscriptions ALTER COLUMN pause_at_period_end SET NOT NULL;

UPDATE alembic_version SET version_num='8495fffc409d' WHERE alembic_version.version_num = '27dd12a3dcd3';

COMMIT;
