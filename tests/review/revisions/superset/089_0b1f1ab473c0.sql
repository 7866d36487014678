BEGIN;

-- Running upgrade 55e910a74826 -> 0b1f1ab473c0

ALTER TABLE query ADD COLUMN extra_json TEXT;

INSERT INTO alembic_version (version_num) VALUES ('0b1f1ab473c0') RETURNING alembic_version.version_num;

COMMIT;
