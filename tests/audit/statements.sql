-- #1
ALTER TABLE scan_event ALTER COLUMN note SET NOT NULL;
-- #2
ALTER TABLE ONLY scan_event ALTER COLUMN note SET NOT NULL;
-- #3
ALTER TABLE scan_event ALTER COLUMN note DROP NOT NULL;
-- #4
ALTER TABLE scan_event ALTER COLUMN parcel_id SET NOT NULL;
-- #5
ALTER TABLE scan_event ALTER COLUMN note SET DEFAULT 'n/a';
-- #6
ALTER TABLE ONLY scan_event ALTER COLUMN note SET DEFAULT 'n/a';
-- #7
ALTER TABLE scan_event ALTER COLUMN note DROP DEFAULT;
-- #8
ALTER TABLE scan_event ADD COLUMN source text;
-- #9
ALTER TABLE scan_event ADD COLUMN weight integer DEFAULT 0;
-- #10
ALTER TABLE scan_event ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();
-- #11
ALTER TABLE scan_event ADD COLUMN seq_no bigserial;
-- #12
ALTER TABLE scan_event DROP COLUMN note;
-- #13
ALTER TABLE scan_event ALTER COLUMN note TYPE varchar(200);
-- #14
ALTER TABLE scan_event ALTER COLUMN event_id TYPE numeric;
-- #15
ALTER TABLE scan_event ALTER COLUMN happened TYPE timestamp;
-- #16
ALTER TABLE scan_event ADD CONSTRAINT scan_note_len CHECK (length(note) < 100);
-- #17
ALTER TABLE scan_event ADD CONSTRAINT scan_note_len CHECK (length(note) < 100) NOT VALID;
-- #18
ALTER TABLE ONLY scan_event ADD CONSTRAINT scan_note_len CHECK (length(note) < 100);
-- #19
ALTER TABLE scan_event VALIDATE CONSTRAINT scan_event_id_pos;
-- #20
ALTER TABLE scan_event ADD CONSTRAINT scan_event_parcel_fk2 FOREIGN KEY (parcel_id) REFERENCES parcel (parcel_id);
-- #21
ALTER TABLE scan_event ADD CONSTRAINT scan_event_parcel_fk2 FOREIGN KEY (parcel_id) REFERENCES parcel (parcel_id) NOT VALID;
-- #22
ALTER TABLE scan_event ADD CONSTRAINT scan_event_uq UNIQUE (event_id, happened, parcel_id);
-- #23
ALTER TABLE scan_event DROP CONSTRAINT scan_event_parcel_id_fkey;
-- #24
ALTER TABLE scan_event DROP CONSTRAINT scan_event_id_pos;
-- #25
ALTER TABLE scan_event RENAME COLUMN note TO remark;
-- #26
ALTER TABLE scan_event RENAME TO scan_log;
-- #27
ALTER TABLE scan_event ALTER COLUMN note SET STATISTICS 500;
-- #28
ALTER TABLE ONLY scan_event ALTER COLUMN note SET STATISTICS 500;
-- #29
ALTER TABLE scan_event ALTER COLUMN note SET STORAGE EXTERNAL;
-- #30
ALTER TABLE scan_event SET (autovacuum_enabled = false);
-- #31
ALTER TABLE scan_event DISABLE TRIGGER scan_event_audit;
-- #32
ALTER TABLE scan_event ENABLE TRIGGER ALL;
-- #33
ALTER TABLE scan_event OWNER TO postgres;
-- #34
ALTER TABLE scan_event SET UNLOGGED;
-- #35
ALTER TABLE scan_event SET TABLESPACE pg_default;
-- #36
ALTER TABLE scan_event REPLICA IDENTITY FULL;
-- #37
ALTER TABLE scan_event CLUSTER ON scan_event_pkey;
-- #38
ALTER TABLE scan_event DETACH PARTITION scan_event_2023;
-- #39
ALTER TABLE scan_event DETACH PARTITION scan_event_other;
-- #40
ALTER TABLE scan_event DETACH PARTITION scan_event_2024 CONCURRENTLY;
-- #41
ALTER TABLE scan_event ATTACH PARTITION scan_event_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
-- #42
ALTER TABLE scan_event ATTACH PARTITION scan_event_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
-- #43
CREATE TABLE scan_event_2025 PARTITION OF scan_event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- #44
CREATE TABLE scan_event_2026 PARTITION OF scan_event FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- #45
CREATE INDEX scan_event_note_idx ON scan_event (note);
-- #46
CREATE INDEX scan_event_note_only_idx ON ONLY scan_event (note);
-- #47
CREATE INDEX CONCURRENTLY scan_event_note_cidx ON scan_event (note);
-- #48
CREATE INDEX CONCURRENTLY scan_event_2024_note_idx ON scan_event_2024 (note);
-- #49
CREATE UNIQUE INDEX scan_event_uidx ON scan_event (event_id, happened, note);
-- #50
DROP INDEX scan_event_parcel_idx;
-- #51
DROP INDEX CONCURRENTLY scan_event_parcel_idx;
-- #52
DROP INDEX scan_event_y2023_note_ix;
-- #53
ALTER INDEX scan_event_note_pidx ATTACH PARTITION scan_event_y2023_note_ix;
-- #54
ALTER INDEX scan_event_parcel_idx RENAME TO scan_event_parcel_ix;
-- #55
REINDEX TABLE scan_event;
-- #56
REINDEX INDEX scan_event_parcel_idx;
-- #57
REINDEX TABLE CONCURRENTLY scan_event;
-- #58
REINDEX TABLE scan_event_2023;
-- #59
REINDEX INDEX CONCURRENTLY scan_event_2023_pkey;
-- #60
TRUNCATE scan_event;
-- #61
TRUNCATE ONLY scan_event;
-- #62
TRUNCATE scan_event_2024;
-- #63
TRUNCATE scan_event RESTART IDENTITY;
-- #64
DROP TABLE scan_event_2023;
-- #65
DROP TABLE scan_event_other;
-- #66
DROP TABLE scan_event CASCADE;
-- #67
LOCK TABLE scan_event IN SHARE MODE;
-- #68
LOCK TABLE ONLY scan_event IN ACCESS EXCLUSIVE MODE;
-- #69
ANALYZE scan_event;
-- #70
VACUUM scan_event;
-- #71
VACUUM (ANALYZE) scan_event_2024;
-- #72
INSERT INTO scan_event VALUES (10, '2024-06-01', 1000, 'x');
-- #73
INSERT INTO scan_event_2024 VALUES (11, '2024-07-01', 1001, 'y');
-- #74
INSERT INTO scan_event SELECT event_id + 100, happened, parcel_id, note FROM scan_event;
-- #75
UPDATE scan_event SET happened = '2023-06-01' WHERE event_id = 2;
-- #76
UPDATE scan_event SET note = 'seen' WHERE happened = '2024-02-01';
-- #77
UPDATE scan_event SET parcel_id = 1003 WHERE event_id = 3;
-- #78
DELETE FROM scan_event WHERE event_id = 1;
-- #79
DELETE FROM scan_event WHERE happened < '2024-01-01';
-- #80
DELETE FROM scan_event USING parcel WHERE scan_event.parcel_id = parcel.parcel_id AND parcel.state = 'lost';
-- #81
SELECT * FROM scan_event WHERE event_id = 1 FOR UPDATE;
-- #82
SELECT * FROM scan_event WHERE happened >= '2024-01-01' AND happened < '2025-01-01' FOR SHARE;
-- #83
MERGE INTO scan_event s USING (VALUES (2::bigint, date '2024-02-01')) v(id, h) ON s.event_id = v.id AND s.happened = v.h WHEN MATCHED THEN UPDATE SET note = 'merged' WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.h, NULL, 'new');
-- #84
CREATE STATISTICS scan_event_st (dependencies) ON event_id, parcel_id FROM scan_event;
-- #85
COMMENT ON TABLE scan_event IS 'scan events';
-- #86
COMMENT ON COLUMN scan_event.note IS 'free text';
-- #87
GRANT SELECT ON scan_event TO PUBLIC;
-- #88
CREATE TRIGGER scan_event_upd AFTER UPDATE ON scan_event FOR EACH ROW EXECUTE PROCEDURE scan_noop();
-- #89
DROP TRIGGER scan_event_audit ON scan_event;
-- #90
ALTER TRIGGER scan_event_audit ON scan_event RENAME TO scan_event_audit2;
-- #91
ALTER TABLE scan_event_2024 ALTER COLUMN note SET NOT NULL;
-- #92
ALTER TABLE scan_event_2024 ADD COLUMN extra integer;
-- #93
ALTER TABLE scan_event_other ADD CONSTRAINT scan_event_other_late CHECK (happened >= '2025-01-01');
-- #94
ALTER TABLE scan_event_2024 RENAME TO scan_event_y2024;
-- #95
CLUSTER scan_event_2023 USING scan_event_2023_pkey;
-- #96
ALTER TABLE scan_event_2023 SET (fillfactor = 80);
-- #97
ALTER TABLE tariff ADD COLUMN currency text DEFAULT 'EUR';
-- #98
ALTER TABLE tariff ALTER COLUMN price SET DEFAULT 0;
-- #99
ALTER TABLE tariff ALTER COLUMN depot_id SET NOT NULL;
-- #100
ALTER TABLE tariff_south ALTER COLUMN depot_id SET NOT NULL;
-- #101
ALTER TABLE tariff ALTER COLUMN price TYPE numeric(10,2);
-- #102
ALTER TABLE tariff ALTER COLUMN tier TYPE bigint;
-- #103
ALTER TABLE tariff ADD CONSTRAINT tariff_price_pos CHECK (price > 0);
-- #104
ALTER TABLE tariff ADD CONSTRAINT tariff_depot_fk2 FOREIGN KEY (depot_id) REFERENCES depot (depot_id);
-- #105
ALTER TABLE tariff ADD CONSTRAINT tariff_depot_fk_nv FOREIGN KEY (depot_id) REFERENCES depot (depot_id) NOT VALID;
-- #106
ALTER TABLE tariff DROP CONSTRAINT tariff_pkey CASCADE;
-- #107
ALTER TABLE tariff RENAME COLUMN price TO base_price;
-- #108
ALTER TABLE tariff_north RENAME COLUMN price TO north_price;
-- #109
ALTER TABLE tariff DROP COLUMN depot_id;
-- #110
ALTER TABLE tariff_south_low ADD COLUMN extra integer;
-- #111
ALTER TABLE tariff_north ALTER COLUMN price SET DEFAULT 1;
-- #112
ALTER TABLE tariff_north ADD CONSTRAINT tariff_north_price_cap CHECK (price < 1000);
-- #113
ALTER TABLE tariff DETACH PARTITION tariff_south;
-- #114
ALTER TABLE tariff_south DETACH PARTITION tariff_south_low;
-- #115
ALTER TABLE tariff DETACH PARTITION tariff_north CONCURRENTLY;
-- #116
ALTER TABLE tariff ATTACH PARTITION tariff_east FOR VALUES IN ('east');
-- #117
ALTER TABLE tariff_south ATTACH PARTITION tariff_south_top FOR VALUES FROM (100) TO (1000);
-- #118
CREATE TABLE tariff_west PARTITION OF tariff FOR VALUES IN ('west');
-- #119
CREATE TABLE tariff_south_mid PARTITION OF tariff_south FOR VALUES FROM (100) TO (200);
-- #120
CREATE TABLE tariff_rest PARTITION OF tariff DEFAULT;
-- #121
CREATE INDEX tariff_depot_idx ON tariff (depot_id);
-- #122
CREATE INDEX CONCURRENTLY tariff_north_depot_idx ON tariff_north (depot_id);
-- #123
REINDEX INDEX tariff_pkey;
-- #124
DROP TABLE tariff_south;
-- #125
DROP TABLE tariff_north;
-- #126
DROP TABLE tariff CASCADE;
-- #127
TRUNCATE tariff;
-- #128
TRUNCATE tariff CASCADE;
-- #129
TRUNCATE tariff_south_low;
-- #130
DELETE FROM tariff WHERE tier = 3;
-- #131
UPDATE tariff SET region = 'north' WHERE tier = 3;
-- #132
UPDATE tariff SET tier = 50 WHERE region = 'south' AND tier = 3;
-- #133
INSERT INTO tariff VALUES ('south', 5, 1.0, 1);
-- #134
INSERT INTO tariff_south VALUES ('south', 60, 1.0, 1);
-- #135
INSERT INTO tariff SELECT 'north', tier + 100, price, depot_id FROM tariff WHERE region = 'south';
-- #136
SELECT * FROM tariff WHERE region = 'north' FOR UPDATE;
-- #137
MERGE INTO tariff t USING (VALUES ('north', 1, 2.0)) v(r, ti, p) ON t.region = v.r AND t.tier = v.ti WHEN MATCHED THEN UPDATE SET price = v.p WHEN NOT MATCHED THEN INSERT VALUES (v.r, v.ti, v.p, NULL);
-- #138
LOCK TABLE tariff IN ROW EXCLUSIVE MODE;
-- #139
ANALYZE tariff;
-- #140
VACUUM tariff;
-- #141
ALTER TABLE surcharge ADD CONSTRAINT surcharge_tariff_fk2 FOREIGN KEY (region, tier) REFERENCES tariff (region, tier);
-- #142
ALTER TABLE surcharge DROP CONSTRAINT surcharge_region_tier_fkey;
-- #143
INSERT INTO surcharge VALUES (3, 'south', 3, 2.0);
-- #144
DELETE FROM surcharge WHERE surcharge_id = 1;
-- #145
DELETE FROM tariff WHERE region = 'south' AND tier = 42;
-- #146
ALTER TABLE vehicle ADD COLUMN color text;
-- #147
ALTER TABLE ONLY vehicle ADD COLUMN color text;
-- #148
ALTER TABLE vehicle ADD COLUMN color text DEFAULT 'white';
-- #149
ALTER TABLE vehicle ADD COLUMN reg_ts timestamptz DEFAULT clock_timestamp();
-- #150
ALTER TABLE vehicle ALTER COLUMN capacity SET NOT NULL;
-- #151
ALTER TABLE ONLY vehicle ALTER COLUMN capacity SET NOT NULL;
-- #152
ALTER TABLE vehicle ALTER COLUMN plate DROP NOT NULL;
-- #153
ALTER TABLE ONLY vehicle ALTER COLUMN plate DROP NOT NULL;
-- #154
ALTER TABLE vehicle ALTER COLUMN capacity SET DEFAULT 1;
-- #155
ALTER TABLE ONLY vehicle ALTER COLUMN capacity SET DEFAULT 1;
-- #156
ALTER TABLE vehicle ALTER COLUMN capacity TYPE bigint;
-- #157
ALTER TABLE vehicle ALTER COLUMN plate TYPE varchar(20);
-- #158
ALTER TABLE vehicle DROP COLUMN capacity;
-- #159
ALTER TABLE ONLY vehicle DROP COLUMN capacity;
-- #160
ALTER TABLE vehicle ADD CONSTRAINT vehicle_cap_max CHECK (capacity < 1000);
-- #161
ALTER TABLE ONLY vehicle ADD CONSTRAINT vehicle_cap_max CHECK (capacity < 1000);
-- #162
ALTER TABLE vehicle ADD CONSTRAINT vehicle_cap_max CHECK (capacity < 1000) NO INHERIT;
-- #163
ALTER TABLE vehicle VALIDATE CONSTRAINT vehicle_cap_pos;
-- #164
ALTER TABLE ONLY vehicle VALIDATE CONSTRAINT vehicle_cap_pos;
-- #165
ALTER TABLE vehicle RENAME COLUMN plate TO reg_plate;
-- #166
ALTER TABLE vehicle RENAME TO fleet_vehicle;
-- #167
ALTER TABLE vehicle SET (fillfactor = 70);
-- #168
ALTER TABLE vehicle ALTER COLUMN plate SET STATISTICS 1000;
-- #169
ALTER TABLE ONLY vehicle ALTER COLUMN plate SET STATISTICS 1000;
-- #170
ALTER TABLE vehicle OWNER TO postgres;
-- #171
ALTER TABLE vehicle SET UNLOGGED;
-- #172
ALTER TABLE vehicle SET TABLESPACE pg_default;
-- #173
ALTER TABLE vehicle CLUSTER ON vehicle_pkey;
-- #174
ALTER TABLE vehicle REPLICA IDENTITY USING INDEX vehicle_pkey;
-- #175
ALTER TABLE vehicle ALTER COLUMN vehicle_id ADD GENERATED BY DEFAULT AS IDENTITY;
-- #176
ALTER TABLE truck NO INHERIT vehicle;
-- #177
ALTER TABLE bike INHERIT vehicle;
-- #178
ALTER TABLE truck ADD PRIMARY KEY (vehicle_id);
-- #179
CREATE TABLE scooter (max_range integer) INHERITS (vehicle);
-- #180
CREATE TABLE vehicle_copy (LIKE vehicle INCLUDING ALL);
-- #181
TRUNCATE vehicle;
-- #182
TRUNCATE ONLY vehicle;
-- #183
DROP TABLE vehicle;
-- #184
DROP TABLE vehicle CASCADE;
-- #185
DROP TABLE van;
-- #186
LOCK TABLE vehicle IN EXCLUSIVE MODE;
-- #187
LOCK TABLE ONLY vehicle IN EXCLUSIVE MODE;
-- #188
INSERT INTO vehicle VALUES (9, 'NEW-9', 5);
-- #189
UPDATE vehicle SET capacity = capacity + 1;
-- #190
UPDATE ONLY vehicle SET capacity = 11;
-- #191
DELETE FROM vehicle WHERE vehicle_id = 2;
-- #192
SELECT * FROM vehicle FOR UPDATE;
-- #193
SELECT * FROM ONLY vehicle FOR SHARE;
-- #194
ANALYZE vehicle;
-- #195
VACUUM vehicle;
-- #196
VACUUM FULL vehicle;
-- #197
CREATE INDEX vehicle_cap_idx ON vehicle (capacity);
-- #198
CREATE INDEX CONCURRENTLY vehicle_cap_cidx ON vehicle (capacity);
-- #199
REINDEX TABLE vehicle;
-- #200
CLUSTER vehicle USING vehicle_pkey;
-- #201
ALTER TABLE depot ADD COLUMN region text;
-- #202
ALTER TABLE courier ALTER COLUMN full_name TYPE varchar(100);
-- #203
ALTER TABLE courier ALTER COLUMN courier_id TYPE bigint;
-- #204
ALTER TABLE depot DROP CONSTRAINT depot_pkey CASCADE;
-- #205
ALTER TABLE depot RENAME COLUMN city TO town;
-- #206
ALTER TABLE depot DROP COLUMN city;
-- #207
ALTER TABLE depot DROP COLUMN city CASCADE;
-- #208
ALTER TABLE depot RENAME TO hub;
-- #209
ALTER TABLE depot RENAME CONSTRAINT depot_code_key TO depot_code_uq;
-- #210
ALTER TABLE depot ADD CONSTRAINT depot_city_chk CHECK (city <> '') NOT VALID;
-- #211
ALTER TABLE depot ALTER COLUMN opened SET DEFAULT current_date;
-- #212
TRUNCATE depot;
-- #213
TRUNCATE depot CASCADE;
-- #214
TRUNCATE courier RESTART IDENTITY CASCADE;
-- #215
TRUNCATE parcel CASCADE;
-- #216
DELETE FROM depot WHERE depot_id = 4;
-- #217
DELETE FROM depot WHERE code = 'NONE';
-- #218
UPDATE depot SET city = 'Nordby-Nord' WHERE depot_id = 1;
-- #219
UPDATE courier SET courier_id = 40 WHERE courier_id = 4;
-- #220
DROP TABLE depot CASCADE;
-- #221
DROP TABLE courier;
-- #222
DROP TABLE courier CASCADE;
-- #223
DROP TABLE parcel CASCADE;
-- #224
ALTER TABLE courier ADD CONSTRAINT courier_rating_range CHECK (rating BETWEEN 0 AND 5);
-- #225
ALTER TABLE courier ADD CONSTRAINT courier_depot_fk2 FOREIGN KEY (depot_id) REFERENCES depot (depot_id) ON DELETE CASCADE;
-- #226
ALTER TABLE courier DROP COLUMN depot_id;
-- #227
ALTER TABLE courier RENAME COLUMN full_name TO display_name;
-- #228
ALTER TABLE courier ALTER COLUMN rating TYPE numeric(4,1);
-- #229
ALTER TABLE courier ALTER COLUMN rating TYPE numeric(4,2);
-- #230
ALTER TABLE courier ALTER COLUMN courier_id RESTART WITH 100;
-- #231
ALTER TABLE courier ALTER COLUMN courier_id SET GENERATED ALWAYS;
-- #232
ALTER TABLE courier ALTER COLUMN courier_id DROP IDENTITY;
-- #233
INSERT INTO courier (depot_id, full_name) VALUES (1, 'Eve Fox');
-- #234
DELETE FROM courier WHERE courier_id = 4;
-- #235
UPDATE courier SET rating = 5 FROM depot WHERE depot.depot_id = courier.depot_id AND depot.city = 'Nordby';
-- #236
MERGE INTO courier c USING depot d ON c.depot_id = d.depot_id AND c.courier_id = d.depot_id WHEN MATCHED THEN UPDATE SET rating = 1;
-- #237
ALTER TABLE parcel ADD COLUMN note text;
-- #238
ALTER TABLE parcel ADD COLUMN created_at timestamptz DEFAULT now();
-- #239
ALTER TABLE parcel ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- #240
ALTER TABLE parcel ADD COLUMN row_no integer GENERATED ALWAYS AS IDENTITY;
-- #241
ALTER TABLE parcel ADD COLUMN mass_kg numeric GENERATED ALWAYS AS (mass / 1000.0) STORED;
-- #242
ALTER TABLE parcel ADD COLUMN priority smallint NOT NULL DEFAULT 0 CHECK (priority >= 0);
-- #243
ALTER TABLE parcel ALTER COLUMN label SET NOT NULL;
-- #244
ALTER TABLE parcel ALTER COLUMN depot_id SET NOT NULL;
-- #245
ALTER TABLE parcel ALTER COLUMN state SET DEFAULT 'sent';
-- #246
ALTER TABLE parcel ALTER COLUMN state TYPE text;
-- #247
ALTER TABLE parcel ALTER COLUMN mass TYPE bigint;
-- #248
ALTER TABLE parcel ALTER COLUMN mass TYPE integer;
-- #249
ALTER TABLE parcel ALTER COLUMN courier_id TYPE bigint;
-- #250
ALTER TABLE parcel ADD CONSTRAINT parcel_label_nn CHECK (label IS NOT NULL) NOT VALID;
-- #251
ALTER TABLE parcel VALIDATE CONSTRAINT parcel_mass_cap;
-- #252
ALTER TABLE parcel ADD CONSTRAINT parcel_courier_fk2 FOREIGN KEY (courier_id) REFERENCES courier (courier_id) NOT VALID;
-- #253
ALTER TABLE parcel ADD CONSTRAINT parcel_courier_fk2 FOREIGN KEY (courier_id) REFERENCES courier (courier_id);
-- #254
ALTER TABLE parcel DROP CONSTRAINT parcel_courier_id_fkey;
-- #255
ALTER TABLE parcel DROP CONSTRAINT parcel_pkey CASCADE;
-- #256
ALTER TABLE parcel ADD CONSTRAINT parcel_label_uq UNIQUE (label);
-- #257
ALTER TABLE parcel ADD CONSTRAINT parcel_label_excl EXCLUDE USING btree (label WITH =);
-- #258
ALTER TABLE parcel RENAME CONSTRAINT parcel_mass_cap TO parcel_mass_limit;
-- #259
ALTER TABLE parcel ALTER COLUMN courier_id SET STATISTICS 250;
-- #260
ALTER TABLE parcel DISABLE TRIGGER parcel_touch_trg;
-- #261
ALTER TABLE parcel ENABLE REPLICA TRIGGER parcel_touch_trg;
-- #262
ALTER TABLE parcel DISABLE TRIGGER ALL;
-- #263
CREATE TRIGGER parcel_audit AFTER DELETE ON parcel FOR EACH ROW EXECUTE PROCEDURE scan_noop();
-- #264
CREATE OR REPLACE TRIGGER parcel_touch_trg BEFORE INSERT ON parcel FOR EACH ROW EXECUTE PROCEDURE parcel_touch();
-- #265
DROP TRIGGER parcel_touch_trg ON parcel;
-- #266
ALTER TRIGGER parcel_touch_trg ON parcel RENAME TO parcel_touch_trg2;
-- #267
DROP FUNCTION parcel_touch() CASCADE;
-- #268
INSERT INTO parcel (depot_id, courier_id, mass, label) VALUES (1, 1, 10, 'kite');
-- #269
UPDATE parcel SET courier_id = 2 WHERE parcel_id = 1000;
-- #270
UPDATE parcel SET label = upper(label) WHERE state = 'queued';
-- #271
DELETE FROM parcel WHERE parcel_id = 1003;
-- #272
WITH ins AS (INSERT INTO depot (code, city) VALUES ('Q1', 'Quay') RETURNING depot_id) INSERT INTO parcel (depot_id, mass) SELECT depot_id, 1 FROM ins;
-- #273
SELECT * FROM parcel JOIN depot USING (depot_id) FOR UPDATE OF parcel;
-- #274
SELECT count(*) FROM parcel;
-- #275
CREATE STATISTICS parcel_dep_st (dependencies) ON depot_id, courier_id FROM parcel;
-- #276
COMMENT ON COLUMN parcel.label IS 'human label';
-- #277
COMMENT ON CONSTRAINT parcel_depot_id_fkey ON parcel IS 'cascade';
-- #278
COMMENT ON INDEX parcel_courier_idx IS 'by courier';
-- #279
GRANT SELECT, INSERT ON parcel TO PUBLIC;
-- #280
REVOKE ALL ON parcel FROM PUBLIC;
-- #281
CREATE INDEX parcel_state_idx ON parcel (state);
-- #282
CREATE INDEX CONCURRENTLY parcel_state_cidx ON parcel (state);
-- #283
DROP INDEX parcel_courier_idx;
-- #284
DROP INDEX CONCURRENTLY parcel_courier_idx;
-- #285
REINDEX TABLE parcel;
-- #286
REINDEX INDEX parcel_courier_idx;
-- #287
REINDEX INDEX CONCURRENTLY parcel_courier_idx;
-- #288
REINDEX TABLE CONCURRENTLY parcel;
-- #289
ALTER INDEX parcel_courier_idx RENAME TO parcel_courier_ix;
-- #290
ALTER INDEX parcel_courier_idx SET (fillfactor = 80);
-- #291
ALTER INDEX parcel_label_lower_idx ALTER COLUMN 1 SET STATISTICS 100;
-- #292
ALTER INDEX parcel_courier_idx SET TABLESPACE pg_default;
-- #293
CLUSTER parcel USING parcel_pkey;
-- #294
ANALYZE parcel;
-- #295
ANALYZE;
-- #296
VACUUM parcel;
-- #297
VACUUM FULL parcel;
-- #298
LOCK TABLE parcel, depot IN SHARE ROW EXCLUSIVE MODE;
-- #299
SELECT setval('waybill_seq', 5000);
-- #300
SELECT nextval('waybill_seq');
-- #301
SELECT setval(pg_get_serial_sequence('depot', 'depot_id'), (SELECT max(depot_id) FROM depot));
-- #302
ALTER SEQUENCE waybill_seq RESTART WITH 10;
-- #303
ALTER SEQUENCE waybill_seq INCREMENT BY 5;
-- #304
ALTER SEQUENCE customer_id_seq AS bigint;
-- #305
ALTER SEQUENCE waybill_seq OWNED BY parcel.parcel_id;
-- #306
DROP SEQUENCE waybill_seq;
-- #307
DROP SEQUENCE waybill_seq CASCADE;
-- #308
GRANT USAGE ON SEQUENCE waybill_seq TO PUBLIC;
-- #309
ALTER DOMAIN weight_g ADD CONSTRAINT weight_cap CHECK (VALUE < 100000);
-- #310
ALTER DOMAIN weight_g ADD CONSTRAINT weight_cap CHECK (VALUE < 100000) NOT VALID;
-- #311
ALTER DOMAIN weight_g DROP CONSTRAINT weight_g_check;
-- #312
ALTER DOMAIN weight_g VALIDATE CONSTRAINT weight_g_sane;
-- #313
ALTER DOMAIN weight_g SET NOT NULL;
-- #314
ALTER DOMAIN weight_g SET DEFAULT 0;
-- #315
DROP DOMAIN weight_g CASCADE;
-- #316
ALTER TYPE parcel_state ADD VALUE 'returned';
-- #317
ALTER TYPE parcel_state ADD VALUE IF NOT EXISTS 'held' BEFORE 'sent';
-- #318
ALTER TYPE parcel_state RENAME VALUE 'lost' TO 'missing';
-- #319
ALTER TYPE parcel_state RENAME TO parcel_status;
-- #320
DROP TYPE parcel_state CASCADE;
-- #321
CREATE VIEW invoice_total AS SELECT customer_id, sum(amount) AS total FROM invoice GROUP BY customer_id;
-- #322
CREATE OR REPLACE VIEW active_parcel AS SELECT p.parcel_id, p.label, p.state, d.code, d.city, p.mass FROM parcel p JOIN depot d ON d.depot_id = p.depot_id WHERE p.state <> 'lost';
-- #323
DROP VIEW north_parcel;
-- #324
DROP VIEW active_parcel;
-- #325
DROP VIEW active_parcel CASCADE;
-- #326
ALTER VIEW active_parcel RENAME TO live_parcel;
-- #327
ALTER VIEW active_parcel ALTER COLUMN label SET DEFAULT 'x';
-- #328
ALTER VIEW north_parcel SET (security_barrier = true);
-- #329
ALTER VIEW active_parcel OWNER TO postgres;
-- #330
COMMENT ON VIEW active_parcel IS 'not lost';
-- #331
GRANT SELECT ON active_parcel TO PUBLIC;
-- #332
SELECT * FROM north_parcel;
-- #333
SELECT * FROM active_parcel FOR UPDATE;
-- #334
UPDATE recent_invoice SET amount = 1 WHERE id = 1;
-- #335
LOCK TABLE active_parcel IN ACCESS SHARE MODE;
-- #336
LOCK TABLE north_parcel IN ACCESS EXCLUSIVE MODE;
-- #337
LOCK TABLE recent_invoice IN SHARE MODE;
-- #338
LOCK TABLE depot_load IN SHARE MODE;
-- #339
CREATE MATERIALIZED VIEW courier_count AS SELECT depot_id, count(*) AS n FROM courier GROUP BY depot_id;
-- #340
CREATE MATERIALIZED VIEW courier_count AS SELECT depot_id, count(*) AS n FROM courier GROUP BY depot_id WITH NO DATA;
-- #341
REFRESH MATERIALIZED VIEW depot_load;
-- #342
REFRESH MATERIALIZED VIEW CONCURRENTLY depot_load;
-- #343
REFRESH MATERIALIZED VIEW depot_load WITH NO DATA;
-- #344
DROP MATERIALIZED VIEW depot_load;
-- #345
ALTER MATERIALIZED VIEW depot_load RENAME TO depot_volume;
-- #346
ALTER MATERIALIZED VIEW depot_load SET TABLESPACE pg_default;
-- #347
ALTER MATERIALIZED VIEW depot_load CLUSTER ON depot_load_uidx;
-- #348
CREATE INDEX depot_load_n_idx ON depot_load (n);
-- #349
COMMENT ON MATERIALIZED VIEW depot_load IS 'per depot';
-- #350
VACUUM ANALYZE depot_load;
-- #351
ALTER TABLE customer ADD COLUMN ext_id uuid;
-- #352
ALTER TABLE customer ADD COLUMN is_vip boolean NOT NULL DEFAULT false;
-- #353
ALTER TABLE customer ADD COLUMN tags text[] DEFAULT '{}';
-- #354
ALTER TABLE customer ADD COLUMN score integer DEFAULT (random() * 100)::integer;
-- #355
ALTER TABLE customer ADD COLUMN signup_no serial;
-- #356
ALTER TABLE customer ALTER COLUMN email SET NOT NULL;
-- #357
ALTER TABLE customer ALTER COLUMN email DROP NOT NULL;
-- #358
ALTER TABLE customer ALTER COLUMN name SET DEFAULT 'anon';
-- #359
ALTER TABLE customer ALTER COLUMN id DROP DEFAULT;
-- #360
ALTER TABLE customer ALTER COLUMN email TYPE varchar(320);
-- #361
ALTER TABLE customer ALTER COLUMN phone TYPE varchar(40);
-- #362
ALTER TABLE customer ALTER COLUMN phone TYPE varchar(10);
-- #363
ALTER TABLE customer ALTER COLUMN phone TYPE text;
-- #364
ALTER TABLE customer ALTER COLUMN created_at TYPE timestamp;
-- #365
ALTER TABLE customer ALTER COLUMN id TYPE bigint;
-- #366
ALTER TABLE customer DROP COLUMN name;
-- #367
ALTER TABLE customer RENAME COLUMN name TO full_name;
-- #368
ALTER TABLE customer RENAME TO client;
-- #369
ALTER TABLE customer ADD CONSTRAINT customer_email_key UNIQUE USING INDEX customer_email_uidx;
-- #370
ALTER TABLE customer VALIDATE CONSTRAINT customer_referrer_fk;
-- #371
ALTER TABLE customer SET UNLOGGED;
-- #372
CREATE INDEX ix_customer_email ON customer (email);
-- #373
CREATE UNIQUE INDEX CONCURRENTLY ix_customer_name ON customer (name);
-- #374
DROP INDEX customer_email_uidx;
-- #375
DROP INDEX CONCURRENTLY customer_email_uidx;
-- #376
INSERT INTO customer (email, name) VALUES ('c@example.org', 'Cat') RETURNING id;
-- #377
INSERT INTO customer (id, email, name) VALUES (1, 'a@example.org', 'Ann') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
-- #378
UPDATE customer SET email = lower(email);
-- #379
DELETE FROM customer WHERE id NOT IN (SELECT customer_id FROM invoice);
-- #380
ALTER TABLE invoice ADD CONSTRAINT fk_invoice_customer2 FOREIGN KEY (customer_id) REFERENCES customer (id);
-- #381
ALTER TABLE invoice ADD CONSTRAINT fk_invoice_customer3 FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE NOT VALID;
-- #382
ALTER TABLE invoice VALIDATE CONSTRAINT invoice_amount_pos;
-- #383
ALTER TABLE invoice DROP COLUMN customer_id;
-- #384
ALTER TABLE invoice ALTER COLUMN customer_id TYPE bigint;
-- #385
ALTER TABLE invoice ADD COLUMN refund_of bigint REFERENCES invoice (id);
-- #386
ALTER TABLE invoice ADD COLUMN handler_id integer REFERENCES courier (courier_id);
-- #387
ALTER TABLE invoice SET UNLOGGED;
-- #388
ALTER TABLE invoice SET TABLESPACE pg_default;
-- #389
ALTER TABLE invoice CLUSTER ON invoice_pkey;
-- #390
ALTER TABLE invoice SET WITHOUT CLUSTER;
-- #391
ALTER TABLE invoice REPLICA IDENTITY FULL;
-- #392
ALTER TABLE invoice SET (autovacuum_vacuum_scale_factor = 0.01);
-- #393
ALTER TABLE invoice RESET (autovacuum_vacuum_scale_factor);
-- #394
ALTER TABLE invoice SET (fillfactor = 90);
-- #395
ALTER TABLE invoice ALTER COLUMN amount SET STATISTICS 200;
-- #396
ALTER TABLE invoice ALTER COLUMN amount SET (n_distinct = 100);
-- #397
ALTER TABLE invoice ALTER COLUMN amount SET STORAGE MAIN;
-- #398
ALTER TABLE invoice OWNER TO postgres;
-- #399
ALTER TABLE invoice ENABLE ROW LEVEL SECURITY;
-- #400
CREATE POLICY invoice_all ON invoice USING (true);
-- #401
CREATE TABLE invoice_archive (LIKE invoice INCLUDING ALL);
-- #402
CREATE TABLE invoice_line (id serial PRIMARY KEY, invoice_id bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE, qty integer);
-- #403
CREATE TABLE depot_copy AS SELECT * FROM depot;
-- #404
DELETE FROM invoice WHERE id = 1;
-- #405
WITH d AS (DELETE FROM invoice WHERE amount > 20 RETURNING customer_id) UPDATE customer SET name = 'gone' WHERE id IN (SELECT customer_id FROM d);
-- #406
TRUNCATE invoice RESTART IDENTITY;
-- #407
TRUNCATE invoice, customer;
-- #408
DROP TABLE invoice CASCADE;
-- #409
DROP TABLE customer CASCADE;
