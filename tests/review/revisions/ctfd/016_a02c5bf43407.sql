BEGIN;

-- Running upgrade 9889b8c53673 -> a02c5bf43407

ALTER TABLE pages ADD COLUMN link_target VARCHAR(80);

UPDATE alembic_version SET version_num='a02c5bf43407' WHERE alembic_version.version_num = '9889b8c53673';

COMMIT;
