//! Table rules: renaming, dropping and emptying a table, commands that rewrite it, partitions
//! attached and detached, and materialized views refreshed under a lock that blocks reads.

use super::{Draft, StmtCtx, draft, fact, fact_of, facts, py_str, rename_vars, table_vars};
use crate::classify::Classified;
use crate::facts::{AlterCmd, Bound, Op, QName, RelKind, RenameTarget, ident};
use crate::kb::{Key, Role};
use crate::registry::RuleId;

pub fn op(ctx: &StmtCtx, op: &Op, classified: &Classified, out: &mut Vec<Draft>) {
    match op {
        Op::AlterTable {
            table, kind, cmds, ..
        } if *kind != RelKind::Index => {
            for (i, cmd) in cmds.iter().enumerate() {
                alter(ctx, classified, i, table, cmd, out);
            }
        }
        Op::CreateTable {
            table,
            partition_of: Some(parent),
            bound,
            ..
        } => {
            if let Some(f) = fact_of(
                ctx,
                classified,
                0,
                Key::CreateTablePartitionOfDefaultPartition,
            ) {
                default_partition_scan(ctx, &f, parent, table, bound, out);
            }
        }
        Op::Rename {
            kind: RelKind::Table | RelKind::View | RelKind::MatView,
            object,
            target: RenameTarget::Table,
            new_name,
        } if ctx.existing(object) => {
            let v = rename_vars(object, new_name);
            out.push(draft(
                RuleId::RenameTable,
                format!("renaming {object} to {new_name} breaks every running application instance that still uses the old name, until all are redeployed"),
                v,
            ));
        }
        Op::DropRelation {
            kind: RelKind::Table,
            names,
            ..
        } => {
            let Some(f) = fact(ctx, classified, 0) else {
                return;
            };
            for n in names.iter().filter(|n| ctx.existing(n)) {
                out.push(draft(
                    RuleId::DropTable,
                    format!("DROP TABLE {n} deletes its data for good and breaks code that still uses it; it also waits for {}", f.lock_name(Role::Table)),
                    table_vars(n),
                ));
            }
        }
        Op::Truncate { tables, .. } => {
            let Some(f) = fact(ctx, classified, 0) else {
                return;
            };
            for t in tables.iter().filter(|t| ctx.existing(t)) {
                out.push(draft(
                    RuleId::TruncateTable,
                    format!(
                        "TRUNCATE {t} deletes every row and takes {} on {t}",
                        f.lock_name(Role::Table)
                    ),
                    table_vars(t),
                ));
            }
        }
        Op::Vacuum { tables, .. } => {
            for f in facts(ctx, classified, 0) {
                if !f.effect().rewrites() {
                    continue;
                }
                for t in tables {
                    let mut v = table_vars(t);
                    v.insert("command", format!("VACUUM FULL {t}"));
                    out.push(draft(
                        RuleId::TableRewrite,
                        format!(
                            "VACUUM FULL rewrites {t} under {}: {} wait for the whole copy",
                            f.lock_name(Role::Table),
                            f.waiters(Role::Table)
                        ),
                        v,
                    ));
                }
            }
        }
        Op::Cluster { table: Some(t), .. } if ctx.existing(t) => {
            let Some(f) = fact(ctx, classified, 0).filter(|f| f.effect().rewrites()) else {
                return;
            };
            let mut v = table_vars(t);
            v.insert("command", format!("CLUSTER {t}"));
            out.push(draft(
                RuleId::TableRewrite,
                format!(
                    "CLUSTER rewrites {t} under {}: {} wait for the whole copy",
                    f.lock_name(Role::Table),
                    f.waiters(Role::Table)
                ),
                v,
            ));
        }
        Op::RefreshMatView { view, .. } if ctx.existing(view) => {
            let Some(f) = fact(ctx, classified, 0) else {
                return;
            };
            // WITH NO DATA runs no query: the lock is brief.
            if !f.lock(Role::Table).is_some_and(|m| m.blocks().reads) || f.effect().empties() {
                return;
            }
            out.push(draft(
                RuleId::RefreshMatviewBlocksReads,
                format!("REFRESH MATERIALIZED VIEW {view} takes {}: reads of {view} wait until the query behind it has run", f.lock_name(Role::Table)),
                table_vars(view),
            ));
        }
        _ => {}
    }
}

