//! The transaction model: what is new, what is held until COMMIT, savepoints, SET LOCAL.

use pgrisk::{Options, Report, analyze_sql};

fn run(sql: &str) -> Report {
    analyze_sql(sql, &Options::for_version(15)).expect("analysis")
}

fn rules_at(r: &Report, line: usize) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.line == line)
        .map(|f| f.rule.to_string())
        .collect()
}

#[test]
fn tables_created_in_the_same_transaction_need_no_warning() {
    let r = run(
        "BEGIN;\nCREATE TABLE t (id int);\nCREATE INDEX t_id_idx ON t (id);\nALTER TABLE t ALTER COLUMN id SET NOT NULL;\nCOMMIT;\n",
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn tables_created_earlier_in_the_run_stay_new_after_commit() {
    // Created earlier in this input: empty and unknown to running code, whatever has committed
    // since (a migration's own COMMIT, an autocommit block) — no lock findings on it.
    let r = run(
        "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\nBEGIN;\nCREATE INDEX t_id_idx ON t (id);\nCOMMIT;\n",
    );
    assert!(rules_at(&r, 5).is_empty(), "{:?}", r.findings);
    let r = run("CREATE TABLE t (id int);\nCREATE INDEX t_id_idx ON t (id);\n");
    assert!(rules_at(&r, 2).is_empty(), "{:?}", r.findings);
}

#[test]
fn history_revisions_make_their_tables_existing_and_get_no_findings() {
    let sql = "BEGIN;\n-- Running upgrade  -> a1\nCREATE TABLE t (id int);\nCREATE INDEX t_id_idx ON t (id);\n\
               -- Running upgrade a1 -> b2\nCREATE INDEX t_id2_idx ON t (id);\nCOMMIT;\n";
    let mut options = Options::for_version(15);
    options.since = vec!["a1".into()];
    let r = analyze_sql(sql, &options).expect("analysis");
    // a1 is history: its statements are not listed, and t exists in production.
    assert_eq!(r.summary.history, 2);
    assert!(
        r.findings
            .iter()
            .all(|f| f.revision.as_deref() == Some("b2"))
    );
    assert!(rules_at(&r, 6).contains(&"create-index-blocks-writes".to_string()));
    // An unknown --since revision is an error, not a silent full report.
    options.since = vec!["zz".into()];
    assert!(analyze_sql(sql, &options).is_err());
}

#[test]
fn rolled_back_tables_are_forgotten() {
    let r = run(
        "BEGIN;\nCREATE TABLE t (id varchar(10));\nROLLBACK;\nALTER TABLE t ALTER COLUMN id TYPE varchar(20);\n",
    );
    // The type is unknown again after ROLLBACK, so the change is assumed to rewrite.
    assert!(
        rules_at(&r, 4).contains(&"alter-column-type".to_string()),
        "{:?}",
        r.findings
    );
}

#[test]
fn locks_are_held_until_commit_across_revisions() {
    let sql = "BEGIN;\n-- Running upgrade a -> b\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n-- Running upgrade b -> c\nCREATE TABLE u (id int);\nUPDATE alembic_version SET version_num='c';\nCOMMIT;\n";
    let r = run(sql);
    let st = &r.statements[1];
    assert_eq!(st.revision.as_deref(), Some("b"));
    let held = st.held_until.as_ref().expect("held");
    assert_eq!(held.line, Some(7));
    assert_eq!(held.later_statements, 1, "bookkeeping does not count");
    assert_eq!(
        held.revisions.iter().map(|r| &**r).collect::<Vec<_>>(),
        ["c"]
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "lock-held-across-statements")
        .expect("finding");
    assert_eq!((f.line, f.revision.as_deref()), (3, Some("b")));
    assert!(
        f.message
            .contains("holds ACCESS EXCLUSIVE on t (line 3) until COMMIT at line 7"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("across 1 other revision(s) (c)"),
        "{}",
        f.message
    );
}

#[test]
fn rollback_to_savepoint_releases_later_locks() {
    let sql = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nSAVEPOINT s;\nALTER TABLE t ADD COLUMN a int;\nROLLBACK TO SAVEPOINT s;\nSELECT 1;\nCOMMIT;\n";
    let r = run(sql);
    assert!(
        r.statements[3].held_until.is_none(),
        "released at ROLLBACK TO"
    );
    assert!(
        r.findings
            .iter()
            .all(|f| f.rule != "lock-held-across-statements")
    );
}

#[test]
fn set_local_lasts_until_the_end_of_its_transaction() {
    let sql = "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\n";
    let r = run(sql);
    assert_eq!(r.statements[2].lock_timeout.as_deref(), Some("5s"));
    assert_eq!(r.statements[5].lock_timeout, None);
    assert_eq!(rules_at(&r, 3), Vec::<String>::new());
    assert_eq!(rules_at(&r, 6), ["missing-lock-timeout"]);
}

#[test]
fn set_local_outside_a_block_does_nothing_and_session_set_persists() {
    let r = run("SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN a int;\n");
    assert_eq!(rules_at(&r, 2), ["missing-lock-timeout"]);
    let r = run(
        "SET lock_timeout TO '5s';\nBEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b int;\n",
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let r = run("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN a int;\n");
    assert_eq!(
        rules_at(&r, 2),
        ["missing-lock-timeout"],
        "0 disables the timeout"
    );
}

#[test]
fn concurrently_inside_a_block_fails() {
    let r = run(
        "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\nCREATE INDEX CONCURRENTLY j ON t (b);\n",
    );
    assert_eq!(rules_at(&r, 2), ["concurrently-in-transaction"]);
    assert!(rules_at(&r, 4).is_empty());
}

#[test]
fn alembic_bookkeeping_is_never_flagged() {
    let r = run(
        "BEGIN;\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\nINSERT INTO alembic_version (version_num) VALUES ('a');\nUPDATE alembic_version SET version_num='b' WHERE alembic_version.version_num = 'a';\nCOMMIT;\n",
    );
    assert!(r.findings.is_empty());
    assert_eq!(
        r.statements.iter().filter(|s| s.kind == "alembic").count(),
        3
    );
}

#[test]
fn schema_learned_from_the_stream_judges_type_changes() {
    let base = "-- Running upgrade  -> applied\nCREATE TABLE t (name varchar(50), n int, code varchar(20));\n-- Running upgrade applied -> b\n";
    let run = |sql: &str| {
        let mut options = Options::for_version(15);
        options.since = vec!["applied".into()];
        analyze_sql(sql, &options).expect("analysis")
    };
    let r = run(&format!(
        "{base}ALTER TABLE t ALTER COLUMN name TYPE varchar(100);\n"
    ));
    assert!(
        r.findings.iter().all(|f| f.rule != "alter-column-type"),
        "coercible: {:?}",
        r.findings
    );
    assert!(!r.statements[0].rewrite);
    let r = run(&format!(
        "{base}ALTER TABLE t ALTER COLUMN n TYPE bigint;\n"
    ));
    assert!(r.statements[0].rewrite);
    assert!(rules_at(&r, 4).contains(&"alter-column-type".to_string()));
    let r = run(&format!(
        "{base}ALTER TABLE t ALTER COLUMN code TYPE integer USING code::integer;\n"
    ));
    assert!(rules_at(&r, 4).contains(&"type-change-data-loss".to_string()));
}

#[test]
fn backfill_in_the_migration_transaction_is_an_error() {
    let r = run("BEGIN;\nALTER TABLE t ADD COLUMN s text;\nUPDATE t SET s = 'x';\nCOMMIT;\n");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "unbatched-backfill")
        .unwrap();
    assert_eq!((f.line, f.severity), (3, pgrisk::Severity::Error));
    assert!(
        f.message.contains("ACCESS EXCLUSIVE on t taken at line 2"),
        "{}",
        f.message
    );
    // In the migration's transaction, its row locks last until COMMIT: an error with no DDL too.
    let r = run("BEGIN;\nUPDATE t SET s = 'x' WHERE s IS NULL;\nCOMMIT;\n");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "unbatched-backfill")
        .unwrap();
    assert_eq!(f.severity, pgrisk::Severity::Error);
    // On its own: a warning. A key pinned to values, or a batch bounded on both sides, is no backfill.
    let r = run("UPDATE t SET s = 'x' FROM u WHERE u.id = t.u_id;\n");
    assert_eq!(r.findings[0].severity, pgrisk::Severity::Warning);
    for bounded in [
        "UPDATE t SET s = 'x' WHERE id >= 1 AND id < 10001;\n",
        "UPDATE t SET s = 'x' WHERE id BETWEEN 1 AND 10000;\n",
    ] {
        let r = run(bounded);
        assert!(
            r.findings.iter().all(|f| f.rule != "unbatched-backfill"),
            "{bounded}"
        );
    }
    // Evidence is a lock taken before the backfill, never one taken after it.
    let r = run("BEGIN;\nUPDATE t SET s = 'x';\nALTER TABLE u ADD COLUMN a int;\nCOMMIT;\n");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "unbatched-backfill")
        .unwrap();
    assert!(!f.message.contains(" u "), "{}", f.message);
}

#[test]
fn a_key_pinned_to_values_is_no_backfill() {
    let mut options = Options::for_version(15);
    options.since = vec!["applied".into()];
    let sql = "-- Running upgrade  -> applied\nCREATE TABLE p (id int PRIMARY KEY, name text UNIQUE, state text);\n\
               -- Running upgrade applied -> b\nBEGIN;\nUPDATE p SET state = 'x' WHERE name = 'can_show';\n\
               UPDATE p SET name = 'y' WHERE state = 'running';\nCOMMIT;\n";
    let r = analyze_sql(sql, &options).expect("analysis");
    let backfills: Vec<usize> = r
        .findings
        .iter()
        .filter(|f| f.rule == "unbatched-backfill")
        .map(|f| f.line)
        .collect();
    assert_eq!(
        backfills,
        [6],
        "only the filter on a non-key column: {:?}",
        r.findings
    );
}

#[test]
fn do_blocks_are_analysed_and_dynamic_sql_is_flagged() {
    let r = run("DO $$ BEGIN ALTER TABLE t ALTER COLUMN c SET NOT NULL; END $$;\n");
    assert!(
        rules_at(&r, 1).contains(&"set-not-null".to_string()),
        "{:?}",
        r.findings
    );
    assert_eq!(r.statements[0].locks[0].relation.to_string(), "t");
    let r = run("DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN x int'; END $$;\n");
    assert!(rules_at(&r, 1).contains(&"opaque-code".to_string()));
}

#[test]
fn every_statement_is_accounted_for() {
    let sql = "SELECT 1;\nprocessing batch 1\nUPDATE t SET a = 1 WHERE id < 10;\nALTER TABLE t ADD COLUMN;\n\\connect db\nSELECT 2";
    let r = run(sql);
    let kinds: Vec<&str> = r.statements.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "select",
            "non-sql-text",
            "update",
            "syntax-error",
            "psql-meta",
            "select"
        ]
    );
    let lines: Vec<usize> = r.statements.iter().map(|s| s.line).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6]);
    assert_eq!(r.summary.read, r.summary.parsed + r.summary.unparseable);
    let err = r
        .findings
        .iter()
        .find(|f| f.rule == "syntax-error")
        .unwrap();
    assert!(err.message.contains("line 4, column 25"), "{}", err.message);
}

