//! Checks the knowledge base against a live PostgreSQL server (truth tests, `pgrisk verify-locks`).
//! The only module that opens a database connection; analysis never does.
//!
//! # Method
//!
//! For each entry of `rules/locks.toml` that applies to the server's major, pgrisk's *claim* is what
//! [`crate::analyze_sql`] says about the entry's example when it follows the fixture
//! (`BEGIN; <fixture> COMMIT; <setup>; <example>;`, last statement). The *observation* comes from
//! running the same SQL in a scratch schema (`pgrisk_verify_<pid>_<n>`, first on the search_path)
//! that is dropped afterwards, with the second schema an entry may create ([`OTHER_SCHEMA`],
//! `pgrisk_verify_<pid>_<n>_other` on the server): nothing outside them is touched, nothing is
//! left behind.
//!
//! * **Statements that run in a transaction block**: fixture and setup are committed, then
//!   `BEGIN; <example>` runs and, still inside that transaction, pgrisk reads
//!   - the relation locks the backend holds (`pg_locks` where `pid = pg_backend_pid()`), strongest
//!     mode per relation, only for relations that existed before the statement (matched by OID, so
//!     RENAME and SET SCHEMA do not hide them); locks on indexes count when the claim names the
//!     index, the others are reported apart;
//!   - `pg_class.relfilenode` of every table and materialized view: a new one is a rewrite, or
//!     the new empty file of an entry whose effect is `empty` (TRUNCATE), which must then show
//!     no scan (no block read: the scan that rebuilds an index on the empty file reads none);
//!   - `pg_stat_get_xact_numscans` and `pg_stat_get_xact_blocks_fetched` before and after the
//!     statement: a table scanned or read while the statement holds a lock stronger than ROW
//!     EXCLUSIVE on it was scanned under that lock (plain DML and reads of source tables under
//!     ACCESS SHARE are not what the knowledge base calls a scan); a rewrite counts as a scan;
//!   - from a second session with `lock_timeout = 100ms`, whether a read (`SELECT * FROM t LIMIT 1`)
//!     and a write (`INSERT INTO t SELECT * FROM ONLY t WHERE false`, `nextval` for a sequence) are
//!     blocked, for every relation claimed or locked (for an index: its table). The claim predicts
//!     them from [`LockMode::blocks`] of the strongest mode claimed on the table *or one of its
//!     indexes* (the planner locks every index of a table it reads or writes) and, for writes to a
//!     partition, from whether the mode claimed on its parent conflicts with ACCESS SHARE (an
//!     INSERT into a partition locks the parent to check the partition constraint); on
//!     PostgreSQL 11, for writes to a partitioned table, also from the modes claimed on its
//!     partitions (an INSERT locks every partition there when it starts).
//!
//!   Then the transaction is rolled back.
//! * **Statements that cannot run in a transaction block** (`concurrently = true`: CREATE/DROP
//!   INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM FULL; and any
//!   example the server refuses to run in one): two sessions hold the statement up. The *snapshot
//!   blocker* opens a REPEATABLE READ transaction with an xid and reads a row of every table (ACCESS
//!   SHARE locks and an old snapshot, which every such statement waits for at some point); the
//!   *lock blocker* reads a row of every table that is not partitioned, in READ COMMITTED (ACCESS
//!   SHARE locks, no snapshot), or holds what the entry's `hold` says instead (REINDEX of a
//!   partitioned table locks every partition in a first transaction, then rebuilds them one at a
//!   time: it is held up at the partition it locks last, where all its locks are seen at once).
//!   The statement runs in a third session. pgrisk polls
//!   `pg_blocking_pids` until the statement waits, records its relation locks from `pg_locks`
//!   (granted or requested) and probes blocking as above; ends the snapshot blocker and does the
//!   same again if the statement next waits for the lock blocker (that is how the second
//!   transaction of DETACH PARTITION CONCURRENTLY is seen); then cancels the statement and ends the
//!   lock blocker. An entry with `walk` (VACUUM FULL, REINDEX INDEX of a partitioned index: one
//!   relation at a time, each in a transaction of its own, so its locks are never all held at
//!   once) is held up by ROW EXCLUSIVE on every table instead, and then let past one relation
//!   at a time: a second session takes over holding all but the relation it waits for, the first
//!   lets go, and its locks are read again at its next wait, until it is done. The observed
//!   locks are the strongest per relation over all the waits (a statement
//!   that finishes without waiting for either blocker agrees only with a claim of no scan and of
//!   locks that let ACCESS SHARE be, e.g. CREATE INDEX CONCURRENTLY IF NOT EXISTS of an index that
//!   exists; its locks are then reported unobserved). To see a
//!   rewrite, the statement then runs to completion in a fresh scratch schema, relfilenodes
//!   compared before and after. Scans cannot be seen from outside the statement's backend, so
//!   there only a rewrite is scan evidence; otherwise the scan is reported as unobserved.
//!
//! * **Statements that fail** (an entry with `fails`, e.g. CREATE INDEX CONCURRENTLY on a
//!   partitioned table): the example runs on its own, in a transaction block of its own (rolled
//!   back) unless the entry cannot run in one, and must fail
//!   with an error message that starts as the entry says; nothing else is compared (a failed
//!   statement keeps no lock and changes nothing).
//!
//! The knowledge base's `concurrently` flag is a claim too: each such example is first tried
//! inside `BEGIN`, where the server must refuse it (SQLSTATE 25001); an example without the flag
//! that the server refuses there is observed the second way and reported.
//!
//! Why these counters: `numscans` counts every heap scan that starts (`initscan` in heapam.c),
//! also of an empty table, which `ADD COLUMN … NOT NULL` validates without reading a block;
//! `blocks_fetched` also sees ANALYZE, whose sampling scan is not counted as a scan. Both are
//! backend-local counters that are not flushed while a transaction is open (their values may
//! still include earlier transactions of the session), so only their difference across the
//! statement is used. A sequence's page read by ALTER SEQUENCE is not a scan: only tables and
//! materialized views count.
//!
//! What an example cannot show is listed in [`UNOBSERVABLE`] and reported as unobserved, never
//! as agreement. Claimed locks on relations that did not exist before the statement (the table
//! a CREATE makes) are not compared: no other session can see or wait for them. `verify-locks`
//! needs a role that may create schemas in the database; a run killed halfway can leave a
//! `pgrisk_verify_*` schema behind.

use crate::kb::{self, Entry};
use crate::locks::LockMode;
use anyhow::{Context, Result, bail};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::thread;
use std::time::{Duration, Instant};

/// The majors the truth tests (tests/truth.rs) start servers for.
pub const TRUTH_VERSIONS: RangeInclusive<u32> = kb::MIN_VERSION..=kb::MAX_VERSION;

/// How long a probe waits for a lock before it counts as blocked.
const PROBE_LOCK_TIMEOUT: &str = "100ms";
/// How long a statement that cannot run in a transaction block may take to reach a wait (or to
/// finish, in the completion run) before pgrisk gives up on it.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// Effects an example cannot show on a server pgrisk does not control, by entry key. The rewrite
/// and scan of these entries are reported as unobserved.
pub const UNOBSERVABLE: &[(&str, &str)] = &[
    (
        "alter_table.set_tablespace",
        "the example moves the table to the tablespace it is already in, which PostgreSQL skips; \
         a real move needs a tablespace directory on the server",
    ),
    (
        "alter_index.set_tablespace",
        "the example moves the index to the tablespace it is already in, which PostgreSQL skips; \
         a real move needs a tablespace directory on the server",
    ),
    (
        "alter_table.set_access_method",
        "heap is the only table access method PostgreSQL ships, and setting the current one is skipped",
    ),
];

// ------------------------------------------------------------------------------------------------
// Claims, observations and their comparison

/// What pgrisk claims about one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The knowledge-base key the statement was classified into.
    pub kind: String,
    /// Strongest claimed mode per relation (unqualified name, as pg_class spells it).
    pub locks: BTreeMap<String, LockMode>,
    pub rewrite: bool,
    pub scan: bool,
    /// A new, empty relfilenode, nothing read (the `empty` effect): the server shows a new
    /// relfilenode, which is then no rewrite, and no scan.
    pub empties: bool,
    /// The statement fails: the start of the server's error message (the knowledge base's `fails`).
    pub fails: Option<String>,
    /// The statement may run inside a transaction block (the knowledge base's `concurrently = false`).
    pub in_transaction_block: bool,
}

