//! Every rule: registered once in code, documented once in rules/<id>.md, and its documented
//! examples behave as documented (the example fires, the safe example does not). Plus the
//! behaviours that depend on the PostgreSQL version.

use pgrisk::registry::RuleId;
use pgrisk::suggest::docs;
use pgrisk::{Options, Report, analyze_sql};
use std::collections::BTreeSet;

/// Analyses `sql`; examples that show a table production already has put it in a revision
/// named `applied`, which is then history (`--since applied`), as a CI run would have it.
fn run(sql: &str, pg_version: u32) -> Report {
    let mut options = Options::for_version(pg_version);
    if sql.contains("-> applied\n") {
        options.since = vec!["applied".into()];
    }
    analyze_sql(sql, &options).expect("analysis")
}

/// The rule reported a finding (not one an ignore accepted).
fn fired(r: &Report, rule: &str) -> bool {
    r.findings.iter().any(|f| f.rule == rule && !f.ignored)
}

#[test]
fn every_rule_has_a_document_and_every_document_a_rule() {
    let code: BTreeSet<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
    let documented: BTreeSet<&str> = docs().iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        code.len(),
        RuleId::ALL.len(),
        "a rule id is registered twice"
    );
    let missing: Vec<_> = code.difference(&documented).collect();
    let orphans: Vec<_> = documented.difference(&code).collect();
    assert!(
        missing.is_empty() && orphans.is_empty(),
        "rules without docs: {missing:?}; docs without rules: {orphans:?}"
    );
}

#[test]
fn documents_are_complete() {
    for d in docs() {
        assert!(!d.title.is_empty(), "{}: title", d.id);
        assert!(
            matches!(d.severity.as_str(), "error" | "warning" | "info"),
            "{}: severity {:?}",
            d.id,
            d.severity
        );
        assert!(!d.why.is_empty(), "{}: why", d.id);
        assert!(!d.summary.is_empty(), "{}: safe alternative summary", d.id);
        assert!(!d.example.is_empty(), "{}: example", d.id);
        assert!(!d.safe_example.is_empty(), "{}: safe example", d.id);
    }
}

/// The findings a document's example gets: SQL through the analysis, a migration script or a
/// configuration file through the rules over the project's files.
type ExampleFinding = (String, Option<pgrisk::suggest::Suggestion>, String);

fn example_findings(lang: &str, text: &str) -> Vec<ExampleFinding> {
    match lang {
        "python" => {
            let script = pgrisk::migrations::Script::parse(text, "versions/example.py".into())
                .expect("the example parses")
                .expect("the example has a revision");
            pgrisk::rules::check_script(&script)
                .into_iter()
                .map(|(l, d)| {
                    (
                        d.rule.as_str().to_string(),
                        pgrisk::suggest::render(d.recipe.as_str(), &d.vars),
                        format!("{l} {} {}\n{}", d.severity.as_str(), d.rule, d.message),
                    )
                })
                .collect()
        }
        "ini" => pgrisk::rules::check_project_file("alembic.ini", text)
            .into_iter()
            .map(|(l, d)| {
                (
                    d.rule.as_str().to_string(),
                    pgrisk::suggest::render(d.recipe.as_str(), &d.vars),
                    format!("{l} {} {}\n{}", d.severity.as_str(), d.rule, d.message),
                )
            })
            .collect(),
        _ => run(text, 15)
            .findings
            .iter()
            .filter(|f| !f.ignored)
            .map(|f| {
                let head = format!(
                    "{}:{} {} {}\n{}",
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.rule,
                    f.message
                );
                (f.rule.as_str().to_string(), f.suggestion.render(), head)
            })
            .collect(),
    }
}

#[test]
fn documented_examples_fire_and_safe_examples_do_not() {
    for d in docs() {
        let found = example_findings(&d.example_lang, &d.example);
        let (_, suggestion, _) = found
            .iter()
            .find(|(rule, _, _)| *rule == d.id)
            .unwrap_or_else(|| panic!("{}: example does not fire:\n{}", d.id, d.example));
        // The recipe comes out with every placeholder filled in.
        let s = suggestion
            .clone()
            .unwrap_or_else(|| panic!("{}: no suggestion", d.id));
        let mut texts = vec![s.summary.clone()];
        for p in &s.phases {
            texts.extend([p.summary.clone(), p.sql.clone(), p.alembic.clone()]);
        }
        for t in texts {
            let unfilled = t
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}'))
                .map(|(name, _)| name)
                .find(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(
                unfilled.is_none(),
                "{}: placeholder {{{}}} left in:\n{t}",
                d.id,
                unfilled.unwrap()
            );
        }
        let safe = example_findings(&d.example_lang, &d.safe_example);
        assert!(
            !safe.iter().any(|(rule, _, _)| *rule == d.id),
            "{}: safe example fires:\n{}",
            d.id,
            d.safe_example
        );
    }
}

