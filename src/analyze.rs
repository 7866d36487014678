//! The one transaction model: walks the statements in order, tracking transaction blocks,
//! savepoints, SET [LOCAL] timeouts, the schema learned so far and the locks held until COMMIT.
//! Every rule reads this state; none keeps its own.

use crate::catalog::Catalog;
use crate::classify::{self, Classified};
use crate::facts::{Op, QName, Tx};
use crate::parse::{self, Body};
use crate::report::{Finding, HeldUntil, LockClaim, Report, StatementReport, Summary};
use crate::rules::{self, Draft, StmtCtx};
use crate::script::{self, Revision};
use crate::source::Source;
use crate::suggest;
use crate::{Options, Severity};
use std::collections::HashSet;
use std::sync::Arc;

/// A lock taken in the open transaction on a relation that existed before it.
#[derive(Clone, Debug)]
pub struct Held {
    pub statement: usize,
    pub lock: LockClaim,
}

#[derive(Clone, Debug)]
struct Savepoint {
    name: String,
    catalog_mark: usize,
    held: usize,
    local_lock_timeout: Option<Option<String>>,
    local_statement_timeout: Option<Option<String>>,
}

/// An explicit transaction block (BEGIN … COMMIT/ROLLBACK).
#[derive(Clone, Debug)]
pub struct Block {
    pub id: u64,
    pub begin_statement: usize,
    /// Statements run inside the block, in order (BEGIN excluded).
    pub statements: Vec<usize>,
    pub held: Vec<Held>,
    savepoints: Vec<Savepoint>,
    /// Whole-table UPDATE/DELETE of existing tables: (statement, verb, table).
    pub backfills: Vec<(usize, &'static str, QName)>,
    /// `ALTER TYPE ... ADD VALUE`: (statement, type, value).
    pub enum_values: Vec<(usize, String, String)>,
    /// `SET LOCAL` values: Some(None) means reset to the session value for this block.
    local_lock_timeout: Option<Option<String>>,
    local_statement_timeout: Option<Option<String>>,
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
}

fn timeout_set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| {
        let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse::<u64>().map_or(true, |n| n > 0)
    })
}

impl Session {
    fn new(version: u32) -> Session {
        Session {
            version,
            catalog: Catalog::default(),
            block: None,
            lock_timeout: None,
            statement_timeout: None,
            next_tx: 1,
            revision: None,
            revision_drops: HashSet::new(),
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
        self.catalog.is_new(name, self.open_tx())
    }

    pub fn is_new_relation(&self, relation: &str) -> bool {
        self.is_new(&relation_name(relation))
    }

    /// The current revision already dropped `table.column` (autogenerate's rename as drop + add).
    pub fn dropped_in_revision(&self, table: &QName, column: &str) -> bool {
        self.revision_drops
            .contains(&(table.key(), column.to_string()))
    }

    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    fn set(&mut self, name: &str, value: Option<String>, local: bool) {
        let value = value.filter(|v| !v.eq_ignore_ascii_case("default"));
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

/// Parses "schema.name" / "name" back into a QName (relations in reports are display strings).
fn relation_name(s: &str) -> QName {
    match s.split_once('.') {
        Some((schema, name)) => QName {
            schema: Some(schema.trim_matches('"').into()),
            name: name.trim_matches('"').into(),
        },
        None => QName::new(s.trim_matches('"')),
    }
}

/// Receives statements and findings once they are final (their transaction has ended), in
/// input order, so a renderer can write them out and forget them.
pub trait Sink {
    fn statement(&mut self, statement: StatementReport);
    /// Findings arrive grouped by statement, most severe first within a statement.
    fn finding(&mut self, finding: Finding);
}

/// Keeps everything (library use, text and Markdown reports).
#[derive(Default)]
pub struct Collect {
    pub statements: Vec<StatementReport>,
    pub findings: Vec<Finding>,
}

impl Sink for Collect {
    fn statement(&mut self, statement: StatementReport) {
        self.statements.push(statement);
    }
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// What remains after every statement and finding went to the sink.
pub struct Outcome {
    pub files: Vec<String>,
    pub summary: Summary,
}

/// The statements whose transaction is still open, addressed by their global index.
pub struct Window<'a> {
    base: usize,
    items: &'a [StatementReport],
}

impl std::ops::Index<usize> for Window<'_> {
    type Output = StatementReport;
    fn index(&self, i: usize) -> &StatementReport {
        &self.items[i - self.base]
    }
}

impl Window<'_> {
    /// Statements from `from` (global index) to the newest.
    pub fn from(&self, from: usize) -> &[StatementReport] {
        &self.items[from.saturating_sub(self.base).min(self.items.len())..]
    }
}

/// Everything collected while walking: statements not yet final, and the findings.
struct Walk<'a> {
    options: &'a Options,
    /// Statements of the open transaction (or the one being analysed), from global index `base`.
    pending: std::collections::VecDeque<StatementReport>,
    /// `pgrisk-ignore` rules of each pending statement.
    ignores: std::collections::VecDeque<Option<Vec<String>>>,
    base: usize,
    /// Findings on pending statements.
    findings: Vec<Finding>,
    summary: Summary,
    sink: &'a mut dyn Sink,
}

