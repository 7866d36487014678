-- The schema every example in locks.toml runs against (truth tests create it in a scratch
-- schema, commit it, then run each example in its own transaction and roll it back). It has what
-- makes a statement lock more than the relation it names: an inheritance child (items_archive),
-- foreign keys both ways (items → accounts, item_tags → items, and from a partitioned table:
-- account_events → accounts), a partitioned table with a default partition, a view and a materialized view, a domain with a CHECK and a sequence default.
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE SEQUENCE items_seq START 1000;
CREATE TABLE accounts (id int PRIMARY KEY, name text, credit positive);
CREATE TABLE items (
    id int PRIMARY KEY DEFAULT nextval('items_seq'),
    account_id int CONSTRAINT items_account_fk REFERENCES accounts (id),
    name varchar(50),
    qty int,
    price numeric(10, 2),
    note text,
    created_at timestamp,
    status mood
);
CREATE INDEX items_qty_idx ON items (qty);
CREATE TABLE items_archive () INHERITS (items);
CREATE TABLE item_tags (item_id int CONSTRAINT item_tags_item_fk REFERENCES items (id), tag text);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE TABLE events_2025 (id int, at date);
CREATE TABLE account_events (account_id int CONSTRAINT account_events_account_fk REFERENCES accounts (id), at date) PARTITION BY RANGE (at);
CREATE TABLE account_events_2024 PARTITION OF account_events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW items_view AS SELECT id, name FROM items;
CREATE MATERIALIZED VIEW items_mv AS SELECT id, qty FROM items;
CREATE UNIQUE INDEX items_mv_id_idx ON items_mv (id);
CREATE FUNCTION items_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_touch_trg BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION items_touch();
INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 10) g;
INSERT INTO items SELECT g, 1 + g % 10, 'n' || g, g, g, 'x', '2024-01-01', 'ok' FROM generate_series(1, 100) g;
INSERT INTO items_archive SELECT g, 1 + g % 10, 'n' || g, g, g, 'x', '2023-01-01', 'ok' FROM generate_series(201, 220) g;
INSERT INTO item_tags SELECT g, 't' || g FROM generate_series(1, 5) g;
INSERT INTO events_2024 SELECT g, '2024-03-01' FROM generate_series(1, 10) g;
INSERT INTO events_2025 SELECT g, '2025-03-01' FROM generate_series(1, 10) g;
INSERT INTO account_events SELECT 1 + g % 10, '2024-05-01' FROM generate_series(1, 5) g;