#[test]
fn set_not_null_uses_a_validated_check_from_pg12() {
    let sql = "-- Running upgrade  -> applied\nCREATE TABLE t (c int);\n-- Running upgrade applied -> b1\nALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n";
    assert!(
        fired(&run(sql, 11), "set-not-null"),
        "PostgreSQL 11 always scans"
    );
    let r = run(sql, 12);
    assert!(!fired(&r, "set-not-null"));
    assert!(!r.statements.last().unwrap().scan);
    // Without VALIDATE the constraint proves nothing.
    let unvalidated = sql.replace("ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n", "");
    assert!(fired(&run(&unvalidated, 15), "set-not-null"));
}

/// PRIMARY KEY USING INDEX sets its columns NOT NULL: from PostgreSQL 12 a validated
/// CHECK (col IS NOT NULL) spares that scan, as it does for SET NOT NULL (the same catalog fact).
#[test]
fn primary_key_using_index_uses_a_validated_check_from_pg12() {
    let sql = "-- Running upgrade  -> applied\nCREATE TABLE t (c int);\nCREATE UNIQUE INDEX t_c_idx ON t (c);\n-- Running upgrade applied -> b1\nALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_c_idx;\n";
    let r = run(sql, 11);
    assert!(fired(&r, "set-not-null"), "PostgreSQL 11 always scans");
    assert!(r.statements.last().unwrap().scan);
    for version in [12, 18] {
        let r = run(sql, version);
        assert!(!fired(&r, "set-not-null"), "PostgreSQL {version}");
        assert!(!r.statements.last().unwrap().scan, "PostgreSQL {version}");
    }
    // Without VALIDATE the constraint proves nothing.
    let unvalidated = sql.replace("ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n", "");
    let r = run(&unvalidated, 15);
    assert!(fired(&r, "set-not-null"));
    assert!(r.statements.last().unwrap().scan);
}

#[test]
fn enum_add_value_in_a_transaction_fails_only_on_pg11() {
    let sql = "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;\n";
    assert!(fired(&run(sql, 11), "enum-value-in-transaction"));
    assert!(!fired(&run(sql, 12), "enum-value-in-transaction"));
    let used = "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nUPDATE users SET mood = 'happy' WHERE id = 1;\nCOMMIT;\n";
    assert!(
        fired(&run(used, 15), "enum-value-in-transaction"),
        "used before COMMIT fails on every version"
    );
}

#[test]
fn reindex_of_a_partitioned_table_fails_in_a_transaction_from_pg14_and_does_nothing_before() {
    let sql = "BEGIN;\nCREATE TABLE ev (id int, at date) PARTITION BY RANGE (at);\n\
               CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
               COMMIT;\nBEGIN;\nREINDEX TABLE ev;\nCOMMIT;\n";
    let r = run(sql, 14);
    assert!(fired(&r, "concurrently-in-transaction"));
    let reindex = r
        .statements
        .iter()
        .find(|s| s.sql.starts_with("REINDEX"))
        .unwrap();
    let locked: Vec<&str> = reindex
        .locks
        .iter()
        .map(|l| l.relation.name.as_str())
        .collect();
    assert_eq!(
        locked,
        ["ev", "ev_2024"],
        "every partition is locked at once"
    );
    assert!(reindex.scan);
    let r = run(sql, 13);
    assert!(!fired(&r, "concurrently-in-transaction"));
    let reindex = r
        .statements
        .iter()
        .find(|s| s.sql.starts_with("REINDEX"))
        .unwrap();
    assert!(!reindex.scan, "skipped with a WARNING before 14");
    assert!(r.findings.iter().any(|f| f.rule == "reindex-blocks-writes"
        && f.message.contains("rebuilds nothing on PostgreSQL 13")));
}

/// The relations a statement locks besides the one it names, as the truth tests observed them.
fn locked(r: &Report, starts: &str) -> Vec<(String, String)> {
    let st = r
        .statements
        .iter()
        .find(|s| s.sql.starts_with(starts))
        .unwrap();
    st.locks
        .iter()
        .map(|l| (l.relation.name.clone(), format!("{:?}", l.mode)))
        .collect()
}

const PARTITIONED: &str = "-- Running upgrade  -> applied\nBEGIN;\n\
    CREATE TABLE regions (code int PRIMARY KEY, label text) PARTITION BY RANGE (code);\n\
    CREATE TABLE regions_low PARTITION OF regions FOR VALUES FROM (0) TO (100);\n\
    CREATE TABLE regions_rest PARTITION OF regions DEFAULT;\n\
    CREATE TABLE region_refs (id int, code int CONSTRAINT region_refs_fk REFERENCES regions (code), note text NOT NULL);\n\
    COMMIT;\n-- Running upgrade applied -> next\n";

#[test]
fn dropping_a_partition_locks_its_parent_and_the_default_partition() {
    let r = run(&format!("{PARTITIONED}DROP TABLE regions_low;\n"), 15);
    let names: Vec<String> = locked(&r, "DROP").into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["regions_low", "regions", "regions_rest"]);
    let r = run(&format!("{PARTITIONED}TRUNCATE regions_low;\n"), 13);
    assert!(locked(&r, "TRUNCATE").contains(&("regions".into(), "AccessShareLock".into())));
    let r = run(&format!("{PARTITIONED}TRUNCATE regions_low;\n"), 14);
    assert_eq!(
        locked(&r, "TRUNCATE").len(),
        1,
        "from 14 the parent is not opened"
    );
}

