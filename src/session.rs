//! The one transaction state machine: transaction blocks, savepoints, SET [LOCAL] timeouts, the
//! schema learned so far, and the locks held until COMMIT. Rules read it; only `Session::step` changes it.

use crate::catalog::Catalog;
use crate::classify::Classified;
use crate::facts::{Op, QName, Tx};
use crate::model::{HeldUntil, LockClaim, StatementKind, StatementReport};
use crate::script::History;
use std::collections::HashSet;
use std::sync::Arc;

/// A lock taken in the open transaction on a relation that existed before it, with what the
/// transaction's end needs to know of the statement that took it.
#[derive(Clone, Debug)]
pub struct Held {
    pub statement: usize,
    pub lock: LockClaim,
    pub line: usize,
    pub revision: Option<Arc<str>>,
    pub kind: StatementKind,
    /// `lock_timeout` was set when the statement ran.
    pub lock_timeout: bool,
    /// Work statements of the block up to and including this one.
    work_through: usize,
    /// The first work statement after this one, once seen.
    next_work: Option<usize>,
}

/// A statement of the block that runs for a time that grows with an existing table.
#[derive(Clone, Debug)]
pub struct Slow {
    pub statement: usize,
    pub line: usize,
    pub revision: Option<Arc<str>>,
    pub rewrite: bool,
    pub scan: bool,
    pub locks: Vec<LockClaim>,
}

/// `ALTER TYPE … ADD VALUE` in a block, and the line of the first later statement of the block
/// that uses the new value.
#[derive(Clone, Debug)]
pub struct EnumValue {
    pub statement: usize,
    pub type_name: String,
    pub value: String,
    /// The value as a literal (`'v'`), as a later statement would write it.
    quoted: String,
    pub used_at: Option<usize>,
}

#[derive(Clone, Debug)]
struct Savepoint {
    name: String,
    catalog_mark: crate::catalog::Mark,
    held: usize,
    local_lock_timeout: Option<Option<String>>,
    local_statement_timeout: Option<Option<String>>,
    /// `Session::utc` and the block's `local_utc` when the savepoint was set (ROLLBACK TO
    /// restores them).
    session_utc: bool,
    local_utc: Option<bool>,
}

/// An explicit transaction block (BEGIN … COMMIT/ROLLBACK).
#[derive(Clone, Debug)]
pub struct Block {
    pub id: u64,
    pub begin_statement: usize,
    /// Work statements run inside the block so far (not transaction control, SET or Alembic
    /// bookkeeping), and the runs of equal revisions among them: (position, revision).
    work: usize,
    runs: Vec<(usize, Option<Arc<str>>)>,
    pub held: Vec<Held>,
    /// `held[awaiting..]` wait for the next work statement.
    awaiting: usize,
    pub slow: Vec<Slow>,
    savepoints: Vec<Savepoint>,
    /// Backfills of existing tables (`Session::backfill`): (statement, verb, table).
    pub backfills: Vec<(usize, &'static str, QName)>,
    pub enum_values: Vec<EnumValue>,
    /// `SET LOCAL` values: Some(None) means reset to the session value for this block.
    local_lock_timeout: Option<Option<String>>,
    local_statement_timeout: Option<Option<String>>,
    /// `Session::utc` at BEGIN: a ROLLBACK undoes a SET TimeZone made in the block.
    session_utc: bool,
    /// `SET LOCAL TimeZone` in this block: whether that zone is UTC (until COMMIT/ROLLBACK).
    local_utc: Option<bool>,
}

/// The session state every rule reads.
pub struct Session {
    pub version: u32,
    pub catalog: Catalog,
    pub block: Option<Block>,
    lock_timeout: Option<String>,
    statement_timeout: Option<String>,
    next_tx: u64,
    /// The current Alembic revision and the columns it has dropped (table key, column).
    revision: Option<Arc<str>>,
    revision_drops: HashSet<(String, String)>,
    /// Revisions already applied in production (`--since`), and whether the current one is.
    history: Arc<History>,
    in_history: bool,
    /// missing-lock-timeout was reported in the current autocommit stretch.
    lock_timeout_reported: bool,
    /// The session-level TimeZone (`SET TimeZone`) is at UTC offset 0; `Catalog::session_utc`
    /// is the zone in effect, a `SET LOCAL` of the open block included.
    utc: bool,
}

/// A TimeZone at UTC offset 0 all year, as `SET TimeZone` may name it (case does not matter).
fn utc_zone(zone: &str) -> bool {
    let zone = zone.trim().to_ascii_lowercase();
    let zone = zone.strip_prefix("etc/").unwrap_or(&zone);
    matches!(
        zone,
        "utc" | "uct" | "gmt" | "gmt0" | "gmt+0" | "gmt-0" | "zulu" | "universal" | "greenwich"
    )
}

fn timeout_set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| {
        let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse::<u64>().map_or(true, |n| n > 0)
    })
}

