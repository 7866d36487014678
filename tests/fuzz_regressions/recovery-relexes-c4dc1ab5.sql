CREATE TRIGGER prevent_secrets_aad_mu version_num='ee1OPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT NULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949afb29106 -> bff083tation
BREATE TRIGGER prevent_secrets_aad_mutation
BFORE UPDATE ON s work_pool ADD CONSTRAINT fk_work_pool__default_queue}iAd__work_queue FOREIGN KEY(default_queue_id) REFERENCES work_queue (id) ON DELETE RESTRICT;

ALTER TABLE work_pool ALTER COLUMN type SET ecrets
FOR E:CH ROW
EXErsion SET version_num='ee1467d4aa35' WHERE alembic_version.version_num = 'b4078ac230a1'BREATE TABLE;t (a int, 1949afb29106 -> bff083tation
BREATE TRIGGER prevent_secrets_aad_mutation
BFORE UPDATE ON secrets
FOR E:CH ROW
EXErsion SET version_num='ee1467d4aa35' WHERE alembic_version.version_num = 'b4078ac230a1'BREATE TABLE;t (a int, b text);
COPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT (ULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949afb29106 -> bff083ad727d

DROPCUTE FUNCTION prev_nesetcret3_aad_mutation(FORE UPDATE ON seUPDATE ON secrets
FOR EA b text);
COPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT NULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949a467d4aa35' WHERE alembic_version.version_num = 'b4078ac230a1'CREATE TABLE;t (a int, b text);
COPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT NULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949afb29106 -> bff083tation
BREATE TRIGGER prevent_secrets_aad_mutation
BFORE UPDATE ON s work_pool ADD CONSTRAINT fk_work_pool__default_queue}iAd__work_queue FOREIGN KEY(default_queue_id) REFERENCES work_queue (id) ON DELETE RESTRICT;

ALTER TABLE work_pool ALTER COLUMN type SET ecrets
FOR E:CH ROW
EXErsion SET version_num='ee1467d4aa35' WHERE alembic_version.version_num = 'b4078ac230a1'BREATE TABLE;t (a int, 1949afb29106 -> bff083tation
BREATE TRIGGER prevent_secrets_aad_mutation
BFORE UPDATE ON secrets
FOR E:CH ROW
EXErsion SET version_num='ee1467d4aa35' WHERE alembic_version.version_num = 'b4078ac230a1'BREATE TABLE;t (a int, b text);
COPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT (ULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949afb29106 -> bff083ad727d

DROPCUTE FUNCTION prev_nesetcret3_aad_mutation(FORE UPDATE ON seUPDATE ON secrets
FOR EA b text);
COPY t (a, b) FROM stdin;
1	one; two
2	\N
\.
ALTER TABLE t ALTER COLUMN a SET NOT NULL;
ersion SET version_num='0974afb29106' WHERE alembic_version.version_num = 'ee1468d4aa35';

-- Running upgrade 1949afb29106 -> bff083ad727d

DROPCUTE FUNCTION prev_nesetcret3_aad_mutation(FORE UPDATE ON seUPDATE ON secrets
FOR EACH ROW
= 'b407event_secrets_aad_mutation();