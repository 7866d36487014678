//! Transaction rules: what a lock costs given the transaction around it. Each rule keeps both
//! halves here: the per-statement half (autocommit statements, failures known at once) and the
//! half judged when a block ends, from the locks it held and what ran meanwhile.

use super::{Draft, StmtCtx, draft, draft_at, table_vars};
use crate::facts::{Op, QName};
use crate::kb::{self, Key};
use crate::locks::LockMode;
use crate::model::LockClaim;
use crate::registry::{RuleId, Severity};
use crate::session::{Block, Settled, Slow};
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
    for (op, _) in ctx.ops() {
        backfill_autocommit(ctx, op, out);
    }
}

/// The per-statement halves that depend on the statement's other findings (`out`).
pub fn after_statement(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    if !out.iter().any(|d| d.severity == Severity::Error) {
        missing_lock_timeout_autocommit(ctx, out);
    }
}

/// The halves judged when a block ends. `has_error`: the statement already has an error finding.
pub fn at_end(
    block: &Block,
    settled: &Settled,
    end_line: Option<usize>,
    has_error: &dyn Fn(usize) -> bool,
) -> Vec<(usize, Draft)> {
    let mut out = Vec::new();
    held_across(block, settled, end_line, &mut out);
    backfills(block, &mut out);
    enum_values(block, &mut out);
    let errors: Vec<usize> = out
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .map(|(i, _)| *i)
        .collect();
    missing_lock_timeout(block, &|i| has_error(i) || errors.contains(&i), &mut out);
    out
}

/// Statements named in a message, by their lines: "line 5", "lines 5, 9 and 12",
/// "lines 5, 9, … (14 statements)".
fn lines(lines: &[usize]) -> String {
    let ls: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match ls.len() {
        0 => String::new(),
        1 => format!("line {}", ls[0]),
        n if n <= 6 => format!("lines {} and {}", ls[..n - 1].join(", "), ls[n - 1]),
        n => format!("lines {}, … ({n} statements)", ls[..5].join(", ")),
    }
}

/// What a slow statement does, in a few words.
fn slow_work(s: &Slow) -> &'static str {
    if s.rewrite {
        "rewrites a table"
    } else if s.scan {
        "scans or builds an index"
    } else {
        "changes many rows"
    }
}