impl Walk<'_> {
    fn next_index(&self) -> usize {
        self.base + self.pending.len()
    }

    fn st(&self, i: usize) -> &StatementReport {
        &self.pending[i - self.base]
    }

    fn st_mut(&mut self, i: usize) -> &mut StatementReport {
        &mut self.pending[i - self.base]
    }

    fn push(&mut self, st: StatementReport, ignores: Option<Vec<String>>) {
        self.pending.push_back(st);
        self.ignores.push_back(ignores);
    }

    fn window(&mut self) -> Window<'_> {
        Window {
            base: self.base,
            items: self.pending.make_contiguous(),
        }
    }

    /// Hands every pending statement and its findings to the sink (its transaction has ended).
    fn flush(&mut self) {
        self.ignores.clear();
        while let Some(st) = self.pending.pop_front() {
            self.base += 1;
            self.sink.statement(st);
        }
        let mut findings = std::mem::take(&mut self.findings);
        findings.sort_by(|a, b| {
            a.statement
                .cmp(&b.statement)
                .then(b.severity.cmp(&a.severity))
        });
        for f in findings {
            match f.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => self.summary.infos += 1,
            }
            self.sink.finding(f);
        }
    }

    fn finding(&mut self, statement: usize, draft: Draft) {
        let (s, ignores) = (
            &self.pending[statement - self.base],
            &self.ignores[statement - self.base],
        );
        // `-- pgrisk-ignore` (every rule) or `-- pgrisk-ignore: rule-a, rule-b` right before it.
        if let Some(rules) = ignores
            && (rules.is_empty() || rules.iter().any(|r| r == draft.rule))
        {
            return;
        }
        self.findings.push(Finding {
            rule: draft.rule,
            severity: draft.severity,
            file: s.file.clone(),
            line: s.line,
            column: s.column,
            revision: s.revision.clone(),
            statement,
            message: draft.message,
            suggestion: suggest::LazySuggestion {
                rule: draft.rule,
                vars: draft.vars,
            },
        });
    }
}

/// Analyses `sources` in order (each a separate session), handing statements and findings to
/// `sink` as soon as they are final.
pub fn run(sources: &[Source], options: &Options, sink: &mut dyn Sink) -> Outcome {
    let mut walk = Walk {
        options,
        pending: Default::default(),
        ignores: Default::default(),
        base: 0,
        findings: Vec::new(),
        summary: Summary::default(),
        sink,
    };
    for src in sources {
        analyze_source(src, &mut walk);
    }
    Outcome {
        files: sources.iter().map(|s| s.name.clone()).collect(),
        summary: walk.summary,
    }
}

/// The whole report in memory (library use, tests).
pub fn report(sources: &[Source], options: &Options) -> Report {
    let mut all = Collect::default();
    let outcome = run(sources, options, &mut all);
    Report {
        pg_version: options.pg_version,
        files: outcome.files,
        statements: all.statements,
        findings: all.findings,
        summary: outcome.summary,
    }
}

/// Where we are in a source: the revision markers and ignore directives seen in its comments
/// and not yet passed, by offset.
struct Cursor {
    revisions: std::collections::VecDeque<(usize, Arc<str>)>,
    ignores: std::collections::VecDeque<(usize, Vec<String>)>,
    last_end: usize,
}

impl Cursor {
    fn add_comments(&mut self, src: &Source, comments: &[script::Comment]) {
        for c in comments {
            let text = &src.text[c.start..c.end];
            if let Some(r) = Revision::parse_marker(text) {
                self.revisions.push_back((c.start, r.id.into()));
            } else if let Some(rules) = script::parse_ignore(text) {
                self.ignores.push_back((c.end, rules));
            }
        }
    }
}

