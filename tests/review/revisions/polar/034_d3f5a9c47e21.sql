BEGIN;

-- Running upgrade 915a09233568 -> d3f5a9c47e21

SET LOCAL lock_timeout = '5s';

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_slug_organization_id_key;

CREATE UNIQUE INDEX custom_fields_slug_organization_id_active_key ON custom_fields (slug, organization_id) WHERE deleted_at IS NULL;

UPDATE alembic_version SET version_num='d3f5a9c47e21' WHERE alembic_version.version_num = '915a09233568';

COMMIT;