#[test]
fn foreign_keys_to_a_partitioned_table_lock_its_partitions() {
    let drop = format!("{PARTITIONED}ALTER TABLE region_refs DROP COLUMN code;\n");
    let on = |v| locked(&run(&drop, v), "ALTER");
    // The RI triggers live on the partitions; from 15 on the partitioned table too.
    assert!(!on(14).iter().any(|(n, _)| n == "regions"));
    assert!(on(14).iter().any(|(n, _)| n == "regions_low"));
    assert!(on(15).iter().any(|(n, _)| n == "regions"));
    let fk = format!("{PARTITIONED}ALTER TABLE region_refs DROP CONSTRAINT region_refs_fk;\n");
    let names: Vec<String> = locked(&run(&fk, 15), "ALTER")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["region_refs", "regions", "regions_low", "regions_rest"]
    );
    // A table the input never showed: its partitions are said to be unknown.
    let r = run(
        "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b) REFERENCES b (id);\n",
        15,
    );
    assert!(
        r.statements[0]
            .unresolved_locks
            .iter()
            .any(|u| u.role == "referenced_partitions" && u.of.name == "b")
    );
}

#[test]
fn drop_not_null_recurses_on_pg18_only_when_the_column_has_one() {
    let sql = |column: &str| {
        format!("{PARTITIONED}ALTER TABLE regions ALTER COLUMN {column} DROP NOT NULL;\n")
    };
    let names = |sql: &str, v| -> Vec<String> {
        locked(&run(sql, v), "ALTER")
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    // code is the primary key: NOT NULL (the drop fails, but the classification is what counts).
    assert_eq!(names(&sql("code"), 18).len(), 3);
    let nullable = format!("{PARTITIONED}ALTER TABLE regions ALTER COLUMN label DROP NOT NULL;\n");
    assert_eq!(names(&nullable, 18), ["regions"]);
    assert_eq!(
        names(&nullable, 17).len(),
        3,
        "before 18 it always recurses"
    );
}

#[test]
fn features_missing_on_older_versions() {
    let detach = "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;\n";
    assert!(fired(&run(detach, 13), "unsupported-on-version"));
    assert!(!fired(&run(detach, 14), "unsupported-on-version"));
    let reindex = "REINDEX TABLE CONCURRENTLY items;\n";
    assert!(fired(&run(reindex, 11), "unsupported-on-version"));
    assert!(!fired(&run(reindex, 12), "unsupported-on-version"));
    let virtual_col =
        "ALTER TABLE items ADD COLUMN twice int GENERATED ALWAYS AS (qty * 2) VIRTUAL;\n";
    assert!(fired(&run(virtual_col, 17), "unsupported-on-version"));
    let r = run(virtual_col, 18);
    assert!(
        !fired(&r, "unsupported-on-version") && !r.statements[0].rewrite,
        "virtual columns are computed on read"
    );
}

#[test]
fn storage_moves_to_where_the_table_is_change_nothing() {
    let kind_rewrite = |sql: &str, v| {
        let r = run(sql, v);
        let last = r.statements.last().expect("a statement");
        (
            last.kind,
            last.rewrite,
            fired(&r, "table-rewrite"),
            r.findings
                .iter()
                .filter_map(|f| f.suggestion.render())
                .flat_map(|x| x.phases)
                .flat_map(|p| p.sql.lines().map(str::to_string).collect::<Vec<_>>())
                .find(|l| l.starts_with("ALTER TABLE")),
        )
    };
    // Named in its CREATE: PostgreSQL skips the move.
    let placed = "-- Running upgrade  -> applied\nCREATE TABLE t (id int) USING heap TABLESPACE fast;\n-- Running upgrade applied -> next\n";
    let (kind, rewrite, reported, _) =
        kind_rewrite(&format!("{placed}ALTER TABLE t SET TABLESPACE fast;\n"), 16);
    assert_eq!(
        (kind.as_str(), rewrite, reported),
        ("alter_table.set_tablespace.unchanged", false, false)
    );
    let (kind, rewrite, _, _) = kind_rewrite(
        &format!("{placed}ALTER TABLE t SET ACCESS METHOD heap;\n"),
        16,
    );
    assert_eq!(
        (kind.as_str(), rewrite),
        ("alter_table.set_access_method.unchanged", false)
    );
    // Elsewhere, or never named: a copy, and the recipe repeats the statement whole.
    let (kind, rewrite, reported, recipe) =
        kind_rewrite(&format!("{placed}ALTER TABLE t SET TABLESPACE slow;\n"), 16);
    assert_eq!(
        (kind.as_str(), rewrite, reported),
        ("alter_table.set_tablespace", true, true)
    );
    assert_eq!(
        recipe.as_deref(),
        Some("ALTER TABLE t SET TABLESPACE slow;")
    );
    let (_, rewrite, _, _) = kind_rewrite(
        &format!(
            "{placed}ALTER TABLE t SET TABLESPACE slow;\nALTER TABLE t SET TABLESPACE fast;\n"
        ),
        16,
    );
    assert!(rewrite, "the earlier SET TABLESPACE moved it");
    // A partitioned table has no storage: only a default for its future partitions.
    let partitioned = "-- Running upgrade  -> applied\nCREATE TABLE p (id int) PARTITION BY RANGE (id);\nCREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);\n-- Running upgrade applied -> next\n";
    let r = run(
        &format!("{partitioned}ALTER TABLE p SET TABLESPACE slow;\n"),
        16,
    );
    assert_eq!(
        r.statements[0].kind,
        "alter_table.set_tablespace.partitioned"
    );
    assert!(!r.statements[0].rewrite);
    assert_eq!(
        locked(&r, "ALTER"),
        [("p".to_string(), "AccessExclusiveLock".to_string())]
    );
}

#[test]
fn forms_the_server_refuses_fail() {
    let partitioned = "-- Running upgrade  -> applied\nCREATE TABLE p (id int) PARTITION BY RANGE (id);\n-- Running upgrade applied -> next\n";
    let logged = format!("{partitioned}ALTER TABLE p SET LOGGED;\n");
    assert!(fired(&run(&logged, 18), "statement-fails"));
    assert!(!fired(&run(&logged, 17), "statement-fails"));
    let method = format!("{partitioned}ALTER TABLE p SET ACCESS METHOD heap;\n");
    assert!(fired(&run(&method, 16), "statement-fails"));
    assert!(!fired(&run(&method, 17), "statement-fails"));
    // A materialized view cannot be locked; a view locks what it reads, a materialized view it
    // reads included (without looking into it).
    let views = "-- Running upgrade  -> applied\nCREATE TABLE t (id int);\nCREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\nCREATE VIEW v AS SELECT id FROM mv;\n-- Running upgrade applied -> next\n";
    let r = run(&format!("{views}LOCK TABLE mv;\n"), 15);
    assert!(fired(&r, "statement-fails"));
    assert!(r.statements[0].locks.is_empty());
    let r = run(&format!("{views}LOCK TABLE v;\n"), 15);
    assert!(!fired(&r, "statement-fails"));
    let mut names: Vec<String> = locked(&r, "LOCK").into_iter().map(|(n, _)| n).collect();
    names.sort();
    assert_eq!(names, ["mv", "v"]);
}

#[test]
fn lock_modes_differ_by_version() {
    let attach = "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n";
    let mode = |v| {
        run(attach, v).statements[0]
            .locks
            .iter()
            .find(|l| l.relation.to_string() == "events")
            .unwrap()
            .mode
    };
    assert_eq!(mode(11), pgrisk::locks::LockMode::AccessExclusiveLock);
    assert_eq!(mode(12), pgrisk::locks::LockMode::ShareUpdateExclusiveLock);
}

#[test]
fn constant_defaults_do_not_rewrite_but_volatile_ones_do() {
    let r = run(
        "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0;\nALTER TABLE t ADD COLUMN b timestamptz DEFAULT now();\nALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();\n",
        15,
    );
    let rewrites: Vec<bool> = r.statements.iter().map(|s| s.rewrite).collect();
    assert_eq!(rewrites, [false, false, true]);
    assert!(fired(&r, "add-column-volatile-default"));
}

#[test]
fn credentials_are_not_repeated_in_the_finding() {
    let r = run("CREATE ROLE app LOGIN PASSWORD 'hunter2-secret';\n", 15);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "credentials-in-sql")
        .unwrap();
    assert!(!f.message.contains("hunter2"));
}