fn analyze_source(src: &Source, walk: &mut Walk) {
    let mut batches = parse::Batches::new(src);
    let mut cursor = Cursor {
        revisions: Default::default(),
        ignores: Default::default(),
        last_end: src.content_start(),
    };
    let mut session = Session::new(walk.options.pg_version);
    let file: std::sync::Arc<str> = src.name.as_str().into();
    let mut batch = batches.next_batch();
    while !batch.parsed.is_empty() {
        cursor.add_comments(src, &batch.comments);
        // Parse the next batch on the pool while this thread analyses this one, in order.
        let mut next = parse::Batch::default();
        parse::pool().in_place_scope(|scope| {
            scope.spawn(|_| next = batches.next_batch());
            for p in batch.parsed {
                analyze_statement(src, &file, p, &mut cursor, &mut session, walk);
            }
        });
        batch = next;
    }
    if session.block.is_some() {
        end_block(&mut session, None, walk);
    }
    walk.flush();
}

fn analyze_statement(
    src: &Source,
    file: &std::sync::Arc<str>,
    p: parse::Parsed,
    cursor: &mut Cursor,
    session: &mut Session,
    walk: &mut Walk,
) {
    while let Some((at, id)) = cursor.revisions.front()
        && *at < p.start
    {
        if session.revision.as_deref() != Some(&**id) {
            session.revision_drops.clear();
            session.revision = Some(id.clone());
        }
        cursor.revisions.pop_front();
    }
    // An ignore comment applies to the statement right after it.
    let mut ignores = None;
    while let Some((at, rules)) = cursor.ignores.front()
        && *at <= p.start
    {
        if *at >= cursor.last_end {
            ignores = Some(rules.clone());
        }
        cursor.ignores.pop_front();
    }
    cursor.last_end = p.end;
    let index = walk.next_index();
    let pos = src.position(p.start);
    let end_pos = src.position(p.end.saturating_sub(1).max(p.start));
    let mut st = StatementReport {
        index,
        file: file.clone(),
        line: pos.line,
        column: pos.column,
        end_line: end_pos.line,
        revision: session.revision.clone(),
        sql: src.text[p.start..p.end].to_string(),
        parsed: matches!(p.body, Body::Parsed(_)),
        kind: "",
        locks: Vec::new(),
        locks_known: true,
        rewrite: false,
        scan: false,
        in_transaction: session.in_block(),
        lock_timeout: session.lock_timeout().map(String::from),
        statement_timeout: session.statement_timeout().map(String::from),
        held_until: None,
    };
    walk.summary.read += 1;
    if st.parsed {
        walk.summary.parsed += 1;
    } else {
        walk.summary.unparseable += 1;
    }
    match p.body {
        Body::Parsed(op) => {
            let classified = classify::classify(&op, &session.catalog, session.open_tx());
            let (mut locks, mut effect) = classify::resolve(&classified, session.version);
            let mut unknown = classified.unknown.clone();
            let mut inner: Vec<(Op, Classified)> = Vec::new();
            if let Op::Do { statements, .. } = op.as_ref() {
                for sql in statements {
                    for o in parse_inner(sql) {
                        let c = classify::classify(&o, &session.catalog, session.open_tx());
                        let (l, e) = classify::resolve(&c, session.version);
                        for claim in l {
                            match locks.iter_mut().find(|x| x.relation == claim.relation) {
                                Some(x) => x.mode = x.mode.max(claim.mode),
                                None => locks.push(claim),
                            }
                        }
                        effect = effect.max(e);
                        if c.unknown.is_some() {
                            unknown = c.unknown.clone();
                        }
                        inner.push((o, c));
                    }
                }
            }
            st.kind = kind_of(&op, &classified, unknown.is_some());
            if unknown.is_some() {
                walk.summary.unknown += 1;
                st.locks_known = false;
            } else {
                walk.summary.classified += 1;
            }
            if matches!(op.as_ref(), Op::Credentials { .. }) {
                st.sql = redact_passwords(&st.sql);
            }
            st.rewrite = effect.rewrites();
            st.scan = effect.scans();
            st.locks = locks;
            walk.push(st, ignores);
            let drafts = {
                let ctx = StmtCtx {
                    index,
                    op: &op,
                    classified: &classified,
                    locks: &walk.st(index).locks,
                    effect,
                    session,
                    unknown: unknown.as_deref(),
                    inner: &inner,
                };
                rules::check_statement(&ctx)
            };
            for d in drafts {
                walk.finding(index, d);
            }
            step(session, &op, &inner, index, walk);
        }
        other => {
            st.kind = match &other {
                Body::SyntaxError { .. } => "syntax-error",
                Body::NonSql => "non-sql-text",
                Body::PsqlMeta => "psql-meta",
                Body::CopyData => "copy-data",
                Body::Parsed(_) => unreachable!(),
            };
            walk.push(st, ignores);
            if let Some(block) = session.block.as_mut() {
                block.statements.push(index);
            }
            for d in rules::check_unparsed(&other, src, walk.st(index)) {
                walk.finding(index, d);
            }
        }
    }
    if session.block.is_none() {
        walk.flush();
    }
}