impl Claim {
    /// What the claim says about the table's file: `rewrite`, `no rewrite` or, for the `empty`
    /// effect, `new empty relfilenode`.
    fn file_text(&self) -> String {
        if self.empties {
            "new empty relfilenode".into()
        } else {
            flag(self.rewrite, "rewrite")
        }
    }

    /// Analyses the entry's example as the truth tests run it: after the fixture and the setup.
    pub fn of(entry: &Entry, version: u32) -> Claim {
        let mut options = crate::Options::for_version(version);
        options.since = vec![HISTORY.to_string()];
        let report = crate::analyze_sql(&claim_input(entry), &options)
            .expect("the claim input has the history revision");
        let Some(last) = report.statements.last() else {
            return Claim {
                kind: "<no statement>".into(),
                locks: BTreeMap::new(),
                rewrite: false,
                scan: false,
                empties: false,
                fails: None,
                in_transaction_block: !entry.outside_transaction(version),
            };
        };
        let mut locks = BTreeMap::new();
        for claim in &last.locks {
            strongest(&mut locks, claim.relation.name.clone(), claim.mode);
        }
        // A form the version does not have fails with whatever error its server gives (an empty
        // `fails` matches any message).
        let unsupported = report.findings.iter().any(|f| {
            f.statement == last.index && f.rule == crate::registry::RuleId::UnsupportedOnVersion
        });
        Claim {
            kind: last.kind.as_str().to_string(),
            locks,
            rewrite: last.rewrite,
            scan: last.scan,
            empties: last.empties,
            fails: if unsupported {
                Some(String::new())
            } else {
                kb::entry_named(last.kind.as_str()).and_then(|e| e.behaviour(version).fails)
            },
            in_transaction_block: !entry.outside_transaction(version),
        }
    }
}

/// The text pgrisk analyses for an entry: the fixture in a committed transaction, the setup, the example.
pub fn claim_input(entry: &Entry) -> String {
    let setup = entry
        .setup
        .as_deref()
        .map(|s| format!("{s};\n"))
        .unwrap_or_default();
    // The fixture and the setup are what production already has (`--since fixture`); the
    // example is the migration under review.
    format!(
        "-- Running upgrade  -> {HISTORY}\nBEGIN;\n{}\nCOMMIT;\n{setup}-- Running upgrade {HISTORY} -> example\n{};",
        kb::FIXTURE_SQL,
        entry.example
    )
}

/// The revision the fixture and an entry's setup run in: history for the claim.
const HISTORY: &str = "fixture";

fn strongest(map: &mut BTreeMap<String, LockMode>, relation: String, mode: LockMode) {
    let slot = map.entry(relation).or_insert(mode);
    *slot = (*slot).max(mode);
}

/// Whether plain work on a relation had to wait for the statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blocking {
    /// `SELECT * FROM t LIMIT 1` hit the lock timeout (None: not probed, or failed otherwise).
    pub reads: Option<bool>,
    /// `INSERT INTO t SELECT * FROM ONLY t WHERE false` (`nextval` for a sequence) hit the lock timeout
    /// (None: not probed, or failed otherwise).
    pub writes: Option<bool>,
}

impl Blocking {
    /// Blocked in either of two observations.
    fn merge(self, other: Blocking) -> Blocking {
        let or = |a: Option<bool>, b: Option<bool>| match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(a || b),
        };
        Blocking {
            reads: or(self.reads, other.reads),
            writes: or(self.writes, other.writes),
        }
    }
}

/// How the example was run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Inside `BEGIN … ROLLBACK`, observed from within.
    #[default]
    Transaction,
    /// In its own session, held up by blocker sessions and cancelled.
    Blockers,
}

/// What the server did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    pub method: Method,
    /// Strongest mode per pre-existing relation (tables, views, sequences, and the indexes the
    /// claim names), granted or requested.
    pub locks: BTreeMap<String, LockMode>,
    /// Locks on indexes the claim does not name: reported, not compared (their effect on other
    /// sessions shows in [`Observation::blocking`]).
    pub other_index_locks: BTreeMap<String, LockMode>,
    /// A table or materialized view got a new relfilenode (None: not observable).
    pub rewrite: Option<bool>,
    /// A table was scanned or read under a lock stronger than ROW EXCLUSIVE, or rewritten
    /// (None: not observable).
    pub scan: Option<bool>,
    /// Per table: scans started and blocks read during the statement, as (scans, blocks).
    pub reads: BTreeMap<String, (i64, i64)>,
    /// The server runs the statement inside `BEGIN` (None: not tried).
    pub in_transaction_block: Option<bool>,
    /// Per relation, from a second session.
    pub blocking: BTreeMap<String, Blocking>,
    /// What could not be observed, in words.
    pub unobserved: Vec<String>,
    /// The server's error, for a claim that the statement fails (run on its own).
    pub error: Option<String>,
    /// The statement finished before its locks could be read (they are not compared).
    pub locks_unseen: bool,
    /// Relations that existed before the statement (fixture and setup).
    pub existing: BTreeSet<String>,
    /// Pre-existing indexes and the table each belongs to.
    pub index_tables: BTreeMap<String, String>,
    /// Pre-existing partitions and their partitioned table.
    pub partition_parents: BTreeMap<String, String>,
    /// Pre-existing partitions and inheritance children, and their parent.
    pub inheritance_parents: BTreeMap<String, String>,
}

impl Observation {
    /// `relation`'s partitions and inheritance children at any depth (a read of it reads them).
    fn descendants<'a>(&'a self, relation: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.inheritance_parents
            .keys()
            .map(String::as_str)
            .filter(move |child| {
                let mut at = *child;
                while let Some(parent) = self.inheritance_parents.get(at) {
                    if parent == relation {
                        return true;
                    }
                    at = parent;
                }
                false
            })
    }
}

/// One entry checked on one server.
#[derive(Clone, Debug)]
pub struct Check {
    pub key: String,
    /// The major pgrisk's claim was made for.
    pub version: u32,
    pub statement: String,
    pub claim: Claim,
    /// Err: the example (or its fixture or setup) did not run, or could not be observed.
    pub observed: Result<Observation, String>,
    /// One readable line per disagreement; empty when claim and server agree.
    pub mismatches: Vec<String>,
}

impl Check {
    pub fn new(
        entry: &Entry,
        version: u32,
        claim: Claim,
        observed: Result<Observation, String>,
    ) -> Check {
        let mut check = Check {
            key: entry.key.clone(),
            version,
            statement: entry.example.clone(),
            claim,
            observed,
            mismatches: Vec::new(),
        };
        check.mismatches = check.compare();
        check
    }

    pub fn agrees(&self) -> bool {
        self.mismatches.is_empty()
    }

    fn prefix(&self) -> String {
        format!("{} on PG{}: {}", self.key, self.version, self.statement)
    }

    fn compare(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.claim.kind != self.key {
            lines.push(format!(
                "{}: classified as {}",
                self.prefix(),
                self.claim.kind
            ));
        }
        let o = match &self.observed {
            Ok(o) => o,
            Err(error) => {
                lines.push(format!("{}: could not be observed: {error}", self.prefix()));
                return lines;
            }
        };
        let claim = &self.claim;
        let (mut claimed, mut seen) = (Vec::new(), Vec::new());
        if claim.fails.is_some() || o.error.is_some() {
            let agrees = match (&claim.fails, &o.error) {
                (Some(fails), Some(error)) => error.starts_with(fails.as_str()),
                _ => false,
            };
            if !agrees {
                claimed.push(fails_text(claim.fails.as_deref()));
                seen.push(fails_text(o.error.as_deref()));
            }
            if let Some(in_block) = o.in_transaction_block
                && in_block != claim.in_transaction_block
            {
                claimed.push(transaction_block_text(claim.in_transaction_block));
                seen.push(transaction_block_text(in_block));
            }
            if !claimed.is_empty() {
                lines.push(format!(
                    "{}: claimed {{{}}} observed {{{}}}",
                    self.prefix(),
                    claimed.join(", "),
                    seen.join(", ")
                ));
            }
            return lines;
        }
        let claimed_locks = self.comparable_claimed_locks(o);
        if !o.locks_unseen && claimed_locks != o.locks {
            claimed.push(locks_text(&claimed_locks));
            seen.push(locks_text(&o.locks));
        }
        if let Some(rewrite) = o.rewrite
            && rewrite != (claim.rewrite || claim.empties)
        {
            claimed.push(claim.file_text());
            seen.push(flag(rewrite, "rewrite"));
        }
        if let Some(scan) = o.scan
            && scan != claim.scan
        {
            claimed.push(flag(claim.scan, "scan"));
            seen.push(flag(scan, "scan"));
        }
        if let Some(in_block) = o.in_transaction_block
            && in_block != claim.in_transaction_block
        {
            claimed.push(transaction_block_text(claim.in_transaction_block));
            seen.push(transaction_block_text(in_block));
        }
        for (relation, blocking) in &o.blocking {
            let expected = self.claimed_blocking(o, relation);
            let differs =
                |seen: Option<bool>, expected: Option<bool>| seen.is_some() && seen != expected;
            if differs(blocking.reads, expected.reads) || differs(blocking.writes, expected.writes)
            {
                claimed.push(blocks_text(relation, expected));
                seen.push(blocks_text(relation, *blocking));
            }
        }
        if !claimed.is_empty() {
            lines.push(format!(
                "{}: claimed {{{}}} observed {{{}}}",
                self.prefix(),
                claimed.join(", "),
                seen.join(", ")
            ));
        }
        lines
    }