fn alter(
    ctx: &StmtCtx,
    classified: &Classified,
    origin: usize,
    table: &QName,
    cmd: &AlterCmd,
    out: &mut Vec<Draft>,
) {
    if !ctx.existing(table) {
        return;
    }
    let Some(f) = fact(ctx, classified, origin) else {
        return;
    };
    let lock = f.lock_name(Role::Table);
    match cmd {
        AlterCmd::SetTablespace { .. }
        | AlterCmd::SetLogged
        | AlterCmd::SetUnlogged
        | AlterCmd::SetAccessMethod { .. }
            if f.effect().rewrites() =>
        {
            let (what, argument) = match cmd {
                AlterCmd::SetTablespace { name } => ("SET TABLESPACE", format!(" {name}")),
                AlterCmd::SetLogged => ("SET LOGGED", String::new()),
                AlterCmd::SetUnlogged => ("SET UNLOGGED", String::new()),
                AlterCmd::SetAccessMethod { name } => (
                    "SET ACCESS METHOD",
                    format!(" {}", name.as_deref().unwrap_or("DEFAULT")),
                ),
                _ => return,
            };
            let mut v = table_vars(table);
            v.insert("command", format!("ALTER TABLE {table} {what}{argument}"));
            out.push(draft(
                RuleId::TableRewrite,
                format!(
                    "{what} rewrites {table} under {lock}: {} wait for the whole copy",
                    f.waiters(Role::Table)
                ),
                v,
            ));
        }
        AlterCmd::AttachPartition {
            partition, bound, ..
        } => {
            default_partition_scan(ctx, &f, table, partition, bound, out);
            let mut v = table_vars(table);
            v.insert("partition", partition.to_string());
            v.insert("partition_name", partition.name.clone());
            let parent = if f.blocks_traffic(Role::Table) {
                format!(" (and {table} {lock})")
            } else {
                String::new()
            };
            out.push(draft(
                RuleId::AttachPartition,
                format!("ATTACH PARTITION {partition} locks {partition} {}{parent} and scans it to check the partition bound, unless a valid CHECK constraint already proves it", f.lock_name(Role::Partition)),
                v,
            ));
        }
        AlterCmd::DetachPartition { partition, .. }
            if f.action.key == Key::AlterTableDetachPartitionConcurrentlyDefaultPartition =>
        {
            let mut v = table_vars(table);
            v.insert("partition", partition.to_string());
            let default = ctx
                .session
                .catalog
                .default_partition(table)
                .names
                .first()
                .map_or_else(|| "its DEFAULT partition".to_string(), |d| d.to_string());
            v.insert("default_partition", default.clone());
            out.push(draft(
                RuleId::DetachConcurrentlyWithDefault,
                format!("DETACH PARTITION … CONCURRENTLY fails: {table} has a DEFAULT partition ({default}), and PostgreSQL refuses to detach concurrently then"),
                v,
            ));
        }
        // With a DEFAULT partition CONCURRENTLY is not allowed: the brief plain detach with a
        // lock_timeout is the way (missing-lock-timeout guards it).
        AlterCmd::DetachPartition { .. }
            if !ctx
                .session
                .catalog
                .default_partition(table)
                .names
                .is_empty() => {}
        AlterCmd::DetachPartition { partition, .. } if f.blocks_traffic(Role::Table) => {
            let mut v = table_vars(table);
            v.insert("partition", partition.to_string());
            out.push(draft(
                RuleId::DetachPartition,
                format!("DETACH PARTITION takes {lock} on {table}: every query on the partitioned table waits"),
                v,
            ));
        }
        _ => {}
    }
}

/// CREATE TABLE … PARTITION OF / ATTACH PARTITION when the parent has a DEFAULT partition that
/// production has: it is locked ACCESS EXCLUSIVE and scanned for rows of the new range.
fn default_partition_scan(
    ctx: &StmtCtx,
    f: &super::Fact,
    parent: &QName,
    partition: &QName,
    bound: &Bound,
    out: &mut Vec<Draft>,
) {
    let Some((_, default)) = f
        .action
        .rels
        .iter()
        .find(|(r, n)| *r == Role::DefaultPartition && ctx.existing(n))
    else {
        return;
    };
    let key = ctx
        .session
        .catalog
        .table(parent)
        .map(|t| t.partition_key.clone())
        .unwrap_or_default();
    let check = bound
        .excluding(&key)
        .unwrap_or_else(|| "NOT (<the partition key in the new partition's bound>)".to_string());
    let mut v = table_vars(parent);
    v.insert("default_partition", default.to_string());
    v.insert("default_partition_name", default.name.clone());
    v.insert("partition_name", partition.name.clone());
    let constraint: String = format!("{}_not_{}", default.name, partition.name)
        .chars()
        .take(63)
        .collect();
    v.insert("constraint", ident(&constraint));
    v.insert("constraint_name", constraint);
    v.insert("check_expr_py", py_str(&check));
    v.insert("check_expr", check);
    v.insert(
        "statement",
        ctx.sql().trim().trim_end_matches(';').to_string(),
    );
    v.insert(
        "statement_py",
        py_str(ctx.sql().trim().trim_end_matches(';')),
    );
    let parent_lock = match f.lock(Role::Parent).or(f.lock(Role::Table)) {
        Some(m) if m.is_dangerous() => format!(" while {parent} is held {}", m.sql_name()),
        _ => String::new(),
    };
    out.push(draft(
        RuleId::DefaultPartitionScan,
        format!(
            "{partition} joins {parent}, which has a DEFAULT partition: {default} is locked {} and scanned for rows of the new range{parent_lock}; reads and writes of {default} (and of {parent}) wait for the scan",
            f.lock_name(Role::DefaultPartition)
        ),
        v,
    ));
}