impl Session {
    pub fn new(version: u32, history: Arc<History>) -> Session {
        Session {
            in_history: history.is_active(),
            history,
            lock_timeout_reported: false,
            version,
            catalog: Catalog::default(),
            block: None,
            lock_timeout: None,
            statement_timeout: None,
            next_tx: 1,
            revision: None,
            revision_drops: HashSet::new(),
            utc: false,
        }
    }

    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    pub fn open_tx(&self) -> Option<u64> {
        self.block.as_ref().map(|b| b.id)
    }

    /// `lock_timeout` in effect (SET LOCAL beats SET), if it is set to something other than 0.
    pub fn lock_timeout(&self) -> Option<&str> {
        let v = match self
            .block
            .as_ref()
            .and_then(|b| b.local_lock_timeout.as_ref())
        {
            Some(local) => local,
            None => &self.lock_timeout,
        };
        if timeout_set(v) { v.as_deref() } else { None }
    }

    pub fn statement_timeout(&self) -> Option<&str> {
        let v = match self
            .block
            .as_ref()
            .and_then(|b| b.local_statement_timeout.as_ref())
        {
            Some(local) => local,
            None => &self.statement_timeout,
        };
        if timeout_set(v) { v.as_deref() } else { None }
    }

    /// Created in the still-open transaction: invisible to other sessions, so locks on it harm no one.
    pub fn is_new(&self, name: &QName) -> bool {
        self.catalog.is_new(name)
    }

    /// The current revision already dropped `table.column` (autogenerate's rename as drop + add).
    pub fn dropped_in_revision(&self, table: &QName, column: &str) -> bool {
        self.revision_drops
            .contains(&(table.key(), column.to_string()))
    }

    /// Statements from here on belong to revision `id`.
    pub fn enter_revision(&mut self, id: &Arc<str>) {
        self.in_history = self.history.contains(id);
        if self.revision.as_deref() != Some(&**id) {
            self.revision_drops.clear();
            self.revision = Some(id.clone());
        }
    }

    /// A change of an unbounded share of an existing table's rows: every row, or the rows a
    /// filter picks that may be most of the table (a WHERE pinning a key column is bounded),
    /// or rows copied in from a query. Its time, row locks and WAL grow with the table.
    pub fn backfill(&self, op: &Op) -> Option<(&'static str, QName)> {
        let (verb, table, rows) = match op {
            Op::Update { table, rows, .. } => ("UPDATE", table, Some(rows)),
            Op::Delete { table, rows, .. } => ("DELETE", table, Some(rows)),
            Op::Insert { table, sources, .. } if !sources.is_empty() => {
                ("INSERT … SELECT", table, None)
            }
            Op::Merge { table, .. } => ("MERGE", table, None),
            _ => return None,
        };
        if self.is_new(table) {
            return None;
        }
        let known = self.catalog.table(table);
        let unbounded = rows.is_none_or(|r| r.unbounded(|c| known.is_some_and(|t| t.is_key(c))));
        unbounded.then(|| (verb, table.clone()))
    }

