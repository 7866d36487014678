//! Transaction rules: what a lock costs given the transaction around it. Each rule keeps both
//! halves here: the per-statement half (autocommit statements, failures known at once) and the
//! half judged when a block ends, from the locks it held and what ran meanwhile.

use super::{Draft, StmtCtx, draft, draft_at, table_vars};
use crate::facts::{Op, QName};
use crate::kb::{self, Key};
use crate::locks::LockMode;
use crate::model::LockClaim;
use crate::registry::{RuleId, Severity};
use crate::session::{Block, Window};
use crate::suggest::Vars;

fn ends(end_line: Option<usize>) -> String {
    match end_line {
        Some(l) => format!("COMMIT at line {l}"),
        None => "the end of the input (the transaction is never committed)".to_string(),
    }
}

/// The per-statement halves.
pub fn statement(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    enum_value_outside_transaction(ctx, out);
    missing_lock_timeout_autocommit(ctx, out);
    for (op, _) in ctx.ops() {
        backfill_autocommit(ctx, op, out);
    }
}

/// The halves judged when a block ends.
pub fn at_end(block: &Block, statements: &Window, end_line: Option<usize>) -> Vec<(usize, Draft)> {
    let mut out = Vec::new();
    held_across(block, statements, end_line, &mut out);
    missing_lock_timeout(block, statements, &mut out);
    backfills(block, statements, &mut out);
    enum_values(block, statements, &mut out);
    out
}

/// lock-held-across-statements, once per block: locks that block reads or writes of existing
/// tables stay until COMMIT, so every later statement of the transaction extends the outage.
fn held_across(
    block: &Block,
    statements: &Window,
    end_line: Option<usize>,
    out: &mut Vec<(usize, Draft)>,
) {
    // Per relation: the strongest blocking lock and the first statement that took it.
    let mut held: Vec<(&QName, LockMode, usize)> = Vec::new();
    for h in block.held.iter().filter(|h| h.lock.mode.is_dangerous()) {
        let later = statements[h.statement]
            .held_until
            .as_ref()
            .map_or(0, |u| u.later_statements);
        if later == 0 {
            continue;
        }
        match held.iter_mut().find(|(r, _, _)| **r == h.lock.relation) {
            Some(e) if h.lock.mode > e.1 => *e = (&h.lock.relation, h.lock.mode, h.statement),
            Some(_) => {}
            None => held.push((&h.lock.relation, h.lock.mode, h.statement)),
        }
    }
    let Some(&(_, _, anchor)) = held.iter().min_by_key(|(_, _, s)| *s) else {
        return;
    };
    let st = &statements[anchor];
    let Some(until) = &st.held_until else { return };
    held.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut parts: Vec<String> = Vec::new();
    for mode in held
        .iter()
        .map(|h| h.1)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .rev()
    {
        let rels: Vec<String> = held
            .iter()
            .filter(|h| h.1 == mode)
            .map(|(r, _, i)| format!("{r} (line {})", statements[*i].line))
            .collect();
        let shown = if rels.len() > 8 {
            format!("{}, … ({} tables)", rels[..8].join(", "), rels.len())
        } else {
            rels.join(", ")
        };
        parts.push(format!("{} on {shown}", mode.sql_name()));
    }
    let end = until.statement.unwrap_or(usize::MAX);
    let slow = until.first_later_statement.is_some_and(|first| {
        statements
            .from(first)
            .iter()
            .take_while(|s| s.index < end)
            .any(|s| s.rewrite || s.scan || changes_many_rows(s))
    });
    let other_revisions: Vec<&std::sync::Arc<str>> = until
        .revisions
        .iter()
        .filter(|r| Some(&***r) != st.revision.as_deref())
        .collect();
    let reads_blocked = held.iter().any(|h| h.1.blocks().reads);
    let severity = if reads_blocked && (slow || !other_revisions.is_empty()) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut msg = format!(
        "this transaction holds {} until {}; {} later statement(s) run meanwhile while {} wait",
        parts.join("; "),
        ends(end_line),
        until.later_statements,
        if reads_blocked {
            "reads and writes of those tables"
        } else {
            "writes to those tables"
        },
    );
    if !other_revisions.is_empty() {
        let names: Vec<&str> = other_revisions.iter().take(5).map(|s| &***s).collect();
        msg.push_str(&format!(
            ", across {} other revision(s) ({}{})",
            other_revisions.len(),
            names.join(", "),
            if other_revisions.len() > 5 {
                ", …"
            } else {
                ""
            }
        ));
    }
    if slow {
        msg.push_str("; some of them scan or rewrite tables or change many rows");
    }
    let mut v = Vars::new();
    v.insert("table", held[0].0.to_string());
    v.insert("lock", held[0].1.sql_name().to_string());
    out.push((
        anchor,
        draft_at(RuleId::LockHeldAcrossStatements, severity, msg, v),
    ));
}

