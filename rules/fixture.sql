-- The schema every example in locks.toml runs against (truth tests create it in a scratch
-- schema, commit it, then run each example in its own transaction and roll it back).
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE accounts (id int PRIMARY KEY, name text);
CREATE TABLE items (
    id int PRIMARY KEY,
    account_id int,
    name varchar(50),
    qty int,
    price numeric(10, 2),
    note text,
    created_at timestamp,
    status mood
);
CREATE INDEX items_qty_idx ON items (qty);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (id int, at date);
CREATE VIEW items_view AS SELECT id, name FROM items;
CREATE MATERIALIZED VIEW items_mv AS SELECT id, qty FROM items;
CREATE UNIQUE INDEX items_mv_id_idx ON items_mv (id);
CREATE SEQUENCE items_seq;
CREATE FUNCTION items_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_touch_trg BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION items_touch();
INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 10) g;
INSERT INTO items SELECT g, 1 + g % 10, 'n' || g, g, g, 'x', '2024-01-01', 'ok' FROM generate_series(1, 100) g;
INSERT INTO events_2024 SELECT g, '2024-03-01' FROM generate_series(1, 10) g;
INSERT INTO events_2025 SELECT g, '2025-03-01' FROM generate_series(1, 10) g;
