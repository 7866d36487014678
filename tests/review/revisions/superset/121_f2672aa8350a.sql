BEGIN;

-- Running upgrade 2f1d15e8a6af -> f2672aa8350a

ALTER TABLE alerts ADD COLUMN slack_channel TEXT;

UPDATE alembic_version SET version_num='f2672aa8350a' WHERE alembic_version.version_num = '2f1d15e8a6af';

COMMIT;
