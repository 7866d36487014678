BEGIN;

-- Running upgrade d115556a8ab6 -> b68b3cad6b8a

ALTER TABLE block ADD COLUMN block_spec_id UUID NOT NULL;

ALTER TABLE block DROP CONSTRAINT uq_block__name;

CREATE UNIQUE INDEX uq_block__spec_id_name ON block (block_spec_id, name);

ALTER TABLE block ADD CONSTRAINT fk_block__block_spec_id__block_spec FOREIGN KEY(block_spec_id) REFERENCES block_spec (id) ON DELETE cascade;

ALTER TABLE block DROP COLUMN blockref;

ALTER TABLE block ADD COLUMN is_default_storage_block BOOLEAN DEFAULT '0';

CREATE INDEX ix_block__is_default_storage_block ON block (is_default_storage_block);

UPDATE alembic_version SET version_num='b68b3cad6b8a' WHERE alembic_version.version_num = 'd115556a8ab6';

COMMIT;