    /// missing-lock-timeout was already reported in this autocommit stretch.
    pub fn lock_timeout_reported(&self) -> bool {
        self.lock_timeout_reported
    }

    /// The analyzer placed missing-lock-timeout on a statement outside a block.
    pub fn note_lock_timeout_reported(&mut self) {
        self.lock_timeout_reported = true;
    }

    /// The current statement belongs to a revision already applied in production (`--since`).
    pub fn in_history(&self) -> bool {
        self.in_history
    }

    /// Learns the schema from a statement of a history revision: applied and committed in
    /// production, so what it creates exists there (it is not new) and it holds no lock.
    pub fn learn(&mut self, ops: &[&Op]) {
        for op in ops {
            self.catalog.apply(op, false);
        }
        if self.block.is_none() {
            self.catalog.commit();
        }
    }

    pub fn revision_id(&self) -> Option<Arc<str>> {
        self.revision.clone()
    }

    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// `Catalog::session_utc`, which classification reads: the block's SET LOCAL TimeZone, else
    /// the session's.
    fn sync_utc(&mut self) {
        self.catalog.session_utc = self
            .block
            .as_ref()
            .and_then(|b| b.local_utc)
            .unwrap_or(self.utc);
    }

    fn set(&mut self, name: &str, value: Option<String>, local: bool) {
        if name == "lock_timeout" {
            self.lock_timeout_reported = false;
        }
        let value = value.filter(|v| !v.eq_ignore_ascii_case("default"));
        if name == "timezone" {
            let utc = value.as_deref().is_some_and(utc_zone);
            match (local, self.block.as_mut()) {
                (true, Some(b)) => b.local_utc = Some(utc),
                // SET LOCAL outside a block has no effect.
                (true, None) => {}
                (false, b) => {
                    if let Some(b) = b {
                        b.local_utc = None;
                    }
                    self.utc = utc;
                }
            }
            self.sync_utc();
        }
        let block = self.block.as_mut();
        match (name, local, block) {
            ("lock_timeout", true, Some(b)) => b.local_lock_timeout = Some(value),
            ("statement_timeout", true, Some(b)) => b.local_statement_timeout = Some(value),
            // SET LOCAL outside a block has no effect (PostgreSQL warns and ignores it).
            (_, true, None) => {}
            ("lock_timeout", false, b) => {
                if let Some(b) = b {
                    b.local_lock_timeout = None;
                }
                self.lock_timeout = value;
            }
            ("statement_timeout", false, b) => {
                if let Some(b) = b {
                    b.local_statement_timeout = None;
                }
                self.statement_timeout = value;
            }
            _ => {}
        }
    }
}

/// A transaction block that has ended, and the COMMIT/ROLLBACK that ended it (statement index
/// and line; None: the input ended with the block open).
pub struct Ended {
    pub block: Block,
    pub end: Option<(usize, usize)>,
}

impl Block {
    fn new(id: u64, begin_statement: usize, session_utc: bool) -> Block {
        Block {
            id,
            begin_statement,
            work: 0,
            runs: Vec::new(),
            held: Vec::new(),
            awaiting: 0,
            slow: Vec::new(),
            savepoints: Vec::new(),
            backfills: Vec::new(),
            enum_values: Vec::new(),
            local_lock_timeout: None,
            local_statement_timeout: None,
            session_utc,
            local_utc: None,
        }
    }

    /// A statement runs in the block (BEGIN excluded): counts it, and notes what the block's end
    /// needs from it (work done after each lock, uses of new enum values).
    pub fn run(&mut self, st: &StatementReport) {
        for e in self.enum_values.iter_mut().filter(|e| e.used_at.is_none()) {
            if e.statement < st.index && st.sql.contains(&e.quoted) {
                e.used_at = Some(st.line);
            }
        }
        if !st.kind.is_work() {
            return;
        }
        for h in &mut self.held[self.awaiting..] {
            h.next_work = Some(st.index);
        }
        self.awaiting = self.held.len();
        if self.runs.last().is_none_or(|(_, r)| *r != st.revision) {
            self.runs.push((self.work, st.revision.clone()));
        }
        self.work += 1;
    }
}