    fn comparable_claimed_locks(&self, o: &Observation) -> BTreeMap<String, LockMode> {
        self.claim
            .locks
            .iter()
            .filter(|(r, _)| o.existing.contains(*r))
            .map(|(r, m)| (r.clone(), *m))
            .collect()
    }

    /// What the claim implies for plain reads and writes of `relation`: the strongest mode claimed
    /// on it or on one of its indexes; for writes to a partition, also the mode claimed on its parent.
    fn claimed_blocking(&self, o: &Observation, relation: &str) -> Blocking {
        let mode = self
            .claim
            .locks
            .iter()
            .filter(|(r, _)| {
                r.as_str() == relation || o.index_tables.get(*r).is_some_and(|t| t == relation)
            })
            .map(|(_, m)| *m)
            .max();
        let blocks = mode.map(LockMode::blocks);
        // Reading a parent reads its partitions and children: a lock on one holds the read up.
        // (Not a partition being detached CONCURRENTLY: queries of the parent already skip it.)
        let detaching = self.claim.kind == "alter_table.detach_partition.concurrently";
        let child_blocks_reads = !detaching
            && o.descendants(relation).any(|child| {
                // A lock on the child, or on one of its indexes (the planner opens them).
                self.claim.locks.iter().any(|(r, m)| {
                    (r.as_str() == child || o.index_tables.get(r).is_some_and(|t| t == child))
                        && m.conflicts_with(LockMode::AccessShareLock)
                })
            });
        // PostgreSQL 11 sets up tuple routing for every partition when an INSERT into a
        // partitioned table starts (RowExclusiveLock on each): a lock on one holds it up.
        let partition_blocks_writes = self.version == 11
            && o.partition_parents.values().any(|p| p == relation)
            && o.descendants(relation).any(|child| {
                self.claim
                    .locks
                    .get(child)
                    .is_some_and(|m| m.conflicts_with(LockMode::RowExclusiveLock))
            });
        let parent_blocks_writes = o
            .partition_parents
            .get(relation)
            .and_then(|parent| self.claim.locks.get(parent))
            .is_some_and(|m| m.conflicts_with(LockMode::AccessShareLock));
        Blocking {
            reads: Some(blocks.is_some_and(|b| b.reads) || child_blocks_reads),
            writes: Some(
                blocks.is_some_and(|b| b.writes) || parent_blocks_writes || partition_blocks_writes,
            ),
        }
    }

    /// `{items: AccessExclusiveLock, rewrite, scan}`
    pub fn claimed_text(&self) -> String {
        let c = &self.claim;
        if c.fails.is_some() {
            let mut parts = vec![fails_text(c.fails.as_deref())];
            if !c.in_transaction_block {
                parts.push(transaction_block_text(false));
            }
            return format!("{{{}}}", parts.join(", "));
        }
        let mut parts = vec![locks_text(&c.locks), c.file_text(), flag(c.scan, "scan")];
        if !c.in_transaction_block {
            parts.push(transaction_block_text(false));
        }
        format!("{{{}}}", parts.join(", "))
    }

    /// `{items: AccessExclusiveLock, rewrite, scan, items blocks reads+writes}`
    pub fn observed_text(&self) -> String {
        let Ok(o) = &self.observed else {
            return "{not observed}".into();
        };
        if self.claim.fails.is_some() || o.error.is_some() {
            let mut parts = vec![fails_text(o.error.as_deref())];
            if o.in_transaction_block == Some(false) {
                parts.push(transaction_block_text(false));
            }
            return format!("{{{}}}", parts.join(", "));
        }
        let mut parts = vec![if o.locks_unseen {
            "locks unobserved".into()
        } else {
            locks_text(&o.locks)
        }];
        parts.push(match o.rewrite {
            None => "rewrite unobserved".into(),
            Some(true) if self.claim.empties && o.scan == Some(false) => {
                "new empty relfilenode".into()
            }
            Some(r) => flag(r, "rewrite"),
        });
        parts.push(o.scan.map_or("scan unobserved".into(), |s| flag(s, "scan")));
        if o.in_transaction_block == Some(false) {
            parts.push(transaction_block_text(false));
        }
        parts.extend(
            o.blocking
                .iter()
                .map(|(relation, b)| blocks_text(relation, *b)),
        );
        format!("{{{}}}", parts.join(", "))
    }
}

/// `fails: <message>`, or `runs` for a statement that does not fail.
fn fails_text(error: Option<&str>) -> String {
    match error {
        Some("") => "fails (not on this version)".into(),
        Some(e) => format!("fails: {e}"),
        None => "runs".into(),
    }
}

fn transaction_block_text(runs: bool) -> String {
    if runs {
        "runs in a transaction block"
    } else {
        "not in a transaction block"
    }
    .to_string()
}

fn flag(on: bool, what: &str) -> String {
    if on {
        what.to_string()
    } else {
        format!("no {what}")
    }
}

