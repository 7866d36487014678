BEGIN;

-- Running upgrade 54c1876c68ae -> 8caf7c1fd82c

COMMIT;

CREATE INDEX CONCURRENTLY
            ix_flow_run__coalesce_start_time_expected_start_time_asc
            ON flow_run (coalesce(start_time, expected_start_time) ASC);;

BEGIN;

COMMIT;

CREATE INDEX CONCURRENTLY
            ix_flow_run__coalesce_start_time_expected_start_time_desc
            ON flow_run (coalesce(start_time, expected_start_time) DESC);;

BEGIN;

UPDATE alembic_version SET version_num='8caf7c1fd82c' WHERE alembic_version.version_num = '54c1876c68ae';

COMMIT;
