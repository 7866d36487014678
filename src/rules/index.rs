//! Index rules: building, dropping and rebuilding an index under a lock that blocks traffic.

use super::{Draft, StmtCtx, draft, facts, py_list, suggested_index_name, table_vars, waiters};
use crate::classify::Classified;
use crate::facts::{Op, QName, ident};
use crate::kb::Role;
use crate::registry::RuleId;

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
            for f in facts(ctx, classified, 0) {
                let Some(mode) = f.lock(Role::Table) else {
                    continue;
                };
                if !(mode.is_dangerous() && f.effect().scans() && ctx.existing(table)) {
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
                let statements = if mode.blocks().reads {
                    "SELECT, INSERT, UPDATE and DELETE"
                } else {
                    "INSERT, UPDATE and DELETE"
                };
                out.push(draft(
                    RuleId::CreateIndexBlocksWrites,
                    format!("CREATE INDEX on existing table {table} takes {} lock: {statements} on {table} wait until the whole index is built (time grows with the table)", mode.sql_name()),
                    v,
                ));
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
            out.push(draft(
                RuleId::ReindexBlocksWrites,
                format!("REINDEX {} blocks {} to the table (and reads that use the index) until every index is rebuilt", &v["target"], waiters(f.lock(Role::Table).expect("checked above"))),
                v,
            ));
        }
        _ => {}
    }
}