fn locks_text(locks: &BTreeMap<String, LockMode>) -> String {
    if locks.is_empty() {
        return "no locks".into();
    }
    locks
        .iter()
        .map(|(r, m)| format!("{r}: {m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn blocks_text(relation: &str, b: Blocking) -> String {
    let what: Vec<&str> = [(b.reads, "reads"), (b.writes, "writes")]
        .into_iter()
        .filter(|(blocked, _)| *blocked == Some(true))
        .map(|(_, w)| w)
        .collect();
    if what.is_empty() {
        format!("{relation} blocks nothing")
    } else {
        format!("{relation} blocks {}", what.join("+"))
    }
}

// ------------------------------------------------------------------------------------------------
// Running examples on a server

/// A second schema an example may use (DROP SCHEMA … CASCADE), by this name in rules/locks.toml.
/// On the server it is `<scratch schema>_other`: the name is replaced in the setup and the
/// example, its relations are observed with the scratch schema's (by name, so the two schemas
/// must not share a relation name), and it is dropped with the scratch schema.
pub const OTHER_SCHEMA: &str = "pgrisk_other";

/// A relation of the scratch schema (or of the other schema) as it was before the statement.
#[derive(Clone, Debug)]
struct Relation {
    oid: u32,
    /// Its schema (the scratch schema or the other schema).
    schema: String,
    name: String,
    /// `pg_class.relkind`: r table, p partitioned table, i/I index, v view, m materialized view, S sequence.
    kind: char,
    relfilenode: u32,
    /// For an index: its table.
    table: Option<String>,
    /// For a partition: its partitioned table.
    parent: Option<String>,
    /// For a partition or an inheritance child: its parent.
    inherits_from: Option<String>,
}

impl Relation {
    fn is_index(&self) -> bool {
        matches!(self.kind, 'i' | 'I')
    }
    /// Has a heap of its own, which a rewrite replaces and a scan reads.
    fn has_heap(&self) -> bool {
        matches!(self.kind, 'r' | 'm')
    }
}

#[derive(Clone, Debug)]
struct Snapshot {
    relations: Vec<Relation>,
}

impl Snapshot {
    fn by_oid(&self, oid: u32) -> Option<&Relation> {
        self.relations.iter().find(|r| r.oid == oid)
    }
    fn by_name(&self, name: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.name == name)
    }
    fn oids(&self) -> Vec<u32> {
        self.relations.iter().map(|r| r.oid).collect()
    }
    fn qualified(&self, r: &Relation) -> String {
        format!("{}.{}", quote_ident(&r.schema), quote_ident(&r.name))
    }

    /// `BEGIN; LOCK TABLE ONLY …` on every table and partitioned table not in `released`, each
    /// on its own (no children with it), in ROW EXCLUSIVE mode: it holds up SHARE and stronger
    /// (REINDEX, VACUUM FULL) and two holders can share it; a materialized view is read.
    fn hold_each_except(&self, released: &BTreeSet<String>) -> String {
        let mut sql = String::from("BEGIN;");
        for r in self
            .relations
            .iter()
            .filter(|r| !released.contains(&r.name))
        {
            match r.kind {
                'r' | 'p' => write!(
                    sql,
                    " LOCK TABLE ONLY {} IN ROW EXCLUSIVE MODE;",
                    self.qualified(r)
                ),
                'm' => write!(sql, " SELECT 1 FROM {} LIMIT 1;", self.qualified(r)),
                _ => Ok(()),
            }
            .expect("writing to a String");
        }
        sql
    }

    /// `BEGIN …; SELECT 1 FROM t LIMIT 1; …` over the relations `which` selects.
    fn read_each(&self, begin: &str, which: impl Fn(&Relation) -> bool) -> String {
        let mut sql = format!("{begin};");
        for r in self.relations.iter().filter(|r| which(r)) {
            write!(sql, " SELECT 1 FROM {} LIMIT 1;", self.qualified(r))
                .expect("writing to a String");
        }
        sql
    }
}

/// The name of the other schema on the server, beside scratch schema `schema`.
fn other_schema(schema: &str) -> String {
    format!("{schema}_other")
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The server's error message, with its detail, for a report line.
fn db_error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

/// An example that did not run, or ran but could not be observed.
enum Failure {
    /// The server refused to run it in a transaction block (SQLSTATE 25001).
    NeedsOwnTransaction,
    Error(String),
}

/// Outer error: the server or a connection failed (the run stops). Inner: the example failed
/// (the check reports it and the run goes on).
type Attempt<T> = Result<Result<T, Failure>>;

/// Sessions on one server: `main` builds scratch schemas, runs in-transaction examples and reads
/// `pg_locks`; `probe` tests blocking; `snapshot_blocker`, `lock_blocker` and `runner` serve
/// examples that cannot run in a transaction block.
pub struct Verifier {
    main: Client,
    probe: Client,
    snapshot_blocker: Client,
    lock_blocker: Client,
    runner: Client,
    runner_pid: i32,
    /// The server's major, from `server_version_num`.
    pub server_major: u32,
    /// The server's `server_version`, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub server_version: String,
}

impl Verifier {
    pub fn connect(config: &Config) -> Result<Verifier> {
        let mut config = config.clone();
        config.application_name("pgrisk verify-locks");
        let open = |role: &str| {
            config
                .connect(NoTls)
                .with_context(|| format!("cannot connect to the server (its {role} session)"))
        };
        let mut main = open("main")?;
        let probe = open("probe")?;
        let snapshot_blocker = open("snapshot blocker")?;
        let lock_blocker = open("lock blocker")?;
        let mut runner = open("runner")?;
        let version_num: String = main.query_one("SHOW server_version_num", &[])?.get(0);
        let version_num: u32 = version_num
            .parse()
            .with_context(|| format!("server_version_num {version_num}"))?;
        let server_version: String = main.query_one("SHOW server_version", &[])?.get(0);
        let runner_pid: i32 = runner.query_one("SELECT pg_backend_pid()", &[])?.get(0);
        Ok(Verifier {
            main,
            probe,
            snapshot_blocker,
            lock_blocker,
            runner,
            runner_pid,
            server_major: version_num / 10000,
            server_version,
        })
    }

    /// Runs one entry's example on the server and compares it with pgrisk's claim for `version`
    /// (normally the server's major). Errors are failures of the server or the connection; an
    /// example that fails is a [`Check`] that says so.
    pub fn check(&mut self, entry: &Entry, version: u32) -> Result<Check> {
        let claim = Claim::of(entry, version);
        let major = self.server_major;
        let mut observed = if claim.fails.is_some() {
            let in_block = self.runs_in_transaction_block(entry)?;
            let block = !entry.outside_transaction(version);
            self.observe_failure(entry, block)?.map(|mut o| {
                o.in_transaction_block = in_block;
                o
            })
        } else if entry.outside_transaction(version) {
            let in_block = self.runs_in_transaction_block(entry)?;
            self.observe_with_blockers(entry, &claim)?.map(|mut o| {
                o.in_transaction_block = in_block;
                o
            })
        } else {
            match self.observe_in_transaction(entry, &claim)? {
                Err(Failure::NeedsOwnTransaction) => {
                    match self.observe_with_blockers(entry, &claim)? {
                        Ok(mut o) => {
                            o.in_transaction_block = Some(false);
                            Ok(o)
                        }
                        Err(Failure::Error(e)) => Err(Failure::Error(format!(
                            "cannot run in a transaction block on PG{major}; run on its own, it {e}"
                        ))),
                        Err(f) => Err(f),
                    }
                }
                Ok(mut o) => {
                    o.in_transaction_block = Some(true);
                    Ok(o)
                }
                Err(f) => Err(f),
            }
        };
        if let (Ok(o), Some((_, why))) = (
            &mut observed,
            UNOBSERVABLE.iter().find(|(k, _)| *k == entry.key),
        ) {
            o.rewrite = None;
            o.scan = None;
            o.unobserved.push(format!("rewrite and scan: {why}"));
        }
        let observed = observed.map_err(|f| match f {
            Failure::Error(e) => e,
            Failure::NeedsOwnTransaction => "cannot run in a transaction block".to_string(),
        });
        Ok(Check::new(entry, version, claim, observed))
    }

    /// An entry for other majors than `version`: pgrisk must report the form unsupported there
    /// (unsupported-on-version), and the server must refuse it — its example, or already the
    /// setup the example needs (a partitioned table referenced by a foreign key on PG11).
    pub fn check_unsupported(&mut self, entry: &Entry, version: u32) -> Result<Check> {
        let claim = Claim::of(entry, version);
        let observed = match self.observe_failure(entry, !entry.outside_transaction(version))? {
            Ok(o) => Ok(o),
            Err(Failure::Error(e)) => Ok(Observation {
                error: Some(e),
                ..Observation::default()
            }),
            Err(Failure::NeedsOwnTransaction) => Err("cannot run in a transaction block".into()),
        };
        Ok(Check::new(entry, version, claim, observed))
    }

    fn sessions(&mut self) -> [&mut Client; 5] {
        [
            &mut self.main,
            &mut self.probe,
            &mut self.snapshot_blocker,
            &mut self.lock_blocker,
            &mut self.runner,
        ]
    }

    /// Creates an empty scratch schema and puts it first on every session's search_path.
    fn create_schema(&mut self) -> Result<String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static SCHEMAS: AtomicU32 = AtomicU32::new(0);
        let schema = format!(
            "pgrisk_verify_{}_{}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        self.main.batch_execute(&format!("CREATE SCHEMA {schema}")).with_context(|| {
            format!("cannot create the scratch schema {schema} (verify-locks needs CREATE on the database)")
        })?;
        let path = format!("SET search_path = {schema}, public");
        for session in self.sessions() {
            session.batch_execute(&path)?;
        }
        Ok(schema)
    }

    /// Commits the fixture and the entry's setup in the scratch schema and lists its relations.
    fn fill_schema(&mut self, entry: &Entry, schema: &str) -> Attempt<Snapshot> {
        if let Err(e) = self.main.batch_execute(kb::FIXTURE_SQL) {
            return Ok(Err(Failure::Error(format!(
                "fixture failed: {}",
                db_error_text(&e)
            ))));
        }
        if let Some(setup) = &entry.setup
            && let Err(e) = self.main.batch_execute(setup)
        {
            return Ok(Err(Failure::Error(format!(
                "setup failed: {}",
                db_error_text(&e)
            ))));
        }
        let rows = self.main.query(
            "SELECT c.oid, c.relname::text, c.relkind::text, c.relfilenode, t.relname::text, \
                    (SELECT p.relname::text FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent \
                     WHERE h.inhrelid = c.oid AND c.relispartition), \
                    (SELECT p.relname::text FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent \
                     WHERE h.inhrelid = c.oid AND c.relkind IN ('r', 'p') ORDER BY h.inhseqno LIMIT 1), \
                    n.nspname::text \
             FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid \
             LEFT JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname IN ($1, $2) ORDER BY c.oid",
            &[&schema, &other_schema(schema)],
        )?;
        let relations = rows
            .iter()
            .map(|r| Relation {
                oid: r.get(0),
                schema: r.get(7),
                name: r.get(1),
                kind: r.get::<_, String>(2).chars().next().unwrap_or('?'),
                relfilenode: r.get(3),
                table: r.get(4),
                parent: r.get(5),
                inherits_from: r.get(6),
            })
            .collect::<Vec<Relation>>();
        // Relations are compared by name: the two schemas must not share one.
        if let Some(r) = relations
            .iter()
            .find(|r| relations.iter().any(|o| o.name == r.name && o.oid != r.oid))
        {
            return Ok(Err(Failure::Error(format!(
                "setup: {} is in both the scratch schema and {OTHER_SCHEMA}: give it another name",
                r.name
            ))));
        }
        Ok(Ok(Snapshot { relations }))
    }

    fn drop_schema(&mut self, schema: &str) -> Result<()> {
        self.main.batch_execute("ROLLBACK")?;
        let other = other_schema(schema);
        self.main
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {other} CASCADE"
            ))
            .with_context(|| format!("cannot drop the scratch schemas {schema} and {other}"))
    }

    /// Runs `f` in a fresh scratch schema holding the fixture and the entry's setup, and drops the
    /// schema afterwards, whatever happened. `f` gets the entry as it runs there (the other
    /// schema's name replaced).
    fn in_scratch_schema<T>(
        &mut self,
        entry: &Entry,
        f: impl FnOnce(&mut Self, &Entry, &Snapshot) -> Attempt<T>,
    ) -> Attempt<T> {
        let schema = self.create_schema()?;
        let other = other_schema(&schema);
        let mut entry = entry.clone();
        entry.example = entry.example.replace(OTHER_SCHEMA, &other);
        entry.setup = entry.setup.map(|s| s.replace(OTHER_SCHEMA, &other));
        entry.hold = entry.hold.map(|s| s.replace(OTHER_SCHEMA, &other));
        let result = match self.fill_schema(&entry, &schema) {
            Ok(Ok(snapshot)) => f(self, &entry, &snapshot),
            Ok(Err(failure)) => Ok(Err(failure)),
            Err(e) => Err(e),
        };
        let dropped = self.drop_schema(&schema);
        let result = result?;
        dropped?;
        Ok(result)
    }

    fn observe_in_transaction(&mut self, entry: &Entry, claim: &Claim) -> Attempt<Observation> {
        self.in_scratch_schema(entry, |v, entry, snapshot| {
            v.main.batch_execute("BEGIN")?;
            let before = read_counters(&mut v.main, snapshot)?;
            if let Err(e) = v.main.batch_execute(&entry.example) {
                v.main.batch_execute("ROLLBACK")?;
                if e.code() == Some(&SqlState::ACTIVE_SQL_TRANSACTION) {
                    return Ok(Err(Failure::NeedsOwnTransaction));
                }
                return Ok(Err(Failure::Error(db_error_text(&e))));
            }
            let pid: i32 = v.main.query_one("SELECT pg_backend_pid()", &[])?.get(0);
            let mut o = Observation::new(snapshot);
            o.add_locks(claim, snapshot, &relation_locks(&mut v.main, pid)?);
            let after = read_counters(&mut v.main, snapshot)?;
            o.rewrite = Some(rewritten(snapshot, &after));
            // A new empty file (TRUNCATE) is no scan: the counters must say whether it read.
            let mut scanned = o.rewrite == Some(true) && !claim.empties;
            for r in snapshot.relations.iter().filter(|r| r.has_heap()) {
                let (Some(b), Some(a)) = (before.get(&r.oid), after.get(&r.oid)) else {
                    continue;
                };
                let (scans, blocks) = (a.scans - b.scans, a.blocks - b.blocks);
                if scans > 0 || blocks > 0 {
                    o.reads.insert(r.name.clone(), (scans, blocks));
                    // A new empty file is scanned without a block read (the index rebuild
                    // REFRESH … WITH NO DATA does on it): only a block read of the table is a scan.
                    scanned |= (!claim.empties || blocks > 0)
                        && o.locks
                            .get(&r.name)
                            .is_some_and(|m| *m > LockMode::RowExclusiveLock);
                }
            }
            o.scan = Some(scanned);
            o.blocking = probe_blocking(&mut v.probe, snapshot, claim, &o)?;
            v.main.batch_execute("ROLLBACK")?;
            Ok(Ok(o))
        })
    }

    /// Runs an example that must fail, and records the error, if any: in a transaction block of
    /// its own (`in_block`, rolled back: LOCK TABLE runs only in one), or alone (CREATE INDEX
    /// CONCURRENTLY would fail otherwise for being in a block).
    fn observe_failure(&mut self, entry: &Entry, in_block: bool) -> Attempt<Observation> {
        self.in_scratch_schema(entry, |v, entry, snapshot| {
            let ran = if in_block {
                v.runner.batch_execute("BEGIN")?;
                let ran = v.runner.batch_execute(&entry.example);
                v.runner.batch_execute("ROLLBACK")?;
                ran
            } else {
                v.runner.batch_execute(&entry.example)
            };
            let mut o = Observation::new(snapshot);
            o.error = ran.err().map(|e| db_error_text(&e));
            o.unobserved
                .push("locks, rewrite and scan: the statement fails".into());
            Ok(Ok(o))
        })
    }

    /// Whether the server accepts the example inside `BEGIN` (rolled back at once); None when it
    /// fails for another reason.
    fn runs_in_transaction_block(&mut self, entry: &Entry) -> Result<Option<bool>> {
        let tried = self.in_scratch_schema(entry, |v, entry, _| {
            v.main.batch_execute("BEGIN")?;
            let ran = v.main.batch_execute(&entry.example);
            v.main.batch_execute("ROLLBACK")?;
            Ok(Ok(match ran {
                Ok(()) => Some(true),
                Err(e) if e.code() == Some(&SqlState::ACTIVE_SQL_TRANSACTION) => Some(false),
                Err(_) => None,
            }))
        })?;
        Ok(tried.unwrap_or(None))
    }

    /// For statements that cannot run in a transaction block: see the module documentation.
    fn observe_with_blockers(&mut self, entry: &Entry, claim: &Claim) -> Attempt<Observation> {
        let held_up = self.in_scratch_schema(entry, |v, entry, snapshot| {
            let snapshot_hold = snapshot.read_each(
                "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT txid_current()",
                |r| matches!(r.kind, 'r' | 'p' | 'm'),
            );
            v.snapshot_blocker.batch_execute(&snapshot_hold)?;
            let lock_hold = match &entry.hold {
                Some(hold) => format!("BEGIN; {hold}"),
                None if entry.walk => snapshot.hold_each_except(&BTreeSet::new()),
                None => snapshot.read_each("BEGIN", Relation::has_heap),
            };
            v.lock_blocker.batch_execute(&lock_hold)?;
            let result = v.run_while_held_up(entry, claim, snapshot);
            v.snapshot_blocker.batch_execute("ROLLBACK")?;
            v.lock_blocker.batch_execute("ROLLBACK")?;
            result
        })?;
        let mut o = match held_up {
            Ok(o) => o,
            Err(f) => return Ok(Err(f)),
        };
        // Once more, to completion and unhindered, to see whether it writes a new heap.
        let completed = self.in_scratch_schema(entry, |v, entry, snapshot| {
            v.runner.batch_execute(&format!(
                "SET statement_timeout = '{}s'",
                WAIT_LIMIT.as_secs()
            ))?;
            let ran = v.runner.batch_execute(&entry.example);
            v.runner.batch_execute("RESET statement_timeout")?;
            if let Err(e) = ran {
                return Ok(Err(Failure::Error(format!(
                    "running it to completion failed: {}",
                    db_error_text(&e)
                ))));
            }
            let after = read_counters(&mut v.main, snapshot)?;
            Ok(Ok(rewritten(snapshot, &after)))
        })?;
        match completed {
            Ok(rewrite) => {
                o.rewrite = Some(rewrite);
                o.scan = (rewrite && !claim.empties).then_some(true);
                if o.scan.is_none() {
                    o.unobserved
                        .push("scan: not visible outside the statement's own session".into());
                }
            }
            Err(Failure::Error(e)) => o.unobserved.push(e),
            Err(Failure::NeedsOwnTransaction) => o
                .unobserved
                .push("running it to completion was refused".into()),
        }
        Ok(Ok(o))
    }

    fn run_while_held_up(
        &mut self,
        entry: &Entry,
        claim: &Claim,
        snapshot: &Snapshot,
    ) -> Attempt<Observation> {
        let Verifier {
            main,
            probe,
            snapshot_blocker,
            lock_blocker,
            runner,
            runner_pid,
            ..
        } = self;
        let pid = *runner_pid;
        let cancel = runner.cancel_token();
        thread::scope(|scope| {
            let statement = scope.spawn(move || runner.batch_execute(&entry.example));
            let mut o = Observation::new(snapshot);
            o.method = Method::Blockers;
            let mut waited = 0;
            let mut record = |o: &mut Observation, main: &mut Client| -> Result<()> {
                o.add_locks(claim, snapshot, &relation_locks(main, pid)?);
                for (relation, b) in probe_blocking(probe, snapshot, claim, o)? {
                    let merged = o
                        .blocking
                        .get(&relation)
                        .copied()
                        .unwrap_or_default()
                        .merge(b);
                    o.blocking.insert(relation, merged);
                }
                Ok(())
            };
            for stage in ["snapshot blocker", "lock blocker"] {
                if wait_until_blocked(main, pid, || statement.is_finished())? {
                    waited += 1;
                    record(&mut o, main)?;
                }
                if stage == "snapshot blocker" {
                    snapshot_blocker.batch_execute("ROLLBACK")?;
                }
            }
            // A statement that locks one relation at a time, each in a transaction of its own:
            // let it past the relation it waits for (a second session takes over holding the
            // others, then the first lets go), and see where it waits next, until it is done.
            if entry.walk {
                let mut released: BTreeSet<String> = BTreeSet::new();
                let mut holders = [&mut *lock_blocker, &mut *snapshot_blocker];
                for _ in 0..snapshot.relations.len() {
                    if statement.is_finished() {
                        break;
                    }
                    let waiting = main.query(
                        "SELECT relation FROM pg_locks WHERE pid = $1 AND NOT granted \
                         AND locktype = 'relation' AND relation IS NOT NULL",
                        &[&pid],
                    )?;
                    let before = released.len();
                    for row in waiting {
                        let oid: u32 = row.get(0);
                        if let Some(r) = snapshot.by_oid(oid) {
                            released.insert(r.name.clone());
                        }
                    }
                    if released.len() == before {
                        break;
                    }
                    holders[1].batch_execute(&snapshot.hold_each_except(&released))?;
                    holders[0].batch_execute("ROLLBACK")?;
                    holders.swap(0, 1);
                    if !wait_until_blocked(main, pid, || statement.is_finished())? {
                        break;
                    }
                    waited += 1;
                    record(&mut o, main)?;
                }
                holders[0].batch_execute("ROLLBACK")?;
            }
            if !statement.is_finished() {
                cancel
                    .cancel_query(NoTls)
                    .context("cannot cancel the statement held up by the blockers")?;
            }
            let outcome = statement
                .join()
                .expect("the statement's thread does not panic");
            Ok(match outcome {
                _ if waited > 0 => Ok(o),
                // It ran to the end while the blockers held ACCESS SHARE on every table and an
                // old snapshot: it waited for no relation lock. That agrees with a claim of none
                // (ALTER TYPE … ADD VALUE on PostgreSQL 11) and is reported for any other claim.
                Ok(()) if claim.locks.is_empty() => Ok(o),
                // Nor did a statement whose claimed locks all let the blockers' ACCESS SHARE be
                // and that claims no scan (CREATE INDEX CONCURRENTLY IF NOT EXISTS of an index
                // that exists): it was over before its locks could be seen.
                Ok(())
                    if !claim.scan
                        && claim
                            .locks
                            .values()
                            .all(|m| !m.conflicts_with(LockMode::AccessShareLock)) =>
                {
                    o.locks_unseen = true;
                    o.unobserved.push(
                        "locks: it finished at once, waiting for neither blocker session".into(),
                    );
                    Ok(o)
                }
                Ok(()) => Err(Failure::Error(
                    "finished without waiting for the blocker sessions, so its locks could not be seen"
                        .into(),
                )),
                Err(e) if e.code() == Some(&SqlState::QUERY_CANCELED) => {
                    Err(Failure::Error(format!(
                        "did not wait for the blocker sessions within {}s",
                        WAIT_LIMIT.as_secs()
                    )))
                }
                Err(e) => Err(Failure::Error(db_error_text(&e))),
            })
        })
    }
}

