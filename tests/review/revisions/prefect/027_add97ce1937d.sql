BEGIN;

-- Running upgrade 4ff2f2bf81f4 -> add97ce1937d

ALTER TABLE deployment ADD COLUMN description TEXT;

ALTER TABLE deployment ADD COLUMN manifest_path VARCHAR;

UPDATE deployment SET manifest_path = '';;

UPDATE deployment SET is_schedule_active = False;;

ALTER TABLE deployment ADD COLUMN parameter_openapi_schema JSONB;

ALTER TABLE deployment ADD COLUMN storage_document_id UUID;

ALTER TABLE deployment ADD CONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='add97ce1937d' WHERE alembic_version.version_num = '4ff2f2bf81f4';

COMMIT;