#[test]
fn passwords_are_redacted_from_the_statement_text() {
    let r = run(
        "CREATE ROLE app LOGIN PASSWORD 'it''s-secret';\nALTER USER MAPPING FOR app SERVER s OPTIONS (SET password 'pw2');\n",
        15,
    );
    assert_eq!(
        r.statements[0].sql,
        "CREATE ROLE app LOGIN PASSWORD '********';"
    );
    assert!(
        !r.statements[1].sql.contains("pw2"),
        "{}",
        r.statements[1].sql
    );
}

#[test]
fn a_validated_check_on_a_table_from_before_the_input_counts() {
    let sql = "ALTER TABLE orders ADD CONSTRAINT orders_c_nn CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_c_nn;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n";
    assert!(!fired(&run(sql, 15), "set-not-null"));
}

#[test]
fn recipes_keep_the_schema_of_qualified_names() {
    let r = run(
        "ALTER TABLE app.orders RENAME TO purchases;\nCREATE INDEX ix_orders_c ON app.orders (c);\n",
        15,
    );
    let text = |rule: &str| {
        let s = r
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap()
            .suggestion
            .render()
            .unwrap();
        s.phases
            .iter()
            .map(|p| format!("{}\n{}", p.sql, p.alembic))
            .collect::<String>()
    };
    assert!(text("rename-table").contains("CREATE VIEW app.orders AS SELECT * FROM app.purchases"));
    assert!(
        text("create-index-blocks-writes")
            .contains("DROP INDEX CONCURRENTLY IF EXISTS app.ix_orders_c")
    );
}

