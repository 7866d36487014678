BEGIN;

-- Running upgrade 37f4ba372112 -> 915a09233568

COMMIT;

DROP INDEX CONCURRENTLY IF EXISTS ix_subscriptions_cycle_schedule;

CREATE INDEX CONCURRENTLY ix_subscriptions_cycle_schedule ON subscriptions (current_period_end) WHERE scheduler_locked_at IS NULL AND status IN ('trialing', 'active') AND current_period_end IS NOT NULL;

DROP INDEX CONCURRENTLY IF EXISTS ix_subscriptions_resume_schedule;

CREATE INDEX CONCURRENTLY ix_subscriptions_resume_schedule ON subscriptions (resumes_at) WHERE scheduler_locked_at IS NULL AND status = 'paused' AND resumes_at IS NOT NULL;

BEGIN;

UPDATE alembic_version SET version_num='915a09233568' WHERE alembic_version.version_num = '37f4ba372112';

COMMIT;