/// The statement with every string literal that follows the word PASSWORD replaced, so reports
/// and CI logs do not carry the secret.
fn redact_passwords(sql: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    while let Some(p) = lower[at..].find("password") {
        let after = at + p + "password".len();
        let rest = &sql[after..];
        let lead = rest.len() - rest.trim_start().len();
        let quote = after + lead;
        match sql[quote..].starts_with('\'') {
            true => {
                let mut end = quote + 1;
                let b = sql.as_bytes();
                while end < b.len() && !(b[end] == b'\'' && b.get(end + 1) != Some(&b'\'')) {
                    end += if b[end] == b'\'' { 2 } else { 1 };
                }
                out.push_str(&sql[at..quote]);
                out.push_str("'********'");
                at = (end + 1).min(sql.len());
            }
            false => {
                out.push_str(&sql[at..after]);
                at = after;
            }
        }
    }
    out.push_str(&sql[at..]);
    out
}

/// The statements of a DO block's body that parse as SQL (others are PL/pgSQL-only).
fn parse_inner(sql: &str) -> Vec<Op> {
    let Ok(tree) = parse::parse_tree(sql) else {
        return vec![];
    };
    tree.stmts
        .iter()
        .filter_map(|s| s.stmt.as_ref()?.node.as_ref().map(crate::facts::describe))
        .collect()
}

fn kind_of(op: &Op, c: &Classified, unknown: bool) -> &'static str {
    if unknown {
        return "unknown";
    }
    match op {
        Op::Transaction { .. } => "transaction",
        Op::Set { .. } => "set",
        Op::Alembic => "alembic",
        Op::Do { .. } => "do",
        _ => {
            // The entry with the costliest effect, then the strongest lock; on ties the later
            // (more specific) one: CREATE TABLE … REFERENCES is `create_table.foreign_key`.
            let rank = |key: &str| {
                crate::kb::entry(key).map(|e| {
                    let b = e.behaviour(crate::kb::MAX_VERSION);
                    (b.effect, b.locks.iter().map(|(_, m)| *m).max())
                })
            };
            c.actions
                .iter()
                .map(|a| (rank(a.key), a.key))
                .reduce(|best, next| if next.0 >= best.0 { next } else { best })
                .map_or("unknown", |(_, k)| k)
        }
    }
}