/// CONCURRENTLY fails on a partitioned table: create-index-blocks-writes gives the
/// partition-by-partition recipe of create-index-concurrently-partitioned there, and the
/// concurrent build on a plain table.
#[test]
fn create_index_on_a_partitioned_table_recommends_building_partition_by_partition() {
    let sql = "-- Running upgrade  -> applied\nCREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\nCREATE TABLE orders (id int, c int);\n-- Running upgrade applied -> next\nCREATE INDEX ix_orders_c ON orders (c);\nCREATE INDEX ix_events_id ON events (id);\n";
    let r = run(sql, 15);
    let recipe = |table: &str| {
        let f = r
            .findings
            .iter()
            .find(|f| {
                f.rule == "create-index-blocks-writes"
                    && f.suggestion.vars.get("table") == Some(table)
            })
            .unwrap_or_else(|| panic!("no create-index-blocks-writes on {table}"));
        let s = f.suggestion.render().unwrap();
        (
            f.suggestion.rule.as_str(),
            s.phases
                .iter()
                .map(|p| format!("{}\n{}\n", p.sql, p.alembic))
                .collect::<String>(),
        )
    };
    let (from, plain) = recipe("orders");
    assert_eq!(from, "create-index-blocks-writes");
    assert!(
        plain.contains("CREATE INDEX CONCURRENTLY ix_orders_c ON orders (c);"),
        "{plain}"
    );
    let (from, partitioned) = recipe("events");
    assert_eq!(from, "create-index-concurrently-partitioned");
    assert!(
        partitioned.contains("CREATE INDEX ix_events_id ON ONLY events (id);"),
        "{partitioned}"
    );
    assert!(
        partitioned
            .contains("CREATE INDEX CONCURRENTLY ix_events_id_events_2024 ON events_2024 (id);"),
        "{partitioned}"
    );
    assert!(
        partitioned.contains("ALTER INDEX ix_events_id ATTACH PARTITION ix_events_id_events_2024;"),
        "{partitioned}"
    );
    assert!(
        !partitioned.contains("ON events (id)"),
        "CONCURRENTLY on the parent fails:\n{partitioned}"
    );
    // The text report prints each recipe in full once: the partitioned table's is not the
    // plain table's recipe pointed at.
    let text = pgrisk::report::text::render(
        &r,
        &pgrisk::report::text::TextOptions {
            color: false,
            all: false,
            width: 100,
            verbose: false,
        },
    );
    assert!(text.contains("ON ONLY events"), "{text}");
}

/// DROP SCHEMA … CASCADE locks every relation of the schema the input showed, and says that
/// the schema may hold more.
#[test]
fn drop_schema_cascade_claims_the_schema_relations_and_says_there_may_be_more() {
    let sql = "-- Running upgrade  -> applied\nCREATE SCHEMA legacy;\nCREATE TABLE legacy.orders (id serial PRIMARY KEY);\nCREATE TABLE keep (id int);\n-- Running upgrade applied -> next\nDROP SCHEMA legacy CASCADE;\nDROP SCHEMA unseen CASCADE;\n";
    let r = run(sql, 15);
    let [known, unseen] = &r.statements[r.statements.len() - 2..] else {
        unreachable!()
    };
    for st in [known, unseen] {
        assert_eq!(st.kind.as_str(), "drop_schema.cascade");
        assert_eq!(st.unresolved_locks.len(), 1, "{:?}", st.unresolved_locks);
        assert_eq!(st.unresolved_locks[0].role, "table");
    }
    let locked: Vec<String> = known.locks.iter().map(|l| l.relation.to_string()).collect();
    assert_eq!(locked, ["legacy.orders", "legacy.orders_id_seq"]);
    assert!(unseen.locks.is_empty(), "{:?}", unseen.locks);
    // Once dropped, the schema's tables are forgotten, unless the drop was rolled back.
    let sql = "CREATE SCHEMA legacy;\nCREATE TABLE legacy.orders (id int);\nCOMMIT;\nBEGIN;\nDROP SCHEMA legacy CASCADE;\nROLLBACK;\nDROP SCHEMA legacy CASCADE;\nCREATE SCHEMA legacy;\nDROP SCHEMA legacy CASCADE;\n";
    let r = run(sql, 15);
    let drops: Vec<Vec<String>> = r
        .statements
        .iter()
        .filter(|s| s.kind.as_str() == "drop_schema.cascade")
        .map(|s| s.locks.iter().map(|l| l.relation.to_string()).collect())
        .collect();
    assert_eq!(
        drops,
        [
            vec!["legacy.orders".to_string()],
            vec!["legacy.orders".to_string()],
            vec![]
        ]
    );
}

#[test]
fn every_document_states_the_severity_the_registry_gives_its_rule() {
    for r in RuleId::ALL {
        let d = docs()
            .iter()
            .find(|d| d.id == r.as_str())
            .unwrap_or_else(|| panic!("{r}: no document"));
        assert_eq!(
            d.severity,
            r.severity().as_str(),
            "{r}: rules/{r}.md says {}, the registry (src/registry.rs) {}",
            d.severity,
            r.severity().as_str()
        );
    }
}