#[test]
fn statement_timeout_is_tracked_with_its_scope() {
    let r = run(
        "SET statement_timeout = '30s';\nBEGIN;\nSET LOCAL statement_timeout = '2min';\nSELECT 1;\nCOMMIT;\nSELECT 2;\n",
    );
    assert_eq!(r.statements[3].statement_timeout.as_deref(), Some("2min"));
    assert_eq!(r.statements[5].statement_timeout.as_deref(), Some("30s"));
}

/// What alembic-postgresql-enum emits to change an enum: rename the old type away, create the new
/// one, convert through text, drop the old one. The column's old type is the renamed one.
#[test]
fn enum_round_trip_through_a_renamed_type() {
    let sql = "-- Running upgrade  -> applied\nCREATE TYPE status AS ENUM ('a', 'b');\n\
               CREATE TABLE t (id int PRIMARY KEY, status status);\n\
               -- Running upgrade applied -> b\nBEGIN;\nSET lock_timeout = '5s';\n\
               ALTER TYPE status RENAME TO status_old;\nCREATE TYPE status AS ENUM ('a', 'b', 'c');\n\
               ALTER TABLE t ALTER COLUMN status TYPE status USING status::text::status;\n\
               DROP TYPE status_old;\nCOMMIT;\n";
    let mut options = Options::for_version(15);
    options.since = vec!["applied".into()];
    let r = analyze_sql(sql, &options).expect("analysis");
    assert!(
        r.statements.iter().all(|s| s.kind != "unknown"),
        "{:?}",
        r.statements
    );
    let f: Vec<_> = r.findings.iter().filter(|f| f.line == 9).collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, "alter-column-type");
    assert!(
        f[0].message.contains("from status_old to status"),
        "{}",
        f[0].message
    );
}

