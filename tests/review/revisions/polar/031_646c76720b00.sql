BEGIN;

-- Running upgrade b7e2d4a9c1f3 -> 646c76720b00

SET LOCAL lock_timeout = '5s';

ALTER TABLE discounts ADD COLUMN max_redemptions_per_customer INTEGER;

UPDATE alembic_version SET version_num='646c76720b00' WHERE alembic_version.version_num = 'b7e2d4a9c1f3';

COMMIT;