/// Each rule's message and recipe for its documented example, so a change of wording or of a
/// recipe shows in review.
#[test]
fn rule_messages_and_recipes_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/rules"),
    );
    settings.set_prepend_module_to_snapshot(false);
    for d in docs() {
        let mut out = String::new();
        for (rule, suggestion, head) in example_findings(&d.example_lang, &d.example) {
            if rule != d.id {
                continue;
            }
            out.push_str(&head);
            out.push('\n');
            if let Some(s) = suggestion {
                out.push_str(&format!("fix: {}\n", s.summary));
                for p in &s.phases {
                    out.push_str(&format!(
                        "## {}: {}\n-- SQL\n{}\n-- Alembic\n{}\n",
                        p.name, p.summary, p.sql, p.alembic
                    ));
                }
            }
        }
        settings.bind(|| insta::assert_snapshot!(d.id.clone(), out));
    }
}

/// The locks the last statement of `sql` claims, as "relation mode" (sorted).
fn last_locks(sql: &str) -> Vec<String> {
    let r = run(sql, 15);
    let mut out: Vec<String> = r
        .statements
        .last()
        .unwrap()
        .locks
        .iter()
        .map(|l| format!("{} {:?}", l.relation, l.mode))
        .collect();
    out.sort();
    out
}

const DML_SCHEMA: &str = "CREATE TABLE accounts (id int PRIMARY KEY, name text);
CREATE TABLE items (id int PRIMARY KEY, account_id int REFERENCES accounts (id) ON DELETE CASCADE, qty int);
CREATE TABLE items_archive () INHERITS (items);
CREATE TABLE item_tags (item_id int REFERENCES items (id), tag text);
CREATE VIEW items_view AS SELECT id, qty FROM items;
CREATE VIEW items_view2 AS SELECT id FROM items_view;
CREATE TABLE staging_imports (id int, raw text);
CREATE TABLE scratch_rows (id int, raw text);
";

#[test]
fn cte_names_are_not_relations_and_data_modifying_ctes_lock_their_targets() {
    let sql = format!(
        "{DML_SCHEMA}WITH moved AS (DELETE FROM staging_imports RETURNING id, raw) INSERT INTO scratch_rows SELECT id, raw FROM moved;\n"
    );
    assert_eq!(
        last_locks(&sql),
        [
            "scratch_rows RowExclusiveLock",
            "staging_imports RowExclusiveLock"
        ]
    );
    // An UPDATE in a WITH that leaves keys alone locks no table referencing its target.
    let sql = format!(
        "{DML_SCHEMA}WITH u AS (UPDATE items SET qty = 1 RETURNING id) SELECT count(*) FROM u;\n"
    );
    assert_eq!(
        last_locks(&sql),
        ["items RowExclusiveLock", "items_archive RowExclusiveLock"]
    );
}

#[test]
fn only_leaves_the_children_alone() {
    for stmt in [
        "UPDATE ONLY items SET qty = 1",
        "DELETE FROM ONLY item_tags",
        "SELECT * FROM ONLY items",
        "SELECT * FROM ONLY items FOR UPDATE",
        "TRUNCATE ONLY items CASCADE",
        "LOCK TABLE ONLY items",
    ] {
        let locks = last_locks(&format!("{DML_SCHEMA}{stmt};\n"));
        assert!(
            !locks.iter().any(|l| l.starts_with("items_archive")),
            "{stmt}: {locks:?}"
        );
    }
}

#[test]
fn create_or_replace_view_locks_the_view_it_replaces() {
    let locks = last_locks(&format!(
        "{DML_SCHEMA}CREATE OR REPLACE VIEW items_view AS SELECT id, qty, 1 AS one FROM items;\n"
    ));
    assert_eq!(
        locks,
        ["items AccessShareLock", "items_view AccessExclusiveLock"]
    );
}

#[test]
fn reads_through_views_lock_the_views_tables() {
    assert_eq!(
        last_locks(&format!("{DML_SCHEMA}SELECT * FROM items_view2;\n")),
        [
            "items AccessShareLock",
            "items_archive AccessShareLock",
            "items_view AccessShareLock",
            "items_view2 AccessShareLock"
        ]
    );
    assert_eq!(
        last_locks(&format!(
            "{DML_SCHEMA}SELECT * FROM items_view FOR UPDATE;\n"
        )),
        [
            "items RowShareLock",
            "items_archive RowShareLock",
            "items_view RowShareLock"
        ]
    );
    assert_eq!(
        last_locks(&format!(
            "{DML_SCHEMA}SELECT * FROM accounts c JOIN items o ON o.account_id = c.id FOR UPDATE OF c;\n"
        )),
        [
            "accounts RowShareLock",
            "items AccessShareLock",
            "items_archive AccessShareLock"
        ]
    );
}