/// Applies a parsed statement to the session: transaction control, settings, locks held, schema.
fn step(session: &mut Session, op: &Op, inner: &[(Op, Classified)], index: usize, walk: &mut Walk) {
    let line = walk.st(index).line;
    match op {
        Op::Transaction { kind, savepoint } => {
            match kind {
                Tx::Begin => {
                    if session.block.is_none() {
                        session.block = Some(Block {
                            id: session.next_tx,
                            begin_statement: index,
                            statements: Vec::new(),
                            held: Vec::new(),
                            savepoints: Vec::new(),
                            backfills: Vec::new(),
                            enum_values: Vec::new(),
                            local_lock_timeout: None,
                            local_statement_timeout: None,
                        });
                        session.next_tx += 1;
                    }
                    // BEGIN inside a block only warns in PostgreSQL; nothing changes.
                }
                Tx::Commit | Tx::Prepare => {
                    if session.block.is_some() {
                        end_block(session, Some((index, line)), walk);
                    }
                    session.catalog.commit();
                }
                Tx::Rollback => {
                    if session.block.is_some() {
                        end_block(session, Some((index, line)), walk);
                    }
                    session.catalog.rollback_to(0);
                }
                Tx::Savepoint => {
                    let mark = session.catalog.mark();
                    if let Some(b) = session.block.as_mut() {
                        b.savepoints.push(Savepoint {
                            name: savepoint.clone().unwrap_or_default(),
                            catalog_mark: mark,
                            held: b.held.len(),
                            local_lock_timeout: b.local_lock_timeout.clone(),
                            local_statement_timeout: b.local_statement_timeout.clone(),
                        });
                        b.statements.push(index);
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
                        b.statements.push(index);
                    }
                }
                Tx::RollbackTo => {
                    let mut mark = None;
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
                            b.local_lock_timeout = sp.local_lock_timeout;
                            b.local_statement_timeout = sp.local_statement_timeout;
                            mark = Some(sp.catalog_mark);
                        }
                        b.statements.push(index);
                    }
                    if let Some(m) = mark {
                        session.catalog.rollback_to(m);
                    }
                }
                Tx::Other => {}
            }
            return;
        }
        Op::Set { name, value, local } => session.set(name, value.clone(), *local),
        _ => {}
    }
    let open = session.open_tx();
    // Locks on relations that existed before the transaction are the ones others wait for.
    let held: Vec<Held> = walk
        .st(index)
        .locks
        .iter()
        .filter(|l| !session.is_new_relation(&l.relation))
        .map(|l| Held {
            statement: index,
            lock: l.clone(),
        })
        .collect();
    let ops = std::iter::once(op).chain(inner.iter().map(|(o, _)| o));
    for o in ops {
        match o {
            Op::Update {
                table,
                whole_table: true,
            }
            | Op::Delete {
                table,
                whole_table: true,
            } if !session.is_new(table) => {
                let verb = if matches!(o, Op::Update { .. }) {
                    "UPDATE"
                } else {
                    "DELETE"
                };
                if let Some(b) = session.block.as_mut() {
                    b.backfills.push((index, verb, table.clone()));
                }
            }
            Op::AlterEnum {
                type_name,
                add_value: Some(v),
                ..
            } => {
                if let Some(b) = session.block.as_mut() {
                    b.enum_values.push((index, type_name.clone(), v.clone()));
                }
            }
            _ => {}
        }
        if let Op::AlterTable { table, cmds, .. } = o {
            for c in cmds {
                if let crate::facts::AlterCmd::DropColumn { column, .. } = c {
                    session.revision_drops.insert((table.key(), column.clone()));
                }
            }
        }
        session.catalog.apply(o, open);
    }
    match session.block.as_mut() {
        Some(b) => {
            b.statements.push(index);
            b.held.extend(held);
        }
        None => {
            // Autocommit: the statement is its own transaction.
            session.catalog.commit();
            if walk.st(index).locks.iter().any(|l| l.mode.is_dangerous()) {
                walk.st_mut(index).held_until = Some(Box::new(HeldUntil {
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
}

/// Ends the open block at `end` (COMMIT/ROLLBACK statement index and line; None: end of input).
fn end_block(session: &mut Session, end: Option<(usize, usize)>, walk: &mut Walk) {
    let Some(block) = session.block.take() else {
        return;
    };
    // Later "work" statements (not transaction control, SET or Alembic bookkeeping) per position.
    let work: Vec<usize> = block
        .statements
        .iter()
        .copied()
        .filter(|&i| !matches!(walk.st(i).kind, "transaction" | "set" | "alembic"))
        .collect();
    // Runs of equal revisions among the work statements: (position in `work`, revision).
    let mut runs: Vec<(usize, Option<Arc<str>>)> = Vec::new();
    for (pos, &i) in work.iter().enumerate() {
        let r = walk.st(i).revision.clone();
        if runs.last().is_none_or(|(_, last)| *last != r) {
            runs.push((pos, r));
        }
    }
    // The revisions from each run to the end, shared by every statement that starts there.
    let mut suffixes: Vec<Option<Arc<[Arc<str>]>>> = vec![None; runs.len()];
    for h in &block.held {
        let s = h.statement;
        if !h.lock.mode.is_dangerous() || walk.st(s).held_until.is_some() {
            continue;
        }
        let first = work.partition_point(|&i| i <= s);
        let (revisions, revision_count) = if first < work.len() {
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
        walk.st_mut(s).held_until = Some(Box::new(HeldUntil {
            line: end.map(|(_, l)| l),
            statement: end.map(|(i, _)| i),
            later_statements: work.len() - first,
            first_later_statement: work.get(first).copied(),
            revisions,
            revision_count,
        }));
    }
    let drafts = rules::check_transaction(&block, &walk.window(), end.map(|(_, l)| l));
    for (i, d) in drafts {
        walk.finding(i, d);
    }
}
