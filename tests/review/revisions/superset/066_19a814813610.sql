BEGIN;

-- Running upgrade ca69c70ec99b -> 19a814813610

ALTER TABLE metrics ADD COLUMN warning_text TEXT;

ALTER TABLE sql_metrics ADD COLUMN warning_text TEXT;

INSERT INTO alembic_version (version_num) VALUES ('19a814813610') RETURNING alembic_version.version_num;

COMMIT;