#[test]
fn queries_that_do_not_run_lock_no_partitions() {
    let schema = "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
";
    assert_eq!(
        last_locks(&format!(
            "{schema}CREATE MATERIALIZED VIEW events_mv AS SELECT * FROM events WITH NO DATA;\n"
        )),
        ["events AccessShareLock"]
    );
    assert_eq!(
        last_locks(&format!(
            "{schema}CREATE MATERIALIZED VIEW events_mv AS SELECT * FROM events;\n"
        )),
        ["events AccessShareLock", "events_2024 AccessShareLock"]
    );
    assert_eq!(
        last_locks(&format!(
            "{schema}CREATE TRIGGER t AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION f();\n"
        )),
        ["events ShareRowExclusiveLock"]
    );
}

#[test]
fn foreign_key_checks_of_dml() {
    // ON DELETE CASCADE deletes rows of items, whose own referencing table is then checked.
    assert_eq!(
        last_locks(&format!("{DML_SCHEMA}DELETE FROM accounts WHERE id = 1;\n")),
        [
            "accounts RowExclusiveLock",
            "item_tags RowShareLock",
            "items RowExclusiveLock"
        ]
    );
    assert_eq!(
        last_locks(&format!(
            "{DML_SCHEMA}INSERT INTO item_tags SELECT id, 'x' FROM items;\n"
        )),
        [
            "item_tags RowExclusiveLock",
            "items RowShareLock",
            "items_archive AccessShareLock"
        ]
    );
    assert_eq!(
        last_locks(&format!("{DML_SCHEMA}UPDATE items SET account_id = 2;\n")),
        [
            "accounts RowShareLock",
            "items RowExclusiveLock",
            "items_archive RowExclusiveLock"
        ]
    );
    assert_eq!(
        last_locks(&format!("{DML_SCHEMA}UPDATE items SET id = id + 1;\n")),
        [
            "item_tags RowShareLock",
            "items RowExclusiveLock",
            "items_archive RowExclusiveLock"
        ]
    );
    assert_eq!(
        last_locks(&format!("{DML_SCHEMA}UPDATE items SET qty = 2;\n")),
        ["items RowExclusiveLock", "items_archive RowExclusiveLock"]
    );
}

/// The locks of each statement of `sql` (15), as `relation: mode`, and its unresolved roles.
fn locks_of(sql: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    run(sql, 15)
        .statements
        .iter()
        .map(|st| {
            let mut locks: Vec<String> = st
                .locks
                .iter()
                .map(|l| format!("{}: {:?}", l.relation, l.mode))
                .collect();
            locks.sort();
            let unresolved = st
                .unresolved_locks
                .iter()
                .map(|u| format!("{} {}", u.of, u.role))
                .collect();
            (st.kind.as_str().to_string(), locks, unresolved)
        })
        .collect()
}

/// Sequences a table's columns own (serial, identity, OWNED BY) go where the table goes: DROP,
/// SET SCHEMA, TRUNCATE … RESTART IDENTITY lock them; of a table the input never defined, pgrisk
/// says they are unknown, and of one it defined, it says nothing more.
#[test]
fn owned_sequences_are_locked_with_their_table() {
    let sql = "-- Running upgrade  -> applied\n\
        CREATE TABLE tickets (id serial PRIMARY KEY, n int GENERATED BY DEFAULT AS IDENTITY, ref int, note text);\n\
        CREATE SEQUENCE tickets_ref_seq OWNED BY tickets.ref;\n\
        CREATE SEQUENCE loose_seq;\n\
        CREATE TABLE plain (id int DEFAULT nextval('loose_seq'));\n\
        -- Running upgrade applied -> next\n\
        ALTER SEQUENCE loose_seq OWNED BY plain.id;\n\
        DROP TABLE tickets;\n\
        ALTER TABLE plain SET SCHEMA archive;\n\
        TRUNCATE plain RESTART IDENTITY;\n\
        TRUNCATE plain;\n\
        DROP TABLE unseen;\n\
        ALTER SEQUENCE loose_seq OWNED BY NONE;\n\
        DROP TABLE plain;\n";
    let got = locks_of(sql);
    let tail = &got[got.len() - 8..];
    let aex = |r: &str| format!("{r}: AccessExclusiveLock");
    assert_eq!(tail[0].0, "alter_sequence.owned_by");
    assert_eq!(
        tail[0].1,
        ["loose_seq: ShareRowExclusiveLock", "plain: AccessShareLock"]
    );
    assert_eq!(tail[1].0, "drop_table");
    assert_eq!(
        tail[1].1,
        [
            aex("tickets"),
            aex("tickets_id_seq"),
            aex("tickets_n_seq"),
            aex("tickets_ref_seq")
        ]
    );
    assert!(tail[1].2.is_empty(), "{:?}", tail[1].2);
    assert_eq!(tail[2].1, [aex("loose_seq"), aex("plain")]);
    assert_eq!(tail[3].0, "truncate.restart_identity");
    assert_eq!(tail[3].1, [aex("loose_seq"), aex("plain")]);
    assert_eq!(tail[4].1, [aex("plain")]);
    assert_eq!(tail[5].1, [aex("unseen")]);
    assert_eq!(tail[5].2, ["unseen partitions", "unseen owned_sequences"]);
    assert_eq!(tail[7].1, [aex("plain")], "OWNED BY NONE: no longer owned");
}

