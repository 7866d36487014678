//! Transaction rules: judged when a block ends, from the locks it held and what ran meanwhile.

use super::{Draft, Vars, draft, id};
use crate::locks::LockMode;
use crate::model::Severity;
use crate::session::{Block, Window};

fn ends(end_line: Option<usize>) -> String {
    match end_line {
        Some(l) => format!("COMMIT at line {l}"),
        None => "the end of the input (the transaction is never committed)".to_string(),
    }
}

pub fn check(block: &Block, statements: &Window, end_line: Option<usize>) -> Vec<(usize, Draft)> {
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
    let mut held: Vec<(&str, LockMode, usize)> = Vec::new();
    for h in block.held.iter().filter(|h| h.lock.mode.is_dangerous()) {
        let later = statements[h.statement]
            .held_until
            .as_ref()
            .map_or(0, |u| u.later_statements);
        if later == 0 {
            continue;
        }
        match held.iter_mut().find(|(r, _, _)| **r == *h.lock.relation) {
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
            .any(|s| s.rewrite || s.scan || matches!(s.kind, "update" | "delete" | "insert.select"))
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
        draft(id::LOCK_HELD_ACROSS_STATEMENTS, severity, msg, v),
    ));
}

/// missing-lock-timeout, once per block: the first statement that takes a read- or write-blocking
/// lock on an existing relation while no lock_timeout is in effect.
fn missing_lock_timeout(block: &Block, statements: &Window, out: &mut Vec<(usize, Draft)>) {
    let offenders: Vec<_> = block
        .held
        .iter()
        .filter(|h| h.lock.mode.is_dangerous() && statements[h.statement].lock_timeout.is_none())
        .filter(|h| {
            !matches!(
                statements[h.statement].kind,
                "insert"
                    | "insert.select"
                    | "update"
                    | "delete"
                    | "select"
                    | "refresh_matview.concurrently"
            )
        })
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
    let mut msg = format!(
        "takes {} on {} (blocks {}) with no lock_timeout: while it waits for the lock, every query on {} queues behind it",
        first.lock.mode.sql_name(),
        first.lock.relation,
        first.lock.mode.blocks().describe(),
        first.lock.relation
    );
    if !others.is_empty() {
        msg.push_str(&format!(
            "; {} more statement(s) in this transaction do the same",
            others.len()
        ));
    }
    let mut v = Vars::new();
    v.insert("table", first.lock.relation.to_string());
    v.insert("lock", first.lock.mode.sql_name().to_string());
    out.push((
        first.statement,
        draft(id::MISSING_LOCK_TIMEOUT, Severity::Warning, msg, v),
    ));
}

/// unbatched-backfill: a whole-table UPDATE/DELETE inside a block; an error when the block also
/// holds DDL locks, which then last for the whole backfill.
fn backfills(block: &Block, statements: &Window, out: &mut Vec<(usize, Draft)>) {
    let ddl: Vec<_> = block
        .held
        .iter()
        .filter(|h| {
            h.lock.mode > LockMode::RowExclusiveLock
                && !matches!(
                    statements[h.statement].kind,
                    "update" | "delete" | "insert" | "insert.select" | "select"
                )
        })
        .collect();
    for (i, verb, table) in &block.backfills {
        let mut v = Vars::new();
        v.insert("table", table.to_string());
        v.insert("table_name", table.name.clone());
        v.insert(
            "schema_kw",
            table
                .schema
                .as_ref()
                .map_or(String::new(), |s| format!(", schema=\"{s}\"")),
        );
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
        out.push((*i, draft(id::UNBATCHED_BACKFILL, severity, msg, v)));
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
                    id::ENUM_VALUE_IN_TRANSACTION,
                    Severity::Error,
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