/// missing-lock-timeout, once per block: the first statement that takes a read- or write-blocking
/// lock on an existing relation while no lock_timeout is in effect.
fn missing_lock_timeout(block: &Block, statements: &Window, out: &mut Vec<(usize, Draft)>) {
    let offenders: Vec<_> = block
        .held
        .iter()
        .filter(|h| h.lock.mode.is_dangerous() && statements[h.statement].lock_timeout.is_none())
        .filter(|h| queues_traffic(statements[h.statement].kind, &h.lock))
        .collect();
    let Some(first) = offenders.first() else {
        return;
    };
    let mut others: Vec<usize> = offenders
        .iter()
        .map(|h| h.statement)
        .filter(|&s| s != first.statement)
        .collect();
    others.dedup();
    let (mut msg, v) = lock_timeout_message(&first.lock);
    if !others.is_empty() {
        msg.push_str(&format!(
            "; {} more statement(s) in this transaction do the same",
            others.len()
        ));
    }
    out.push((first.statement, draft(RuleId::MissingLockTimeout, msg, v)));
}

/// unbatched-backfill: a whole-table UPDATE/DELETE inside a block; an error when the block also
/// holds DDL locks, which then last for the whole backfill.
fn backfills(block: &Block, statements: &Window, out: &mut Vec<(usize, Draft)>) {
    let ddl: Vec<_> = block
        .held
        .iter()
        .filter(|h| h.lock.mode.blocks().ddl && !statements[h.statement].kind.is_dml())
        .collect();
    for (i, verb, table) in &block.backfills {
        let mut v = table_vars(table);
        v.insert("verb", verb.to_string());
        let (severity, msg) = match ddl.iter().max_by_key(|h| h.lock.mode) {
            Some(h) => (
                Severity::Error,
                format!(
                    "{verb} of every row of {table} runs in the same transaction as DDL holding {} on {} (line {}): that lock is held for the whole backfill",
                    h.lock.mode.sql_name(),
                    h.lock.relation,
                    statements[h.statement].line
                ),
            ),
            None => (
                Severity::Warning,
                format!(
                    "{verb} of every row of {table} in one statement: row locks on the whole table until COMMIT, and bloat; batch it"
                ),
            ),
        };
        out.push((*i, draft_at(RuleId::UnbatchedBackfill, severity, msg, v)));
    }
}

/// enum-value-in-transaction: a value added by ALTER TYPE ... ADD VALUE cannot be used before COMMIT.
fn enum_values(block: &Block, statements: &Window, out: &mut Vec<(usize, Draft)>) {
    for (i, type_name, value) in &block.enum_values {
        let quoted = format!("'{}'", value.replace('\'', "''"));
        if let Some(user) = block
            .statements
            .iter()
            .filter(|&&s| s > *i)
            .find(|&&s| statements[s].sql.contains(&quoted))
        {
            let mut v = Vars::new();
            v.insert("type", type_name.clone());
            v.insert("value", value.replace('\'', "''"));
            out.push((
                *i,
                draft(
                    RuleId::EnumValueInTransaction,
                    format!(
                        "the enum value {quoted} added to {type_name} is used at line {} in the same transaction: PostgreSQL refuses it (\"unsafe use of new value\") until COMMIT",
                        statements[*user].line
                    ),
                    v,
                ),
            ));
        }
    }
}

