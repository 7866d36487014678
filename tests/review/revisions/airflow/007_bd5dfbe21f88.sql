BEGIN;

-- Running upgrade f7bf2a57d0a6 -> bd5dfbe21f88

ALTER TABLE connection ALTER COLUMN login TYPE TEXT;

ALTER TABLE connection ALTER COLUMN password TYPE TEXT;

UPDATE alembic_version SET version_num='bd5dfbe21f88' WHERE alembic_version.version_num = 'f7bf2a57d0a6';

COMMIT;
