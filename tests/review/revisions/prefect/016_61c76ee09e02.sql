BEGIN;

-- Running upgrade 3a7c41d3b464 -> 61c76ee09e02

ALTER TABLE block_document ADD COLUMN is_anonymous BOOLEAN DEFAULT '0' NOT NULL;

CREATE INDEX ix_block_document__is_anonymous ON block_document (is_anonymous);

UPDATE alembic_version SET version_num='61c76ee09e02' WHERE alembic_version.version_num = '3a7c41d3b464';

COMMIT;
