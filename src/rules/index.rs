//! Index rules: building, dropping and rebuilding an index under a lock that blocks traffic.

use super::{Draft, StmtCtx, draft, facts, py_list, suggested_index_name, table_vars, waiters};
use crate::classify::Classified;
use crate::facts::{Op, QName, ident};
use crate::kb::{Effect, Key, Role};
use crate::registry::RuleId;
use crate::suggest::Vars;

pub fn op(ctx: &StmtCtx, op: &Op, classified: &Classified, out: &mut Vec<Draft>) {
    match op {
        Op::CreateIndex {
            name,
            table,
            unique,
            columns,
            definition,
            ..
        } => {
            if classified
                .actions
                .iter()
                .any(|a| a.key == Key::CreateIndexConcurrentlyPartitioned)
            {
                out.push(draft(
                    RuleId::CreateIndexConcurrentlyPartitioned,
                    format!(
                        "CREATE INDEX CONCURRENTLY on partitioned table {table} fails on PostgreSQL {}: concurrent builds are not supported on a partitioned table; build each partition's index concurrently and attach it to an index created ON ONLY {table}",
                        ctx.version()
                    ),
                    partition_recipe_vars(ctx, name, table, *unique, columns, definition),
                ));
                return;
            }
            for f in facts(ctx, classified, 0) {
                let Some(mode) = f.lock(Role::Table) else {
                    continue;
                };
                if !(mode.is_dangerous() && f.effect().scans() && ctx.existing(table)) {
                    continue;
                }
                let statements = if mode.blocks().reads {
                    "SELECT, INSERT, UPDATE and DELETE"
                } else {
                    "INSERT, UPDATE and DELETE"
                };
                let message = format!(
                    "CREATE INDEX on existing table {table} takes {} lock: {statements} on {table} wait until the whole index is built (time grows with the table)",
                    mode.sql_name()
                );
                // CONCURRENTLY fails on a partitioned table: the fix is the partition-by-partition recipe.
                if ctx.session.catalog.is_partitioned(table) {
                    let mut d = draft(
                        RuleId::CreateIndexBlocksWrites,
                        format!(
                            "CREATE INDEX on existing partitioned table {table} takes {} lock on it and on every partition: {statements} on {table} wait until the index of every partition is built (time grows with the table); CREATE INDEX CONCURRENTLY fails on a partitioned table, so build each partition's index concurrently and attach it to an index created ON ONLY {table}",
                            mode.sql_name()
                        ),
                        partition_recipe_vars(ctx, name, table, *unique, columns, definition),
                    );
                    d.recipe = RuleId::CreateIndexConcurrentlyPartitioned;
                    out.push(d);
                    continue;
                }
                let mut v = table_vars(table);
                let index = name
                    .clone()
                    .unwrap_or_else(|| suggested_index_name(table, columns));
                v.insert("index", ident(&index));
                v.insert(
                    "index_qualified",
                    QName {
                        schema: table.schema.clone(),
                        name: index.clone(),
                    }
                    .to_string(),
                );
                v.insert("index_name", index);
                v.insert(
                    "unique",
                    if *unique {
                        "UNIQUE ".into()
                    } else {
                        String::new()
                    },
                );
                v.insert(
                    "unique_py",
                    if *unique {
                        "True".into()
                    } else {
                        "False".into()
                    },
                );
                v.insert("definition", definition.clone());
                v.insert("columns_py", py_list(columns));
                out.push(draft(RuleId::CreateIndexBlocksWrites, message, v));
            }
        }
        Op::DropIndex { .. } => {
            for f in facts(ctx, classified, 0) {
                let Some((_, index)) = f.action.rels.iter().find(|(r, _)| *r == Role::Index) else {
                    continue;
                };
                let Some(mode) = f.lock(Role::Table).filter(|m| m.is_dangerous()) else {
                    continue;
                };
                // The table of an index the input never created is unknown: assume it exists.
                let known = ctx.session.catalog.index_table(index);
                if known.as_ref().is_some_and(|t| ctx.session.is_new(t)) {
                    continue;
                }
                let mut v = table_vars(known.as_ref().unwrap_or(&QName::new("?")));
                v.insert("index", index.to_string());
                v.insert("index_name", index.name.clone());
                out.push(draft(
                    RuleId::DropIndexBlocksAccess,
                    format!("DROP INDEX {index} takes {} on its table: {} wait, and the drop itself waits behind every running query on the table", mode.sql_name(), waiters(mode)),
                    v,
                ));
            }
        }
        Op::Reindex { table, index, .. } => {
            let Some(f) = facts(ctx, classified, 0).into_iter().next() else {
                return;
            };
            if !f.blocks_traffic(Role::Table) {
                return;
            }
            let target = table
                .clone()
                .or_else(|| index.clone())
                .unwrap_or_else(|| QName::new("?"));
            let mut v = table_vars(&target);
            v.insert(
                "target",
                format!(
                    "{} {}",
                    if table.is_some() { "TABLE" } else { "INDEX" },
                    target
                ),
            );
            let waiting = waiters(f.lock(Role::Table).expect("checked above"));
            let message = if f.effect() == Effect::Catalog {
                // A partitioned table before PostgreSQL 14: skipped with a WARNING, lock kept.
                format!(
                    "REINDEX {} rebuilds nothing on PostgreSQL {} (partitioned tables are reindexed from 14), yet blocks {waiting} to the table until the transaction ends",
                    &v["target"],
                    ctx.version()
                )
            } else {
                format!(
                    "REINDEX {} blocks {waiting} to the table (and reads that use the index) until every index is rebuilt",
                    &v["target"]
                )
            };
            out.push(draft(RuleId::ReindexBlocksWrites, message, v));
        }
        _ => {}
    }
}

