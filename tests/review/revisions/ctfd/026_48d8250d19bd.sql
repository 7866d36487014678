BEGIN;

-- Running upgrade 67ebab6de598 -> 48d8250d19bd

ALTER TABLE challenges ADD COLUMN position INTEGER DEFAULT '0' NOT NULL;

UPDATE alembic_version SET version_num='48d8250d19bd' WHERE alembic_version.version_num = '67ebab6de598';

COMMIT;