/// An identity column's sequence: SET/RESTART alter it, DROP IDENTITY drops it, a type change
/// alters it (a serial's is left alone); INSERT … SELECT and a CTE's INSERT draw from the
/// sequences of the columns they leave to their default; COMMENT ON / GRANT ON SEQUENCE.
#[test]
fn identity_and_default_sequences_are_claimed() {
    let sql = "-- Running upgrade  -> applied\n\
        CREATE TABLE tickets (id serial PRIMARY KEY, n int GENERATED BY DEFAULT AS IDENTITY, ref int);\n\
        CREATE SEQUENCE s;\n\
        -- Running upgrade applied -> next\n\
        ALTER TABLE tickets ALTER COLUMN n RESTART WITH 50;\n\
        ALTER TABLE tickets ALTER COLUMN n TYPE bigint;\n\
        ALTER TABLE tickets ALTER COLUMN id TYPE bigint;\n\
        ALTER TABLE tickets ALTER COLUMN n DROP IDENTITY;\n\
        INSERT INTO tickets (ref) SELECT 1;\n\
        WITH added AS (INSERT INTO tickets (ref) VALUES (1) RETURNING id) SELECT count(*) FROM added;\n\
        ALTER TABLE tickets ADD COLUMN extra bigint DEFAULT nextval('s');\n\
        COMMENT ON SEQUENCE s IS 'x';\n\
        ALTER TABLE unseen ALTER COLUMN n SET GENERATED ALWAYS;\n";
    let got = locks_of(sql);
    let tail = &got[got.len() - 9..];
    assert_eq!(tail[0].0, "alter_table.identity.set");
    assert_eq!(
        tail[0].1,
        [
            "tickets: AccessExclusiveLock",
            "tickets_n_seq: ShareRowExclusiveLock"
        ]
    );
    assert_eq!(
        tail[1].1,
        [
            "tickets: AccessExclusiveLock",
            "tickets_n_seq: ShareRowExclusiveLock"
        ]
    );
    assert_eq!(tail[2].1, ["tickets: AccessExclusiveLock"]);
    assert_eq!(tail[3].0, "alter_table.identity.drop");
    assert_eq!(
        tail[3].1,
        [
            "tickets: AccessExclusiveLock",
            "tickets_n_seq: AccessExclusiveLock"
        ]
    );
    // After DROP IDENTITY, only the serial's sequence is drawn from.
    assert_eq!(
        tail[4].1,
        [
            "tickets: RowExclusiveLock",
            "tickets_id_seq: RowExclusiveLock"
        ]
    );
    assert_eq!(
        tail[5].0, "insert",
        "a data-modifying CTE is the statement it runs"
    );
    assert!(
        tail[5]
            .1
            .contains(&"tickets_id_seq: RowExclusiveLock".to_string())
    );
    assert!(tail[6].1.contains(&"s: RowExclusiveLock".to_string()));
    assert_eq!(tail[7].1, ["s: ShareUpdateExclusiveLock"]);
    assert_eq!(tail[8].2, ["unseen sequence"]);
    let grant = locks_of("GRANT USAGE ON SEQUENCE s TO PUBLIC;\n");
    assert!(grant[0].1.is_empty());
    let r = run("GRANT USAGE ON SEQUENCE s TO PUBLIC;\n", 18);
    assert_eq!(r.statements[0].locks.len(), 1);
}

#[test]
fn unnamed_key_indexes_have_postgres_names() {
    let sql = "-- Running upgrade  -> applied\n\
        CREATE TABLE t (a int, b int, PRIMARY KEY (a, b), UNIQUE (b));\n\
        CREATE TABLE p (a int, b int, PRIMARY KEY (a, b)) PARTITION BY RANGE (a);\n\
        CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (5);\n\
        CREATE TABLE x (a int);\n\
        ALTER TABLE x ADD UNIQUE (a);\n\
        -- Running upgrade applied -> next\n\
        REINDEX INDEX t_pkey;\nREINDEX INDEX t_b_key;\nREINDEX INDEX p1_pkey;\nREINDEX INDEX x_a_key;\n";
    let r = run(sql, 16);
    let tables: Vec<String> = r
        .statements
        .iter()
        .map(|s| {
            s.locks
                .iter()
                .find(|l| format!("{:?}", l.mode) == "ShareLock")
                .map(|l| l.relation.name.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(tables, ["t", "t", "p1", "x"]);
}

#[test]
fn a_domain_column_changes_like_its_base_type() {
    let sql = |ty: &str| {
        format!(
            "-- Running upgrade  -> applied\n\
             CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n\
             CREATE TABLE t (n positive);\n\
             -- Running upgrade applied -> next\n\
             ALTER TABLE t ALTER COLUMN n TYPE {ty};\n"
        )
    };
    assert!(!run(&sql("integer"), 16).statements[0].rewrite, "a relabel");
    assert!(run(&sql("bigint"), 16).statements[0].rewrite);
}