impl Session {
    /// The block still open at the end of the input, if any.
    pub fn finish(&mut self) -> Option<Ended> {
        self.block.take().map(|block| Ended { block, end: None })
    }
}

/// Applies a parsed statement to the session: transaction control, settings, locks held, schema.
pub fn step(
    session: &mut Session,
    op: &Op,
    inner: &[(Op, Classified)],
    st: &mut StatementReport,
) -> Option<Ended> {
    let (index, line) = (st.index, st.line);
    match op {
        Op::Transaction { kind, savepoint } => {
            match kind {
                Tx::Begin => {
                    session.lock_timeout_reported = false;
                    if session.block.is_none() {
                        session.block = Some(Block::new(session.next_tx, index, session.utc));
                        session.next_tx += 1;
                    }
                    // BEGIN inside a block only warns in PostgreSQL; nothing changes.
                }
                Tx::Commit | Tx::Prepare => {
                    let ended = session.block.take().map(|block| Ended {
                        block,
                        end: Some((index, line)),
                    });
                    session.catalog.commit();
                    session.sync_utc();
                    return ended;
                }
                Tx::Rollback => {
                    let ended = session.block.take().map(|block| Ended {
                        block,
                        end: Some((index, line)),
                    });
                    if let Some(e) = &ended {
                        session.utc = e.block.session_utc;
                    }
                    session.sync_utc();
                    session.catalog.rollback();
                    return ended;
                }
                Tx::Savepoint => {
                    let mark = session.catalog.mark();
                    let session_utc = session.utc;
                    if let Some(b) = session.block.as_mut() {
                        b.savepoints.push(Savepoint {
                            session_utc,
                            local_utc: b.local_utc,
                            name: savepoint.clone().unwrap_or_default(),
                            catalog_mark: mark,
                            held: b.held.len(),
                            local_lock_timeout: b.local_lock_timeout.clone(),
                            local_statement_timeout: b.local_statement_timeout.clone(),
                        });
                        b.run(st);
                    }
                }
                Tx::Release => {
                    if let Some(b) = session.block.as_mut() {
                        if let Some(pos) = b
                            .savepoints
                            .iter()
                            .rposition(|s| Some(&s.name) == savepoint.as_ref())
                        {
                            b.savepoints.truncate(pos);
                        }
                        b.run(st);
                    }
                }
                Tx::RollbackTo => {
                    let mut mark = None;
                    let mut session_utc = None;
                    if let Some(b) = session.block.as_mut() {
                        if let Some(pos) = b
                            .savepoints
                            .iter()
                            .rposition(|s| Some(&s.name) == savepoint.as_ref())
                        {
                            let sp = b.savepoints[pos].clone();
                            b.savepoints.truncate(pos + 1);
                            // Locks taken after the savepoint are released by ROLLBACK TO.
                            b.held.truncate(sp.held);
                            b.awaiting = b.awaiting.min(b.held.len());
                            b.local_lock_timeout = sp.local_lock_timeout;
                            b.local_statement_timeout = sp.local_statement_timeout;
                            b.local_utc = sp.local_utc;
                            mark = Some(sp.catalog_mark);
                            session_utc = Some(sp.session_utc);
                        }
                        b.run(st);
                    }
                    if let Some(m) = mark {
                        session.catalog.rollback_to(m);
                    }
                    if let Some(utc) = session_utc {
                        session.utc = utc;
                        session.sync_utc();
                    }
                }
                Tx::Other => {}
            }
            return None;
        }
        Op::Set { name, value, local } => session.set(name, value.clone(), *local),
        _ => {}
    }
    // Locks on relations that existed before the transaction are the ones others wait for.
    let held: Vec<Held> = st
        .locks
        .iter()
        .filter(|l| !session.is_new(&l.relation))
        .map(|l| Held {
            statement: index,
            lock: l.clone(),
            line,
            revision: st.revision.clone(),
            kind: st.kind,
            lock_timeout: st.lock_timeout.is_some(),
            work_through: 0,
            next_work: None,
        })
        .collect();
    let ops = std::iter::once(op).chain(inner.iter().map(|(o, _)| o));
    for o in ops {
        if let Some((verb, table)) = session.backfill(o)
            && let Some(b) = session.block.as_mut()
        {
            b.backfills.push((index, verb, table));
        }
        if let Op::AlterEnum {
            type_name,
            add_value: Some(v),
            ..
        } = o
            && let Some(b) = session.block.as_mut()
        {
            b.enum_values.push(EnumValue {
                statement: index,
                type_name: type_name.clone(),
                value: v.clone(),
                quoted: format!("'{}'", v.replace('\'', "''")),
                used_at: None,
            });
        }
        if let Op::AlterTable { table, cmds, .. } = o {
            for c in cmds {
                if let crate::facts::AlterCmd::DropColumn { column, .. } = c {
                    session.revision_drops.insert((table.key(), column.clone()));
                }
            }
        }
        session.catalog.apply(o, true);
    }
    match session.block.as_mut() {
        Some(b) => {
            b.run(st);
            let work_through = b.work;
            b.held
                .extend(held.into_iter().map(|h| Held { work_through, ..h }));
            if st.slow {
                b.slow.push(Slow {
                    statement: index,
                    line,
                    revision: st.revision.clone(),
                    rewrite: st.rewrite,
                    scan: st.scan,
                    locks: st.locks.clone(),
                });
            }
        }
        None => {
            // Autocommit: the statement is its own transaction.
            session.catalog.commit();
            if st.locks.iter().any(|l| l.mode.is_dangerous()) {
                st.held_until = Some(Box::new(HeldUntil {
                    line: Some(line),
                    statement: Some(index),
                    later_statements: 0,
                    first_later_statement: None,
                    revisions: Arc::from([]),
                    revision_count: 0,
                }));
            }
        }
    }
    None
}