/// Dropping a GENERATED … STORED column and adding it again loses nothing: it is recomputed.
#[test]
fn regenerating_a_stored_column_is_not_data_loss() {
    let sql = "-- Running upgrade a -> b\nALTER TABLE t DROP COLUMN total;\n\
               ALTER TABLE t ADD COLUMN total int GENERATED ALWAYS AS (qty * price) STORED;\n";
    let r = run(sql);
    assert!(
        r.findings
            .iter()
            .all(|f| f.rule != "drop-and-add-same-column"),
        "{:?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "add-column-generated-stored")
    );
}

/// What the catalog learns of enum types is undone by ROLLBACK like the rest.
#[test]
fn a_rolled_back_enum_type_is_forgotten() {
    let history = "-- Running upgrade  -> applied\nCREATE TYPE a AS ENUM ('x');\nCREATE TABLE t (id int PRIMARY KEY, c a);\n-- Running upgrade applied -> b\n";
    let change = "ALTER TABLE t ALTER COLUMN c TYPE e USING c::text::e;\n";
    let mut options = Options::for_version(15);
    options.since = vec!["applied".into()];
    let rule = |sql: &str| {
        let r = analyze_sql(sql, &options).expect("analysis");
        r.findings
            .iter()
            .find(|f| f.rule == "alter-column-type" || f.rule == "type-change-data-loss")
            .map(|f| f.rule.as_str().to_string())
    };
    let kept = format!("{history}CREATE TYPE e AS ENUM ('x', 'y');\n{change}");
    assert_eq!(
        rule(&kept).as_deref(),
        Some("alter-column-type"),
        "enum to enum"
    );
    let undone = format!("{history}BEGIN;\nCREATE TYPE e AS ENUM ('x', 'y');\nROLLBACK;\n{change}");
    assert_eq!(
        rule(&undone).as_deref(),
        Some("type-change-data-loss"),
        "e is unknown again"
    );
}