/// Polls until backend `pid` waits for another session (true), or `finished()`, or the limit (false).
fn wait_until_blocked(main: &mut Client, pid: i32, finished: impl Fn() -> bool) -> Result<bool> {
    let started = Instant::now();
    while !finished() && started.elapsed() < WAIT_LIMIT {
        let blockers: i32 = main
            .query_one(
                "SELECT coalesce(cardinality(pg_blocking_pids($1)), 0)",
                &[&pid],
            )?
            .get(0);
        if blockers > 0 {
            return Ok(true);
        }
        thread::sleep(Duration::from_millis(5));
    }
    Ok(false)
}

impl Observation {
    fn new(snapshot: &Snapshot) -> Observation {
        Observation {
            existing: snapshot.relations.iter().map(|r| r.name.clone()).collect(),
            index_tables: snapshot
                .relations
                .iter()
                .filter_map(|r| Some((r.name.clone(), r.table.clone()?)))
                .collect(),
            partition_parents: snapshot
                .relations
                .iter()
                .filter_map(|r| Some((r.name.clone(), r.parent.clone()?)))
                .collect(),
            inheritance_parents: snapshot
                .relations
                .iter()
                .filter_map(|r| Some((r.name.clone(), r.inherits_from.clone()?)))
                .collect(),
            ..Observation::default()
        }
    }