/// lock-held-across-statements, once per block. A brief lock that blocks reads or writes of an
/// existing table becomes a long one when a slow statement (rewrite, scan, index build,
/// backfill of an existing table) runs after it in the same transaction: the lock lasts until
/// COMMIT, so traffic on that table waits for the slow work too. An error then, unless the slow
/// statement takes as strong a lock on that table itself (nothing waits longer than it would
/// anyway). Without slow work, a hold across other revisions (one transaction for the whole
/// upgrade) is a warning about the layout; a brief hold inside one revision is not reported.
fn held_across(
    block: &Block,
    settled: &Settled,
    end_line: Option<usize>,
    out: &mut Vec<(usize, Draft)>,
) {
    let slow = &block.slow;
    let slow_at = |i: usize| &slow[slow.partition_point(|s| s.statement < i)];
    // Locks extended by slow work: (relation, mode, statement that took it, its line, first slow
    // one after), one per lock taken, so every statement whose lock is extended is named.
    let mut extended: Vec<(&QName, LockMode, usize, usize, usize)> = Vec::new();
    for h in block.held.iter().filter(|h| h.lock.mode.is_dangerous()) {
        let after = slow.partition_point(|t| t.statement <= h.statement);
        let by = slow[after..].iter().find(|t| {
            !t.locks
                .iter()
                .any(|l| l.relation == h.lock.relation && l.mode >= h.lock.mode)
        });
        if let Some(t) = by {
            extended.push((
                &h.lock.relation,
                h.lock.mode,
                h.statement,
                h.line,
                t.statement,
            ));
        }
    }
    if let Some(anchor) = extended.iter().map(|e| e.2).min() {
        let mut takers: Vec<usize> = extended.iter().map(|e| e.2).collect();
        takers.sort_unstable();
        takers.dedup();
        let first_slow = extended.iter().map(|e| e.4).min().expect("one extended");
        let all_slow: &[Slow] = &slow[slow.partition_point(|t| t.statement <= anchor)..];
        let all_lines: Vec<usize> = all_slow.iter().map(|t| t.line).collect();
        // Per relation, the strongest lock and the first statement that took it.
        let mut per_relation: Vec<(&QName, LockMode, usize, usize, usize)> = Vec::new();
        for e in &extended {
            match per_relation.iter_mut().find(|p| p.0 == e.0) {
                Some(p) if e.1 > p.1 => *p = *e,
                Some(_) => {}
                None => per_relation.push(*e),
            }
        }
        let modes = describe_holds(
            &per_relation
                .iter()
                .map(|p| (p.0, p.1, p.3))
                .collect::<Vec<_>>(),
        );
        let reads = extended.iter().any(|e| e.1.blocks().reads);
        let first = slow_at(first_slow);
        let waiting = if reads { "reads and writes" } else { "writes" };
        let msg = if all_slow.len() == 1 {
            format!(
                "this transaction holds {modes} until {}, while the statement at line {} {}: {waiting} of those tables wait for it too",
                ends(end_line),
                first.line,
                slow_work(first),
            )
        } else {
            format!(
                "this transaction holds {modes} until {}, while {} slow statements run after them ({}; the first, at line {}, {}): {waiting} of those tables wait for them too",
                ends(end_line),
                all_slow.len(),
                lines(&all_lines),
                first.line,
                slow_work(first),
            )
        };
        // Slow work of other revisions in the same transaction: the layout is the cause.
        let own = block
            .held
            .iter()
            .find(|h| h.statement == anchor)
            .and_then(|h| h.revision.as_deref());
        let mut msg = msg;
        let others: Vec<&str> = all_slow
            .iter()
            .filter_map(|s| s.revision.as_deref())
            .filter(|r| Some(*r) != own)
            .collect();
        if !others.is_empty() {
            msg.push_str(&format!(
                "; slow work of other revisions ({}) runs in the same transaction: the whole upgrade is one transaction (Alembic's default), `transaction_per_migration=True` in env.py gives each migration its own",
                others[0]
            ));
        }
        let (table, mode) = (extended[0].0, extended[0].1);
        let mut v = Vars::new();
        v.insert("table", table.to_string());
        v.insert("lock", mode.sql_name().to_string());
        let mut d = draft_at(RuleId::LockHeldAcrossStatements, Severity::Error, msg, v);
        d.related = takers.into_iter().filter(|&s| s != anchor).collect();
        out.push((anchor, d));
        return;
    }
    // No slow work: only a hold across other revisions is worth a word (the layout).
    let mut held: Vec<(&QName, LockMode, usize, usize)> = Vec::new();
    let mut anchor_revision = None;
    for h in block.held.iter().filter(|h| h.lock.mode.is_dangerous()) {
        let Some(until) = settled.get(&h.statement) else {
            continue;
        };
        let own = h.revision.as_deref();
        if !until.revisions.iter().any(|r| Some(&**r) != own) {
            continue;
        }
        if !held.iter().any(|e| *e.0 == h.lock.relation) {
            if held.iter().all(|e| e.2 > h.statement) {
                anchor_revision = h.revision.as_deref();
            }
            held.push((&h.lock.relation, h.lock.mode, h.statement, h.line));
        }
    }
    let Some(&(_, _, anchor, _)) = held.iter().min_by_key(|(_, _, s, _)| *s) else {
        return;
    };
    let Some(until) = settled.get(&anchor) else {
        return;
    };
    let other: Vec<&str> = until
        .revisions
        .iter()
        .map(|r| &**r)
        .filter(|r| Some(*r) != anchor_revision)
        .collect();
    let named: Vec<&str> = other.iter().take(5).copied().collect();
    let modes = describe_holds(
        &held
            .iter()
            .map(|(r, m, _, line)| (*r, *m, *line))
            .collect::<Vec<_>>(),
    );
    let msg = format!(
        "this transaction holds {modes} until {}, across {} other revision(s) ({}{}): the whole upgrade runs in one transaction, so every lock lasts until its end",
        ends(end_line),
        other.len(),
        named.join(", "),
        if other.len() > 5 { ", …" } else { "" },
    );
    let mut v = Vars::new();
    v.insert("table", held[0].0.to_string());
    v.insert("lock", held[0].1.sql_name().to_string());
    let mut d = draft_at(RuleId::LockHeldAcrossStatements, Severity::Warning, msg, v);
    d.related = held.iter().map(|h| h.2).filter(|&s| s != anchor).collect();
    d.related.sort_unstable();
    d.related.dedup();
    out.push((anchor, d));
}