#[test]
fn set_timezone_utc_spares_the_timestamptz_rewrite_until_rolled_back() {
    let r = run(
        "CREATE TABLE t (a timestamp);\nCOMMIT;\nBEGIN;\nSET TIME ZONE 'UTC';\nROLLBACK;\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nSET TimeZone = 'Etc/UTC';\nBEGIN;\nSAVEPOINT s;\nSET TimeZone = 'Europe/Paris';\nROLLBACK TO s;\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\nRESET TimeZone;\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\n",
    );
    let alters: Vec<(&str, bool)> = r
        .statements
        .iter()
        .filter(|s| s.kind.as_str().starts_with("alter_table"))
        .map(|s| (s.kind.as_str(), s.rewrite))
        .collect();
    assert_eq!(
        alters,
        [
            ("alter_table.alter_column_type", true),
            ("alter_table.alter_column_type.timestamptz_utc", false),
            ("alter_table.alter_column_type", true),
        ]
    );
}

/// A transaction too long to keep in memory: its statements wait in a temporary file until
/// COMMIT, and come back whole, in order, with how long each lock is held and the findings the
/// transaction's end places on earlier statements.
#[test]
fn a_long_transaction_streams_through_the_spool() {
    let mut sql = String::from("BEGIN;\nALTER TABLE accounts ADD COLUMN note text;\n");
    let mut revision = 0;
    for i in 0..6000 {
        if i % 40 == 0 {
            revision += 1;
            sql.push_str(&format!(
                "-- Running upgrade r{} -> r{revision}\n",
                revision - 1
            ));
        }
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id serial PRIMARY KEY, payload varchar(200) NOT NULL DEFAULT 'a rather long default value that makes the statement larger');\n"
        ));
    }
    sql.push_str("ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);\nCOMMIT;\n");
    let commit_line = sql.lines().count();
    let r = run(&sql);
    let n = r.statements.len();
    assert_eq!(n, 6004);
    assert!(r.statements.iter().enumerate().all(|(i, s)| s.index == i));
    // The ADD COLUMN holds ACCESS EXCLUSIVE on accounts until the COMMIT, across everything.
    let held = r.statements[1].held_until.as_ref().expect("held");
    assert_eq!(held.line, Some(commit_line));
    assert_eq!(held.statement, Some(n - 1));
    assert_eq!(held.later_statements, 6001);
    assert_eq!(held.first_later_statement, Some(2));
    assert_eq!(held.revision_count, revision);
    assert_eq!(held.revisions.len(), 10);
    // The rewrite at the end extends it: the finding sits on the ADD COLUMN, placed at COMMIT
    // when that statement had long left memory.
    let held_across = r
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "lock-held-across-statements")
        .expect("lock-held-across-statements");
    assert_eq!(held_across.statement, 1);
    assert_eq!(held_across.line, 2);
    assert!(
        held_across
            .message
            .contains(&format!("COMMIT at line {commit_line}"))
    );
    // Findings come in statement order.
    assert!(
        r.findings
            .windows(2)
            .all(|w| w[0].statement <= w[1].statement)
    );
}

