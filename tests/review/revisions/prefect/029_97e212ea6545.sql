BEGIN;

-- Running upgrade fa985d474982 -> 97e212ea6545

ALTER TABLE deployment ADD COLUMN version VARCHAR;

UPDATE alembic_version SET version_num='97e212ea6545' WHERE alembic_version.version_num = 'fa985d474982';

COMMIT;