    /// Adds `held` (OID, mode) locks on pre-existing relations, strongest per relation.
    fn add_locks(&mut self, claim: &Claim, snapshot: &Snapshot, held: &[(u32, LockMode)]) {
        for (oid, mode) in held {
            let Some(r) = snapshot.by_oid(*oid) else {
                continue;
            };
            if r.is_index() && !claim.locks.contains_key(&r.name) {
                strongest(&mut self.other_index_locks, r.name.clone(), *mode);
            } else {
                strongest(&mut self.locks, r.name.clone(), *mode);
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Counters {
    relfilenode: u32,
    scans: i64,
    blocks: i64,
}

/// relfilenode and this transaction's scan counters of every pre-existing relation still there.
fn read_counters(main: &mut Client, snapshot: &Snapshot) -> Result<BTreeMap<u32, Counters>> {
    let rows = main.query(
        "SELECT c.oid, c.relfilenode, pg_stat_get_xact_numscans(c.oid), pg_stat_get_xact_blocks_fetched(c.oid) \
         FROM pg_class c WHERE c.oid = ANY($1::oid[])",
        &[&snapshot.oids()],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                Counters {
                    relfilenode: r.get(1),
                    scans: r.get(2),
                    blocks: r.get(3),
                },
            )
        })
        .collect())
}

/// A table or materialized view that still exists and has a new relfilenode.
fn rewritten(snapshot: &Snapshot, after: &BTreeMap<u32, Counters>) -> bool {
    snapshot.relations.iter().filter(|r| r.has_heap()).any(|r| {
        after
            .get(&r.oid)
            .is_some_and(|a| a.relfilenode != r.relfilenode)
    })
}

/// Relation locks of a backend, granted or requested, as (OID, mode).
fn relation_locks(client: &mut Client, pid: i32) -> Result<Vec<(u32, LockMode)>> {
    let rows = client.query(
        "SELECT relation, mode FROM pg_locks WHERE locktype = 'relation' AND pid = $1 AND relation IS NOT NULL",
        &[&pid],
    )?;
    rows.iter()
        .map(|r| {
            let mode: String = r.get(1);
            let mode = LockMode::from_pg_name(&mode)
                .with_context(|| format!("pg_locks has an unknown mode {mode}"))?;
            Ok((r.get(0), mode))
        })
        .collect()
}

/// From the probe session, with a short lock timeout: can a plain read and a plain write of each
/// claimed or locked relation (for an index: of its table) go ahead?
fn probe_blocking(
    probe: &mut Client,
    snapshot: &Snapshot,
    claim: &Claim,
    o: &Observation,
) -> Result<BTreeMap<String, Blocking>> {
    let mut relations = BTreeSet::new();
    for name in claim.locks.keys().chain(o.locks.keys()) {
        match snapshot.by_name(name) {
            Some(Relation {
                table: Some(table), ..
            }) => relations.insert(table.clone()),
            Some(r) => relations.insert(r.name.clone()),
            None => false,
        };
    }
    let mut result = BTreeMap::new();
    for r in relations.iter().filter_map(|name| snapshot.by_name(name)) {
        let table = snapshot.qualified(r);
        let read = format!("SELECT * FROM {table} LIMIT 1");
        let write = match r.kind {
            'r' | 'p' | 'v' | 'f' => Some(format!(
                // ONLY: a write to the table itself, not a read of its children.
                "INSERT INTO {table} SELECT * FROM ONLY {table} WHERE false"
            )),
            'S' => Some(format!("SELECT nextval('{}')", table.replace('\'', "''"))),
            _ => None,
        };
        let reads = probe_one(probe, &read)?;
        let writes = match write {
            Some(write) => probe_one(probe, &write)?,
            None => None,
        };
        result.insert(r.name.clone(), Blocking { reads, writes });
    }
    Ok(result)
}

/// Some(true) when `sql` hit the lock timeout, Some(false) when it ran, None when it failed otherwise.
fn probe_one(probe: &mut Client, sql: &str) -> Result<Option<bool>> {
    probe.batch_execute(&format!(
        "BEGIN; SET LOCAL lock_timeout = '{PROBE_LOCK_TIMEOUT}'; SET LOCAL statement_timeout = '10s'"
    ))?;
    let result = probe.batch_execute(sql);
    probe.batch_execute("ROLLBACK")?;
    Ok(match result {
        Ok(()) => Some(false),
        Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => Some(true),
        Err(_) => None,
    })
}

// ------------------------------------------------------------------------------------------------
// Whole-server runs

/// Every applicable entry checked on one server.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// The major pgrisk's claims were made for.
    pub version: u32,
    pub server_version: String,
    pub checks: Vec<Check>,
}