/// The kinds and rewrite verdicts of the timestamp ↔ timestamptz changes in `sql`, in order.
fn timestamptz_alters(sql: &str) -> Vec<(String, bool)> {
    run(sql)
        .statements
        .iter()
        .filter(|s| s.kind.as_str().starts_with("alter_table"))
        .map(|s| (s.kind.as_str().to_string(), s.rewrite))
        .collect()
}

#[test]
fn set_local_timezone_utc_spares_the_rewrite_until_the_end_of_its_transaction() {
    let (utc, rewrite) = (
        (
            "alter_table.alter_column_type.timestamptz_utc".to_string(),
            false,
        ),
        ("alter_table.alter_column_type".to_string(), true),
    );
    // In force until COMMIT, or ROLLBACK; outside a block it does nothing.
    let sql = "CREATE TABLE t (a timestamp);\nCOMMIT;\nBEGIN;\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nCOMMIT;\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\nBEGIN;\nSET LOCAL TIME ZONE 'UTC';\nROLLBACK;\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\n";
    assert_eq!(
        timestamptz_alters(sql),
        [
            utc.clone(),
            rewrite.clone(),
            rewrite.clone(),
            rewrite.clone()
        ]
    );
    // Over a session-level UTC, SET LOCAL to another zone lasts until COMMIT; ROLLBACK TO a
    // savepoint from before it undoes it.
    let sql = "CREATE TABLE t (a timestamp);\nSET TimeZone = 'UTC';\nBEGIN;\nSET LOCAL TimeZone = 'Europe/Paris';\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nCOMMIT;\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\nBEGIN;\nSAVEPOINT s;\nSET LOCAL TimeZone = 'Europe/Paris';\nROLLBACK TO s;\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nSAVEPOINT s2;\nSET LOCAL TimeZone = 'UTC';\nRELEASE s2;\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\nCOMMIT;\n";
    assert_eq!(
        timestamptz_alters(sql),
        [rewrite.clone(), utc.clone(), utc.clone(), utc.clone()]
    );
    // A session-level SET after SET LOCAL in the same block wins, and outlives the COMMIT.
    let sql = "CREATE TABLE t (a timestamp);\nBEGIN;\nSET LOCAL TimeZone = 'UTC';\nSET TimeZone = 'Europe/Paris';\nALTER TABLE t ALTER COLUMN a TYPE timestamptz;\nCOMMIT;\nALTER TABLE t ALTER COLUMN a TYPE timestamp;\n";
    assert_eq!(timestamptz_alters(sql), [rewrite.clone(), rewrite.clone()]);
}

