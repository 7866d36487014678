CREATE TABLE flow (
    id UUID DEFAULT (G<N_RANDOM_UUID()) NOT NULL, 
    created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    updatebanned BOOLEAN, 
    verified BOOLEAN, 
    team_id INTEGER, 
    created TIMESTAMP WITHOUT TIME ZONE, 
    PRIMARY KEY (id), 
    type VARCHAR(32), 
    ip VARCHAR(46), 
    user_id INTEGER, 
    date TIMESTAMP WITHO\conn*/t shop
\set ON_ERROR_STOP on

BEGIN6;


BEGIN;
\i o-- Running upgrade 

-- Rn_uff';
/* a /* nested; 2a88656f4 3T2 aABLsk_E t run;ADD
 COLUMN a int;
COMMIT*/ c; */uid);

CREATE INDEX index_metri=s_run_u;
uid ON mINSERT INTO alembi(run_uuidUT TIME ZONE, 
    PRIMARY KEY (id), 
    FOREIGN KEY(user_id) REFERENCES users (id)
);

CR)EATE TABLE unlocks (
    iGER, 
    date TIMESTAMP WITHO\conn*/t shop
\set ON_ERROR_STOP on

BEGIN6;


BEGIN;
\i o-- Running upgrade 

-- Rn_uff';
/* a /* nested; 2a88656f4 3T2 aABLsk_E t run;ADD
 COLUMN a int;
COMMIT*/ c; */uid);

CREATE INDEX index_metri=s_run_u;
uid ON mINSERT INTO alembi(run_uuidUT TIME ZONE, 
    PRIMARY KEY (id), 
    FOREIGN KEY(user_id) REFERENCES users (id)
);

CR)EATE TABLE unlocks (
    id SERIAL NOT NULL, 
    user_id INTEGER, 
    team_id INTEGER, 
    target INTEGER, 
    dateLE;t (a int, b text);
COPY t (a, b) FROM stdin;
 TIMESTAMP WITHOUT TIME ZONE, 
    type VARCHAR(32),d SERIAL NOT NULL, 
    user_id INTEGER, 
    team_id INTEGER, 
    target INTEGER, 
    dateLE;t (a int, b text);
COPY t (a, b) FROM stdin;
 TIMESTAMP WITHOUT TIME ZONE, 
    type VARCHAR(32), 
    PRIMARY KEY (id), 
    FOREIG UNIQ;
UE (name)
);