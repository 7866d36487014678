BEGIN;

-- Running upgrade 6012fe8de495 -> 4d3c1b59d011

ALTER TABLE challenges ADD COLUMN next_id INTEGER;

ALTER TABLE challenges ADD FOREIGN KEY(next_id) REFERENCES challenges (id) ON DELETE SET NULL;

UPDATE alembic_version SET version_num='4d3c1b59d011' WHERE alembic_version.version_num = '6012fe8de495';

COMMIT;