/// The kind and whether it rewrites or scans, of each statement of `sql` on line `lines`.
fn verdicts(sql: &str, lines: &[usize]) -> Vec<(String, bool, bool)> {
    let r = run(sql);
    lines
        .iter()
        .map(|l| {
            let s = r.statements.iter().find(|s| s.line == *l).expect("line");
            (s.kind.as_str().to_string(), s.rewrite, s.scan)
        })
        .collect()
}

#[test]
fn rolled_back_domain_constraints_are_forgotten() {
    // Observed on 11-18: a domain's constraint rolled back (ROLLBACK, ROLLBACK TO) leaves
    // ADD COLUMN of the domain catalog-only; kept, it rewrites the table.
    let sql = "CREATE DOMAIN d AS int;\nCREATE TABLE t (id int);\n\
               BEGIN;\nALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0);\nROLLBACK;\nALTER TABLE t ADD COLUMN x d;\n\
               BEGIN;\nSAVEPOINT s;\nALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0);\nROLLBACK TO s;\nALTER TABLE t ADD COLUMN y d;\n\
               ALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0);\nALTER TABLE t ADD COLUMN z d;\nCOMMIT;\n";
    let plain = ("alter_table.add_column".to_string(), false, false);
    let domain = ("alter_table.add_column.domain".to_string(), true, true);
    assert_eq!(verdicts(sql, &[6, 11, 13]), [plain.clone(), plain, domain]);
}

#[test]
fn rolled_back_indexes_keep_their_columns() {
    // t_idx is on the NOT NULL column a; a rolled-back replacement on the nullable b does not
    // make PRIMARY KEY USING INDEX t_idx scan (observed on 11-18); the replacement kept does.
    let sql = "-- Running upgrade  -> applied\nCREATE TABLE t (a int NOT NULL, b int);\nCREATE UNIQUE INDEX t_idx ON t (a);\n\
               -- Running upgrade applied -> next\n\
               BEGIN;\nDROP INDEX t_idx;\nCREATE UNIQUE INDEX t_idx ON t (b);\nROLLBACK;\n\
               BEGIN;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;\nROLLBACK;\n\
               BEGIN;\nSAVEPOINT s;\nDROP INDEX t_idx;\nCREATE UNIQUE INDEX t_idx ON t (b);\nROLLBACK TO s;\n\
               ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;\nROLLBACK;\n\
               BEGIN;\nDROP INDEX t_idx;\nCREATE UNIQUE INDEX t_idx ON t (b);\n\
               ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;\nCOMMIT;\n";
    let mut options = pgrisk::Options::for_version(15);
    options.since = vec!["applied".into()];
    let r = pgrisk::analyze_sql(sql, &options).expect("analysis");
    let kinds: Vec<(&str, bool)> = r
        .statements
        .iter()
        .filter(|s| s.sql.contains("USING INDEX"))
        .map(|s| (s.kind.as_str(), s.scan))
        .collect();
    let catalog = ("alter_table.add_constraint_using_index", false);
    let scan = ("alter_table.add_constraint_using_index.primary_key", true);
    assert_eq!(kinds, [catalog, catalog, scan]);
}

/// ROLLBACK TO removes what was created since its savepoint and keeps what was created before
/// it in the same transaction: a table created before the savepoint is still new, one created
/// after it is gone (an index on it is on a table pgrisk no longer knows).
#[test]
fn rollback_to_a_savepoint_removes_what_was_created_after_it() {
    let r = run(
        "BEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT s;\nCREATE TABLE b (id int);\nCREATE INDEX b_idx ON b (id);\nROLLBACK TO s;\nCREATE INDEX a_idx ON a (id);\nCREATE INDEX b_idx ON b (id);\nCOMMIT;\n",
    );
    assert!(rules_at(&r, 5).is_empty(), "{:?}", r.findings);
    assert!(rules_at(&r, 7).is_empty(), "{:?}", r.findings);
    assert!(
        rules_at(&r, 8).contains(&"create-index-blocks-writes".to_string()),
        "{:?}",
        r.findings
    );
}