impl VerifyReport {
    pub fn mismatches(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .flat_map(|c| c.mismatches.iter().map(String::as_str))
    }

    pub fn mismatch_count(&self) -> usize {
        self.mismatches().count()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pgrisk's claims for PostgreSQL {} checked on a server running {}\n",
            self.version, self.server_version
        )?;
        for c in &self.checks {
            let verdict = if c.agrees() { "ok" } else { "MISMATCH" };
            writeln!(f, "{verdict:<8} {}: {}", c.key, c.statement)?;
            writeln!(f, "         claimed  {}", c.claimed_text())?;
            writeln!(f, "         observed {}", c.observed_text())?;
            if let Ok(o) = &c.observed {
                if o.method == Method::Blockers {
                    writeln!(
                        f,
                        "         method   own session, held up by blocker sessions, then cancelled"
                    )?;
                }
                if !o.other_index_locks.is_empty() {
                    writeln!(
                        f,
                        "         indexes  {} (not compared)",
                        locks_text(&o.other_index_locks)
                    )?;
                }
                if !o.reads.is_empty() {
                    let reads: Vec<String> = o
                        .reads
                        .iter()
                        .map(|(t, (scans, blocks))| format!("{t}: {scans} scans, {blocks} blocks"))
                        .collect();
                    writeln!(f, "         read     {}", reads.join("; "))?;
                }
                for note in &o.unobserved {
                    writeln!(f, "         note     {note}")?;
                }
            }
            for m in &c.mismatches {
                writeln!(f, "         ✗ {m}")?;
            }
        }
        let count = self.mismatch_count();
        let plural = if count == 1 { "" } else { "es" };
        writeln!(
            f,
            "\n{} entries checked, {count} mismatch{plural}",
            self.checks.len()
        )
    }
}

/// Checks every entry that applies to `version` (default: the server's major) on the server
/// `config` points at. Everything runs in scratch schemas that are dropped again.
pub fn verify_server(config: &Config, version: Option<u32>) -> Result<VerifyReport> {
    let mut verifier = Verifier::connect(config)?;
    let version = version.unwrap_or(verifier.server_major);
    if !(kb::MIN_VERSION..=kb::MAX_VERSION).contains(&version) {
        bail!(
            "pgrisk knows PostgreSQL {}–{}, the server runs {}: name a known major to compare its claims anyway",
            kb::MIN_VERSION,
            kb::MAX_VERSION,
            verifier.server_version
        );
    }
    let mut checks = Vec::new();
    for entry in kb::entries() {
        if !entry.applies_to(version) {
            checks.push(
                verifier
                    .check_unsupported(entry, version)
                    .with_context(|| format!("while checking {}: {}", entry.key, entry.example))?,
            );
            continue;
        }
        for example in entry.examples(version) {
            checks.push(
                verifier.check(&example, version).with_context(|| {
                    format!("while checking {}: {}", entry.key, example.example)
                })?,
            );
        }
    }
    Ok(VerifyReport {
        version,
        server_version: verifier.server_version.clone(),
        checks,
    })
}

/// `pgrisk verify-locks --database-url URL`, URL being a libpq URL or key=value string.
pub fn verify_locks(database_url: &str, version: Option<u32>) -> Result<VerifyReport> {
    let config = Config::from_str(database_url)
        .context("--database-url is not a PostgreSQL connection string")?;
    verify_server(&config, version)
}

// ------------------------------------------------------------------------------------------------
// rules/matrix.md

/// `rules/matrix.md`: every entry × every major, the lock claimed on the statement's main relation
/// and the effect, marked where tests/truth.rs checks it on a real server. Generated from the
/// knowledge base alone, so it is the same on every machine.
pub fn matrix_markdown() -> String {
    let versions: Vec<u32> = (kb::MIN_VERSION..=kb::MAX_VERSION).collect();
    let mut md = String::from(
        "# Lock matrix\n\n\
         Generated from `rules/locks.toml` by `PGRISK_UPDATE_MATRIX=1 cargo test --test truth matrix`: do not edit.\n\n\
         Each cell: the lock pgrisk claims on the statement's main relation (the role column) and what the \
         statement does to the data (catalog only, row changes, empty: a new empty file, scan under the lock, rewrite).\n\n\
         - ✓ the claim (classification, locks on every relation, rewrite, scan, what plain reads and writes \
         wait for) is checked on a real server of that major by `tests/truth.rs`, which fails on any \
         disagreement; `src/verify.rs` says how.\n\
         - ✓* as ✓, except the effect: it cannot be seen from outside a statement that runs outside a \
         transaction block (only a rewrite can), or the example cannot show it (see the notes below).\n\
         - — the statement does not exist in that major.\n\n",
    );
    md.push_str("| Statement | Key | Role |");
    for v in &versions {
        write!(md, " {v} |").expect("writing to a String");
    }
    md.push_str(" Other locks |\n|---|---|---|");
    md.push_str(&"---|".repeat(versions.len()));
    md.push_str("---|\n");
    for entry in kb::entries() {
        let latest = versions
            .iter()
            .rev()
            .copied()
            .find(|v| entry.applies_to(*v));
        let role = latest.and_then(|v| main_lock(&entry.behaviour(v)).map(|(role, _)| role));
        let role_column = role.map_or("—".to_string(), role_name);
        write!(
            md,
            "| {} | `{}` | {role_column} |",
            escape_cell(&entry.title),
            entry.key
        )
        .expect("writing to a String");
        for v in &versions {
            md.push(' ');
            md.push_str(&matrix_cell(entry, *v, role));
            md.push_str(" |");
        }
        let others = latest.map_or(String::new(), |v| {
            let b = entry.behaviour(v);
            b.locks
                .iter()
                .filter(|(r, _)| Some(*r) != role)
                .map(|(r, m)| format!("{}: {}", role_name(*r), m.sql_name()))
                .collect::<Vec<_>>()
                .join("; ")
        });
        writeln!(md, " {others} |").expect("writing to a String");
    }
    md.push_str("\n## Notes\n\n");
    for (key, why) in UNOBSERVABLE {
        writeln!(md, "- `{key}`: effect not observed: {why}.").expect("writing to a String");
    }
    md.push_str(
        "- Entries that cannot run in a transaction block (CONCURRENTLY, VACUUM FULL) are observed from \
         another session while blocker sessions hold them up; a rewrite is seen by running them to \
         completion, a scan is not.\n",
    );
    md
}

/// The role whose lock a matrix cell shows: the relation the statement names, else the first
/// role that is locked.
fn main_lock(b: &kb::Behaviour) -> Option<(kb::Role, LockMode)> {
    b.locks
        .iter()
        .find(|(r, _)| *r == kb::Role::Table)
        .or_else(|| b.locks.first())
        .copied()
}

fn role_name(role: kb::Role) -> String {
    format!("{role:?}").to_lowercase()
}