/// How long each statement of an ended block holds its blocking lock, by statement index.
pub type Settled = std::collections::HashMap<usize, Box<HeldUntil>>;

/// How long each statement of an ended block that holds a blocking lock holds it: until the
/// block's end, while the later work statements run.
pub fn settle(ended: &Ended) -> Settled {
    let (block, end) = (&ended.block, ended.end);
    let runs = &block.runs;
    // The revisions from each run to the end, shared by every statement that starts there.
    let mut suffixes: Vec<Option<Arc<[Arc<str>]>>> = vec![None; runs.len()];
    let mut out = std::collections::HashMap::new();
    for h in &block.held {
        if !h.lock.mode.is_dangerous() || out.contains_key(&h.statement) {
            continue;
        }
        // The position, among the block's work statements, of the first one after this.
        let first = h.work_through;
        let (revisions, revision_count) = if first < block.work {
            let run = runs.partition_point(|(pos, _)| *pos <= first) - 1;
            let shared = suffixes[run]
                .get_or_insert_with(|| {
                    runs[run..]
                        .iter()
                        .filter_map(|(_, r)| r.clone())
                        .take(10)
                        .collect()
                })
                .clone();
            (shared, runs.len() - run)
        } else {
            (Arc::from([]), 0)
        };
        out.insert(
            h.statement,
            Box::new(HeldUntil {
                line: end.map(|(_, l)| l),
                statement: end.map(|(i, _)| i),
                later_statements: block.work - first,
                first_later_statement: h.next_work,
                revisions,
                revision_count,
            }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::utc_zone;

    #[test]
    fn utc_zones() {
        for z in ["UTC", "utc", "Etc/UTC", "GMT", "Zulu", "Etc/Universal"] {
            assert!(utc_zone(z), "{z}");
        }
        for z in ["Europe/London", "America/New_York", "UTC+1", "local"] {
            assert!(!utc_zone(z), "{z}");
        }
    }
}