/// Changes many rows: an UPDATE or DELETE of every row, or an INSERT … SELECT.
fn changes_many_rows(s: &crate::model::StatementReport) -> bool {
    use crate::model::StatementKind::Entry;
    matches!(s.kind, Entry(Key::Update | Key::Delete | Key::InsertSelect))
}

/// Whether a lock makes ordinary traffic queue behind it while it waits: plain DML takes the
/// locks ordinary traffic takes, and EXCLUSIVE on a materialized view (REFRESH … CONCURRENTLY)
/// only blocks other refreshes.
fn queues_traffic(kind: crate::model::StatementKind, lock: &LockClaim) -> bool {
    lock.mode.is_dangerous()
        && !kind.is_dml()
        && kind != crate::model::StatementKind::Entry(Key::RefreshMatviewConcurrently)
}

/// missing-lock-timeout's message and placeholders for `lock`.
fn lock_timeout_message(lock: &LockClaim) -> (String, Vars) {
    let msg = format!(
        "takes {} on {} (blocks {}) with no lock_timeout: while it waits for the lock, every query on {} queues behind it",
        lock.mode.sql_name(),
        lock.relation,
        lock.mode.blocks().describe(),
        lock.relation
    );
    let mut v = Vars::new();
    v.insert("table", lock.relation.to_string());
    v.insert("lock", lock.mode.sql_name().to_string());
    (msg, v)
}

/// missing-lock-timeout outside a block: the statement is its own transaction, judged at once.
fn missing_lock_timeout_autocommit(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    let s = ctx.session;
    if s.in_block() || s.lock_timeout().is_some() {
        return;
    }
    let kind = crate::classify::kind(ctx.op, ctx.classified, ctx.unknown.is_some());
    let lock = ctx
        .locks
        .iter()
        .filter(|l| queues_traffic(kind, l) && !s.is_new(&l.relation))
        .max_by_key(|l| l.mode);
    if let Some(l) = lock {
        let (msg, v) = lock_timeout_message(l);
        out.push(draft(RuleId::MissingLockTimeout, msg, v));
    }
}

/// enum-value-in-transaction, at once: the knowledge base says ALTER TYPE … ADD VALUE cannot run
/// in a transaction block on the target version.
fn enum_value_outside_transaction(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    let Op::AlterEnum {
        add_value: Some(value),
        type_name,
        ..
    } = ctx.op
    else {
        return;
    };
    if ctx.session.in_block()
        && kb::entry(Key::AlterEnumAddValue).outside_transaction(ctx.version())
    {
        out.push(draft(
            RuleId::EnumValueInTransaction,
            format!("ALTER TYPE {type_name} ADD VALUE cannot run inside a transaction block on PostgreSQL {}: the migration fails", ctx.version()),
            Vars::from([("type", type_name.clone()), ("value", value.replace('\'', "''"))]),
        ));
    }
}

/// unbatched-backfill outside a block: a whole-table UPDATE/DELETE of an existing table.
fn backfill_autocommit(ctx: &StmtCtx, op: &Op, out: &mut Vec<Draft>) {
    match op {
        Op::Update {
            table,
            whole_table: true,
        }
        | Op::Delete {
            table,
            whole_table: true,
        } if ctx.existing(table) && !ctx.session.in_block() => {
            let verb = if matches!(op, Op::Update { .. }) {
                "UPDATE"
            } else {
                "DELETE"
            };
            let mut v = table_vars(table);
            v.insert("verb", verb.into());
            out.push(draft(
                RuleId::UnbatchedBackfill,
                format!("{verb} of every row of {table} in one statement: row locks on the whole table, a long transaction, and bloat; batch it"),
                v,
            ));
        }
        _ => {}
    }
}