/// "ACCESS EXCLUSIVE on a (line 3), b (line 7); SHARE on c (line 9)", strongest first, from
/// (relation, mode, line of the statement that took it).
fn describe_holds(holds: &[(&QName, LockMode, usize)]) -> String {
    let mut modes: Vec<LockMode> = holds.iter().map(|h| h.1).collect();
    modes.sort_unstable_by(|a, b| b.cmp(a));
    modes.dedup();
    modes
        .into_iter()
        .map(|mode| {
            let rels: Vec<String> = holds
                .iter()
                .filter(|h| h.1 == mode)
                .map(|h| format!("{} (line {})", h.0, h.2))
                .collect();
            let shown = if rels.len() > 8 {
                format!("{}, … ({} tables)", rels[..8].join(", "), rels.len())
            } else {
                rels.join(", ")
            };
            format!("{} on {shown}", mode.sql_name())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// missing-lock-timeout, once per block: the first statement that takes a lock ordinary traffic
/// queues behind on an existing relation with no lock_timeout in force, naming the others; never
/// on a statement that already has an error (its recipe sets the timeout).
fn missing_lock_timeout(
    block: &Block,
    has_error: &dyn Fn(usize) -> bool,
    out: &mut Vec<(usize, Draft)>,
) {
    // (statement, its line, its strongest such lock), in order.
    let mut offenders: Vec<(usize, usize, &LockClaim)> = Vec::new();
    for h in &block.held {
        if !h.lock_timeout && queues_traffic(h.kind, &h.lock) && !has_error(h.statement) {
            match offenders.last_mut() {
                Some(o) if o.0 == h.statement => {
                    if h.lock.mode > o.2.mode {
                        o.2 = &h.lock;
                    }
                }
                _ => offenders.push((h.statement, h.line, &h.lock)),
            }
        }
    }
    let Some(&(first, _, lock)) = offenders.first() else {
        return;
    };
    let others: Vec<usize> = offenders.iter().skip(1).map(|o| o.0).collect();
    let other_lines: Vec<usize> = offenders.iter().skip(1).map(|o| o.1).collect();
    let (mut msg, v) = lock_timeout_message(lock);
    if !others.is_empty() {
        msg.push_str(&format!(
            "; {} more statement(s) of this transaction do the same ({})",
            others.len(),
            lines(&other_lines)
        ));
    }
    let mut d = draft(RuleId::MissingLockTimeout, msg, v);
    d.related = others;
    out.push((first, d));
}

/// unbatched-backfill in a block: the migration's transaction keeps the row locks of the whole
/// backfill until COMMIT, and every lock taken before it in the transaction lasts through it.
fn backfills(block: &Block, out: &mut Vec<(usize, Draft)>) {
    for (i, verb, table) in &block.backfills {
        let mut v = table_vars(table);
        v.insert("verb", verb.to_string());
        let before = block
            .held
            .iter()
            .filter(|h| h.statement < *i && h.lock.mode.is_dangerous() && !h.kind.is_dml())
            .max_by_key(|h| h.lock.mode);
        let msg = match before {
            Some(h) => format!(
                "{verb} of {table} changes a share of its rows that grows with the table, in the migration's transaction: its row locks last until COMMIT, and so does {} on {} taken at line {}, for the whole backfill",
                h.lock.mode.sql_name(),
                h.lock.relation,
                h.line
            ),
            None => format!(
                "{verb} of {table} changes a share of its rows that grows with the table, in the migration's transaction: writes to those rows wait until COMMIT, and the table bloats; batch it"
            ),
        };
        out.push((
            *i,
            draft_at(RuleId::UnbatchedBackfill, Severity::Error, msg, v),
        ));
    }
}

/// enum-value-in-transaction: a value added by ALTER TYPE ... ADD VALUE cannot be used before COMMIT.
fn enum_values(block: &Block, out: &mut Vec<(usize, Draft)>) {
    for e in &block.enum_values {
        let Some(line) = e.used_at else { continue };
        let value = e.value.replace('\'', "''");
        let mut v = Vars::new();
        v.insert("type", e.type_name.clone());
        v.insert("value", value.clone());
        out.push((
            e.statement,
            draft(
                RuleId::EnumValueInTransaction,
                format!(
                    "the enum value '{value}' added to {} is used at line {line} in the same transaction: PostgreSQL refuses it (\"unsafe use of new value\") until COMMIT",
                    e.type_name
                ),
                v,
            ),
        ));
    }
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
    let queue = if lock.mode.blocks().reads {
        format!("every query on {} queues behind it", lock.relation)
    } else {
        format!(
            "every write to {} queues behind it (reads go on)",
            lock.relation
        )
    };
    let msg = format!(
        "takes {} on {} (blocks {}) with no lock_timeout: while it waits for the lock, {queue}",
        lock.mode.sql_name(),
        lock.relation,
        lock.mode.blocks().describe(),
    );
    let mut v = Vars::new();
    v.insert("table", lock.relation.to_string());
    v.insert("lock", lock.mode.sql_name().to_string());
    (msg, v)
}

/// missing-lock-timeout outside a block: the statement is its own transaction, judged at once;
/// once per autocommit stretch (until a BEGIN or a SET lock_timeout), at its first offender.
fn missing_lock_timeout_autocommit(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    let s = ctx.session;
    if s.in_block() || s.lock_timeout().is_some() || s.lock_timeout_reported() {
        return;
    }
    let kind = crate::classify::kind(ctx.op, ctx.classified, ctx.unknown.is_some());
    let lock = ctx
        .locks
        .iter()
        .filter(|l| queues_traffic(kind, l) && !s.is_new(&l.relation))
        .max_by_key(|l| l.mode);
    if let Some(l) = lock {
        let (mut msg, v) = lock_timeout_message(l);
        msg.push_str("; later statements outside a transaction block are not reported again until lock_timeout is set");
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

/// unbatched-backfill outside a block: a backfill of an existing table, in one statement.
fn backfill_autocommit(ctx: &StmtCtx, op: &Op, out: &mut Vec<Draft>) {
    if ctx.session.in_block() {
        return;
    }
    if let Some((verb, table)) = ctx.session.backfill(op) {
        let mut v = table_vars(&table);
        v.insert("verb", verb.into());
        out.push(draft_at(
            RuleId::UnbatchedBackfill,
            Severity::Warning,
            format!("{verb} of {table} changes a share of its rows that grows with the table, in one statement: row locks on all of them, a long transaction, and bloat; batch it"),
            v,
        ));
    }
}
