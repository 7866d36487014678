#!/usr/bin/env python3
"""Writes a large, deterministic Alembic-like `upgrade --sql` output for benchmarks.

Usage: gen_alembic.py STATEMENTS [split|single] > file.sql   (200000 statements ≈ 17 MB)

The mix follows real outputs: CREATE TABLE, ADD COLUMN (with and without defaults), CREATE INDEX
(plain and CONCURRENTLY between COMMIT/BEGIN), ALTER COLUMN TYPE, foreign keys, SET NOT NULL,
comments, alembic_version updates and `-- Running upgrade` markers.

Layouts: `split` (default) commits every 50 revisions and builds an index CONCURRENTLY between
COMMIT and BEGIN, as an upgrade with `autocommit_block()` migrations prints; `single` is one
BEGIN for the whole run and one COMMIT at the end, what Alembic prints by default
(`transaction_per_migration=False`) for an upgrade without autocommit blocks.
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
layout = sys.argv[2] if len(sys.argv) > 2 else "split"
if layout not in ("split", "single"):
    sys.exit("layout: split or single")
rnd = random.Random(42)
out = sys.stdout
write = out.write

TYPES = ["INTEGER", "BIGINT", "VARCHAR(255)", "TEXT", "BOOLEAN", "TIMESTAMP WITHOUT TIME ZONE", "NUMERIC(12, 2)", "UUID", "JSONB"]
tables = [f"legacy_{i}" for i in range(200)]  # exist before the run
count = 0
rev = "0" * 12


def stmt(s):
    global count
    write(s)
    write("\n\n")
    count += 1


def new_rev():
    return "%012x" % rnd.getrandbits(48)


stmt("BEGIN;")
stmt("CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);")
revisions = 0
while count < n:
    nxt = new_rev()
    write(f"-- Running upgrade {rev} -> {nxt}\n\n")
    for _ in range(rnd.randint(3, 9)):
        k = rnd.random()
        t = rnd.choice(tables)
        c = f"col_{rnd.randint(0, 999)}"
        if k < 0.15:
            name = f"t_{count}"
            cols = ",\n".join(f"    c{j} {rnd.choice(TYPES)}{' NOT NULL' if rnd.random() < 0.3 else ''}" for j in range(rnd.randint(2, 6)))
            stmt(f"CREATE TABLE {name} (\n    id SERIAL NOT NULL, \n{cols}, \n    CONSTRAINT {name}_pkey PRIMARY KEY (id)\n);")
            tables.append(name)
        elif k < 0.40:
            d = rnd.choice(["", " DEFAULT 0", " DEFAULT now()", " DEFAULT gen_random_uuid()", ""])
            stmt(f"ALTER TABLE {t} ADD COLUMN {c} {rnd.choice(TYPES)}{d};")
        elif k < 0.55:
            stmt(f"CREATE INDEX ix_{t}_{c}_{count} ON {t} ({c});")
        elif k < 0.65:
            stmt(f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {rnd.choice(TYPES)};")
        elif k < 0.75:
            r = rnd.choice(tables)
            stmt(f"ALTER TABLE {t} ADD CONSTRAINT fk_{t}_{c}_{count} FOREIGN KEY({c}) REFERENCES {r} (id);")
        elif k < 0.82:
            stmt(f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;")
        elif k < 0.88:
            stmt(f"COMMENT ON COLUMN {t}.{c} IS 'generated column {count}';")
        elif k < 0.93:
            stmt(f"UPDATE {t} SET {c} = 0 WHERE {c} IS NULL;")
        else:
            stmt(f"ALTER TABLE {t} DROP COLUMN IF EXISTS {c};")
    stmt(f"UPDATE alembic_version SET version_num='{nxt}' WHERE alembic_version.version_num = '{rev}';")
    rev = nxt
    revisions += 1
    if layout == "split" and revisions % 50 == 0:
        stmt("COMMIT;")
        stmt(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_conc_{count} ON {rnd.choice(tables)} (created_at);")
        stmt("BEGIN;")
stmt("COMMIT;")