fn matrix_cell(entry: &Entry, version: u32, role: Option<kb::Role>) -> String {
    if !entry.applies_to(version) {
        return "—".into();
    }
    let b = entry.behaviour(version);
    if b.fails.is_some() {
        return "fails ✓".into();
    }
    let lock = match b
        .locks
        .iter()
        .find(|(r, _)| Some(*r) == role)
        .or_else(|| b.locks.first())
    {
        Some((r, m)) if Some(*r) == role => m.sql_name().to_string(),
        Some((r, m)) => format!("{}: {}", role_name(*r), m.sql_name()),
        None => "no lock".into(),
    };
    let effect = match b.effect {
        kb::Effect::Catalog => "catalog",
        kb::Effect::Dml => "rows",
        kb::Effect::Empty => "empty",
        kb::Effect::Scan => "scan",
        kb::Effect::Rewrite => "rewrite",
    };
    let mark = if !TRUTH_VERSIONS.contains(&version) {
        ""
    } else if effect_unobservable(entry, version) {
        " ✓*"
    } else {
        " ✓"
    };
    format!("{lock}, {effect}{mark}")
}

/// The truth tests cannot see this entry's effect (see [`UNOBSERVABLE`] and the module docs).
fn effect_unobservable(entry: &Entry, version: u32) -> bool {
    UNOBSERVABLE.iter().any(|(k, _)| *k == entry.key)
        || (entry.outside_transaction(version)
            && entry.behaviour(version).effect != kb::Effect::Rewrite)
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use LockMode::*;

    fn claim(kind: &str, locks: &[(&str, LockMode)], rewrite: bool, scan: bool) -> Claim {
        let locks = locks.iter().map(|(r, m)| (r.to_string(), *m)).collect();
        Claim {
            kind: kind.into(),
            locks,
            rewrite,
            scan,
            empties: false,
            fails: None,
            in_transaction_block: true,
        }
    }

    /// What the server would show for a statement on the fixture's `items`.
    fn observed(locks: &[(&str, LockMode)], rewrite: bool, scan: bool) -> Observation {
        let names = [
            "items",
            "items_pkey",
            "items_qty_idx",
            "events",
            "events_2024",
            "accounts",
        ];
        Observation {
            locks: locks.iter().map(|(r, m)| (r.to_string(), *m)).collect(),
            rewrite: Some(rewrite),
            scan: Some(scan),
            existing: names.iter().map(|n| n.to_string()).collect(),
            index_tables: [("items_pkey", "items"), ("items_qty_idx", "items")]
                .iter()
                .map(|(i, t)| (i.to_string(), t.to_string()))
                .collect(),
            partition_parents: [("events_2024".to_string(), "events".to_string())].into(),
            ..Observation::default()
        }
    }

    fn check(key: &str, claim: Claim, observed: Result<Observation, String>) -> Check {
        Check::new(
            kb::entry_named(key).expect("a knowledge-base key"),
            15,
            claim,
            observed,
        )
    }

    #[test]
    fn agreement_has_no_mismatch() {
        let c = check(
            "alter_table.add_column",
            claim(
                "alter_table.add_column",
                &[("items", AccessExclusiveLock)],
                false,
                false,
            ),
            Ok(observed(&[("items", AccessExclusiveLock)], false, false)),
        );
        assert!(c.agrees(), "{:?}", c.mismatches);
    }

    #[test]
    fn one_line_names_every_difference() {
        let c = check(
            "alter_table.add_column",
            claim(
                "alter_table.add_column",
                &[("items", AccessExclusiveLock)],
                false,
                false,
            ),
            Ok(observed(&[("items", ShareLock)], true, true)),
        );
        assert_eq!(
            c.mismatches,
            [
                "alter_table.add_column on PG15: ALTER TABLE items ADD COLUMN extra text: \
              claimed {items: AccessExclusiveLock, no rewrite, no scan} \
              observed {items: ShareLock, rewrite, scan}"
            ]
        );
    }

    #[test]
    fn an_empty_claim_expects_a_new_relfilenode_and_no_scan() {
        let empties = Claim {
            empties: true,
            ..claim("truncate", &[("items", AccessExclusiveLock)], false, false)
        };
        let agrees = check(
            "truncate",
            empties.clone(),
            Ok(observed(&[("items", AccessExclusiveLock)], true, false)),
        );
        assert!(agrees.agrees(), "{:?}", agrees.mismatches);
        let copied = check(
            "truncate",
            empties,
            Ok(observed(&[("items", AccessExclusiveLock)], true, true)),
        );
        assert_eq!(
            copied.mismatches,
            ["truncate on PG15: TRUNCATE events_2025: claimed {no scan} observed {scan}"]
        );
    }

    #[test]
    fn misclassification_and_failed_examples_are_mismatches() {
        let c = check(
            "alter_table.add_column",
            claim("unknown", &[], false, false),
            Err("syntax error at or near \"(\"".into()),
        );
        assert_eq!(
            c.mismatches,
            [
                "alter_table.add_column on PG15: ALTER TABLE items ADD COLUMN extra text: classified as unknown",
                "alter_table.add_column on PG15: ALTER TABLE items ADD COLUMN extra text: \
                 could not be observed: syntax error at or near \"(\"",
            ]
        );
    }

    #[test]
    fn locks_on_relations_the_statement_creates_are_not_compared() {
        let c = check(
            "create_index",
            claim(
                "create_index",
                &[
                    ("items", ShareLock),
                    ("items_name_idx", AccessExclusiveLock),
                ],
                false,
                true,
            ),
            Ok(observed(&[("items", ShareLock)], false, true)),
        );
        assert!(c.agrees(), "{:?}", c.mismatches);
    }

    #[test]
    fn unobserved_effects_are_not_compared() {
        let mut o = observed(&[("items", AccessExclusiveLock)], false, false);
        o.rewrite = None;
        o.scan = None;
        let c = check(
            "alter_table.set_tablespace",
            claim(
                "alter_table.set_tablespace",
                &[("items", AccessExclusiveLock)],
                true,
                true,
            ),
            Ok(o),
        );
        assert!(c.agrees(), "{:?}", c.mismatches);
    }

    #[test]
    fn a_lock_on_an_index_blocks_reads_of_its_table() {
        let mut o = observed(
            &[("items", ShareLock), ("items_qty_idx", AccessExclusiveLock)],
            false,
            true,
        );
        o.blocking.insert(
            "items".into(),
            Blocking {
                reads: Some(true),
                writes: Some(true),
            },
        );
        let claimed = claim(
            "reindex.index",
            &[("items", ShareLock), ("items_qty_idx", AccessExclusiveLock)],
            false,
            true,
        );
        assert!(check("reindex.index", claimed, Ok(o.clone())).agrees());

        let only_table = claim("reindex.index", &[("items", ShareLock)], false, true);
        o.locks.remove("items_qty_idx");
        assert_eq!(
            check("reindex.index", only_table, Ok(o)).mismatches,
            ["reindex.index on PG15: REINDEX INDEX items_qty_idx: \
              claimed {items blocks writes} observed {items blocks reads+writes}"]
        );
    }

    #[test]
    fn writes_to_a_partition_wait_for_a_lock_on_its_parent() {
        let mut o = observed(
            &[
                ("events", AccessExclusiveLock),
                ("events_2024", ShareUpdateExclusiveLock),
            ],
            false,
            false,
        );
        o.blocking.insert(
            "events_2024".into(),
            Blocking {
                reads: Some(false),
                writes: Some(true),
            },
        );
        let claimed = claim(
            "alter_table.detach_partition",
            &[
                ("events", AccessExclusiveLock),
                ("events_2024", ShareUpdateExclusiveLock),
            ],
            false,
            false,
        );
        let c = check("alter_table.detach_partition", claimed, Ok(o));
        assert!(c.agrees(), "{:?}", c.mismatches);
    }

    #[test]
    fn claims_are_made_on_the_fixture_and_the_setup() {
        let entry = kb::entry_named("alter_table.validate_constraint").expect("entry");
        let input = claim_input(entry);
        assert!(input.starts_with("-- Running upgrade  -> fixture\nBEGIN;\n"));
        assert!(input.contains(kb::FIXTURE_SQL));
        assert!(input.ends_with(&format!(
            "{};\n-- Running upgrade fixture -> example\n{};",
            entry.setup.as_deref().unwrap(),
            entry.example
        )));
    }

    #[test]
    fn matrix_marks_what_the_truth_tests_check() {
        let md = matrix_markdown();
        assert!(md.contains("| `alter_table.add_column.virtual_generated` | table | — |"));
        assert!(md.contains("ACCESS EXCLUSIVE, rewrite ✓"));
        assert!(
            md.contains("SHARE UPDATE EXCLUSIVE, scan ✓*"),
            "CREATE INDEX CONCURRENTLY's scan is not observed"
        );
    }
}
