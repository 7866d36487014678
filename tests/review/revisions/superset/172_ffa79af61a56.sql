BEGIN;

-- Running upgrade 409c7b420ab0 -> ffa79af61a56

ALTER TABLE report_schedule RENAME extra TO extra_json;

UPDATE alembic_version SET version_num='ffa79af61a56' WHERE alembic_version.version_num = '409c7b420ab0';

COMMIT;
