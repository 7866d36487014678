BEGIN;

-- Running upgrade 3f1c2a9b7d10 -> 8a4e61c0f2d5

ALTER TABLE orders ADD COLUMN public_id UUID DEFAULT gen_random_uuid() NOT NULL;

CREATE INDEX ix_orders_customer_id ON orders (customer_id);

UPDATE alembic_version SET version_num='8a4e61c0f2d5' WHERE alembic_version.version_num = '3f1c2a9b7d10';

-- Running upgrade 8a4e61c0f2d5 -> c7d93b1e5a02

ALTER TABLE order_items ALTER COLUMN quantity TYPE BIGINT;

ALTER TABLE customers ALTER COLUMN email SET NOT NULL;

ALTER TABLE order_items ADD CONSTRAINT fk_order_items_product_id_products FOREIGN KEY(product_id) REFERENCES products (id);

UPDATE orders SET status = 'pending';

UPDATE alembic_version SET version_num='c7d93b1e5a02' WHERE alembic_version.version_num = '8a4e61c0f2d5';

COMMIT;

-- Running upgrade c7d93b1e5a02 -> 1b0f7e6d2c44

SET lock_timeout = '5s';

CREATE INDEX CONCURRENTLY ix_order_items_product_id ON order_items (product_id);

BEGIN;

ALTER TABLE customers RENAME COLUMN name TO full_name;

UPDATE alembic_version SET version_num='1b0f7e6d2c44' WHERE alembic_version.version_num = 'c7d93b1e5a02';

COMMIT;