/// The placeholders of create-index-concurrently-partitioned's recipe (index ON ONLY the
/// parent, each partition's index built concurrently, then attached): it names each partition
/// the input showed.
fn partition_recipe_vars(
    ctx: &StmtCtx,
    name: &Option<String>,
    table: &QName,
    unique: bool,
    columns: &[String],
    definition: &str,
) -> Vars {
    let mut v = table_vars(table);
    let index_name = name
        .clone()
        .unwrap_or_else(|| suggested_index_name(table, columns));
    let index = QName {
        schema: table.schema.clone(),
        name: index_name.clone(),
    };
    let unique = if unique { "UNIQUE " } else { "" };
    let catalog = &ctx.session.catalog;
    let partitions: Vec<QName> = catalog
        .descendants(table, true)
        .names
        .into_iter()
        .filter(|p| {
            catalog
                .table(p)
                .is_some_and(|t| t.parents.contains(&table.key()))
        })
        .collect();
    let (mut builds, mut builds_py, mut attaches, mut attaches_py) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in &partitions {
        let sub = QName {
            schema: p.schema.clone(),
            name: format!("{index_name}_{}", p.name),
        };
        let build = if catalog.is_partitioned(p) {
            format!(
                "-- {p} is partitioned itself: ON ONLY, then these three steps for its partitions\nCREATE {unique}INDEX {sub} ON ONLY {p} {definition};"
            )
        } else {
            format!("CREATE {unique}INDEX CONCURRENTLY {sub} ON {p} {definition};")
        };
        for line in build.lines() {
            builds_py.push(if line.starts_with("--") {
                format!("    # {}", &line[3..])
            } else {
                format!(
                    "    op.execute(\"{}\")",
                    super::py_str(line.trim_end_matches(';'))
                )
            });
        }
        builds.push(build);
        let attach = format!("ALTER INDEX {index} ATTACH PARTITION {sub};");
        attaches_py.push(format!(
            "op.execute(\"{}\")",
            super::py_str(attach.trim_end_matches(';'))
        ));
        attaches.push(attach);
    }
    if partitions.is_empty() {
        let p = format!("<partition of {}>", table.name);
        builds.push(format!(
            "-- for each partition of {table}:\nCREATE {unique}INDEX CONCURRENTLY {index_name}_{p} ON {p} {definition};"
        ));
        builds_py.push(format!("    # for each partition of {table}: CREATE {unique}INDEX CONCURRENTLY … ON the partition {definition}"));
        attaches.push(format!(
            "ALTER INDEX {index} ATTACH PARTITION {index_name}_{p};"
        ));
        attaches_py.push(format!(
            "# for each partition's index: ALTER INDEX {index} ATTACH PARTITION …"
        ));
    }
    v.insert("index", index.to_string());
    v.insert("index_name", index_name);
    v.insert("unique", unique.into());
    v.insert("definition", definition.to_string());
    v.insert("partition_builds", builds.join("\n"));
    v.insert("partition_builds_py", builds_py.join("\n"));
    v.insert("attaches", attaches.join("\n"));
    v.insert("attaches_py", attaches_py.join("\n"));
    v
}
