//! The one transaction model: walks the statements in order, tracking transaction blocks,
//! savepoints, SET [LOCAL] timeouts, the schema learned so far and the locks held until COMMIT.
//! Every rule reads this state; none keeps its own.

use crate::classify::{self, Classified};
use crate::facts::Op;
use crate::fingerprint::Fingerprints;
use crate::model::{
    Collect, Finding, Outcome, Report, Sink, StatementKind, StatementReport, Summary,
};
use crate::origin::Locator;
use crate::parse::{self, Body};
use crate::registry::RuleId;
use crate::rules::{self, Draft, StmtCtx};
use crate::script::{Directive, DirectiveKind, History, Ignore};
use crate::session::{self, Ended, Session, Settled};
use crate::source::Source;
use crate::spool::Spool;
use crate::suggest;
use crate::{Options, Severity};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a finding placed after its statement left memory (at its transaction's end) needs to
/// know of that statement.
struct Locus {
    file: Arc<str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    revision: Option<Arc<str>>,
    migration_file: Option<Arc<str>>,
    migration_line: Option<usize>,
    /// The statement's text as reported (passwords redacted): its findings' fingerprints.
    sql: Box<str>,
    /// With table sizes: the largest existing table it locks.
    largest: Option<crate::stats::TableSize>,
}

impl Locus {
    fn of(st: &StatementReport, largest: Option<crate::stats::TableSize>) -> Locus {
        Locus {
            file: st.file.clone(),
            line: st.line,
            column: st.column,
            end_line: st.end_line,
            end_column: st.end_column,
            revision: st.revision.clone(),
            migration_file: st.migration_file.clone(),
            migration_line: st.migration_line,
            sql: st.sql.as_str().into(),
            largest,
        }
    }
}

/// The statement being analysed, with the findings placed on it so far.
struct Current {
    st: StatementReport,
    findings: Vec<Finding>,
    ignore: Option<(Ignore, bool)>,
    /// The end of its transaction may place a finding on it (`Walk::keep`).
    keep: bool,
}

/// Everything collected while walking. A statement stays in memory while it is analysed; then
/// it waits in the spool until its transaction ends (at once in autocommit), with what the end
/// of the transaction may still need of it kept apart (`loci`, `ignores`).
struct Walk<'a> {
    options: &'a Options,
    current: Option<Current>,
    /// Statements analysed and not yet handed to the sink.
    spool: Spool,
    /// The global index of the next statement.
    next: usize,
    /// Statements of the open transaction that may still get a finding (they hold a lock, backfill,
    /// add an enum value, or follow an ignore directive).
    loci: HashMap<usize, Locus>,
    /// The ignore directives before spooled statements, and whether each ignored anything.
    ignores: Vec<(usize, Ignore, bool)>,
    /// Findings placed on spooled statements, in the order placed.
    late: Vec<Finding>,
    /// Spooled statements of the open transaction with an error finding (not ignored).
    errors: HashSet<usize>,
    /// How long each statement of the transaction that just ended holds its lock.
    settled: Settled,
    summary: Summary,
    /// Where Alembic printed `FAILED: …`, and that line.
    alembic_failed: Option<String>,
    /// Maps statements to the `op.*` calls of the migration scripts (`--alembic-dir`).
    locator: Option<Locator>,
    /// Fingerprints handed out so far (repeats of a rule, revision and statement text).
    fingerprints: Fingerprints,
    /// A spool that could not be read back (a temporary file failed).
    spool_error: Option<std::io::Error>,
    sink: &'a mut dyn Sink,
}

impl Walk<'_> {
    fn next_index(&self) -> usize {
        self.next
    }

    /// The statement being analysed.
    fn cur(&self) -> &StatementReport {
        &self
            .current
            .as_ref()
            .expect("a statement is being analysed")
            .st
    }

    /// Starts the analysis of the next statement: the one before it goes to the spool.
    fn push(&mut self, st: StatementReport, ignore: Option<Ignore>) {
        self.park();
        self.next = st.index + 1;
        self.current = Some(Current {
            st,
            findings: Vec::new(),
            ignore: ignore.map(|i| (i, false)),
            keep: false,
        });
    }

    /// The end of the open transaction may place a finding on the current statement: the
    /// session's block noted a lock it holds, a backfill or an enum value of it.
    fn keep(&mut self, session: &Session) {
        let (Some(c), Some(b)) = (&mut self.current, &session.block) else {
            return;
        };
        let i = c.st.index;
        c.keep = b.held.last().is_some_and(|h| h.statement == i)
            || b.backfills.last().is_some_and(|x| x.0 == i)
            || b.enum_values.last().is_some_and(|e| e.statement == i);
    }

    /// The statement analysed last goes to the spool; what a later finding may need of it stays.
    fn park(&mut self) {
        let Some(c) = self.current.take() else { return };
        let index = c.st.index;
        if c.keep || c.ignore.is_some() {
            let largest = self.largest(&c.st.locks);
            self.loci.insert(index, Locus::of(&c.st, largest));
        }
        if let Some((ignore, used)) = c.ignore {
            self.ignores.push((index, ignore, used));
        }
        self.spool.push(&c.st, &c.findings);
    }

    fn largest(&self, locks: &[crate::model::LockClaim]) -> Option<crate::stats::TableSize> {
        let stats = self.options.stats.as_ref()?;
        locks
            .iter()
            .filter_map(|l| stats.get(&l.relation))
            .max_by_key(|s| s.bytes)
    }

    /// Hands every statement analysed so far and its findings to the sink (its transaction has
    /// ended): each statement, then its findings, worst first.
    fn flush(&mut self) {
        // An ignore that matched no finding is stale (or on the wrong statement): say so.
        let mut unused: Vec<(usize, Ignore)> = std::mem::take(&mut self.ignores)
            .into_iter()
            .filter(|(_, _, used)| !used)
            .map(|(i, ig, _)| (i, ig))
            .collect();
        if let Some(c) = &mut self.current
            && let Some((ig, false)) = c.ignore.take()
        {
            unused.push((c.st.index, ig));
        }
        for (statement, ignore) in unused {
            if let Some(d) = rules::check_unused_ignore(&ignore) {
                self.place(statement, d, None, None);
            }
        }
        self.park();
        let mut late = std::mem::take(&mut self.late);
        late.sort_by_key(|f| f.statement);
        let mut late = late.into_iter().peekable();
        let settled = std::mem::take(&mut self.settled);
        let (sink, summary) = (&mut *self.sink, &mut self.summary);
        let read = self.spool.drain(|mut rec| {
            let index = rec.statement.index;
            if let Some(h) = settled.get(&index) {
                rec.statement.held_until = Some(h.clone());
            }
            sink.statement(rec.statement);
            while let Some(f) = late.next_if(|f| f.statement == index) {
                rec.findings.push(f);
            }
            rec.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            for f in rec.findings {
                match f.severity {
                    _ if f.ignored => summary.ignored += 1,
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
                sink.finding(f);
            }
        });
        if let Err(e) = read {
            self.spool_error.get_or_insert(e);
        }
        self.loci.clear();
        self.errors.clear();
    }

    /// Places a rule's finding on a pending statement, as the configuration and the statement's
    /// ignore directive say: dropped (rule disabled), at another severity, or listed as ignored.
    fn finding(&mut self, statement: usize, mut draft: Draft) {
        let config = &self.options.rules;
        if config.disabled.contains(&draft.rule) {
            return;
        }
        let duration = self.size(statement, &mut draft);
        if let Some(s) = config.severity.get(&draft.rule) {
            draft.severity = *s;
        }
        let mut ignored = None;
        let ignore = match &mut self.current {
            Some(c) if c.st.index == statement => c.ignore.as_mut().map(|(i, u)| (&*i, u)),
            _ => self
                .ignores
                .iter_mut()
                .find(|(i, _, _)| *i == statement)
                .map(|(_, i, u)| (&*i, u)),
        };
        if let Some((ignore, used)) = ignore
            && ignore.covers(draft.rule)
        {
            *used = true;
            ignored = Some(ignore.reason.clone());
        }
        let revision = match &self.current {
            Some(c) if c.st.index == statement => c.st.revision.clone(),
            _ => self.loci.get(&statement).and_then(|l| l.revision.clone()),
        };
        if ignored.is_none()
            && let Some(i) = config.ignores.iter().find(|i| {
                Some(i.revision.as_str()) == revision.as_deref()
                    && (i.rules.is_empty() || i.rules.contains(&draft.rule))
            })
        {
            ignored = Some(Some(i.reason.clone()));
        }
        self.place(statement, draft, ignored, duration);
    }

    /// With table sizes: the duration class of a finding about slow work, and small tables made
    /// info (brief whatever the lock); an empty table cannot fail ADD COLUMN … NOT NULL.
    fn size(&self, statement: usize, draft: &mut Draft) -> Option<&'static str> {
        self.options.stats.as_ref()?;
        let largest = match &self.current {
            Some(c) if c.st.index == statement => self.largest(&c.st.locks),
            _ => self.loci.get(&statement).and_then(|l| l.largest),
        }?;
        if draft.rule == RuleId::AddColumnNotNullWithoutDefault && largest.rows == 0 {
            draft.severity = Severity::Info;
            draft
                .message
                .push_str(" (the table is empty in production: it succeeds)");
            return None;
        }
        if !rules::GROWS_WITH_TABLE.contains(&draft.rule) {
            return None;
        }
        if largest.bytes < crate::stats::SMALL_BYTES && draft.severity == Severity::Error {
            draft.severity = Severity::Info;
            draft.message.push_str(&format!(
                " (the table is small in production: {} rows, {} kB; the lock is brief)",
                largest.rows,
                largest.bytes / 1024
            ));
        }
        Some(crate::stats::duration_class(largest.bytes))
    }

    /// `ignored`: Some(reason) when an ignore accepted the finding.
    fn place(
        &mut self,
        statement: usize,
        draft: Draft,
        ignored: Option<Option<String>>,
        duration: Option<&'static str>,
    ) {
        let Walk {
            current,
            loci,
            fingerprints,
            ..
        } = self;
        let cur = current.as_ref().filter(|c| c.st.index == statement);
        #[allow(clippy::type_complexity)]
        let (file, (line, column, end_line, end_column), revision, migration, sql): (
            &Arc<str>,
            (usize, usize, usize, usize),
            &Option<Arc<str>>,
            (&Option<Arc<str>>, Option<usize>),
            &str,
        ) = match (cur, loci.get(&statement)) {
            (Some(c), _) => {
                let s = &c.st;
                (
                    &s.file,
                    (s.line, s.column, s.end_line, s.end_column),
                    &s.revision,
                    (&s.migration_file, s.migration_line),
                    &s.sql,
                )
            }
            (None, Some(l)) => (
                &l.file,
                (l.line, l.column, l.end_line, l.end_column),
                &l.revision,
                (&l.migration_file, l.migration_line),
                &l.sql,
            ),
            (None, None) => {
                debug_assert!(
                    false,
                    "a finding on statement {statement}, which left memory"
                );
                return;
            }
        };
        let (migration_file, migration_line) = match draft.at {
            Some((f, l)) => (Some(f), Some(l)),
            None => (migration.0.clone(), migration.1),
        };
        let finding = Finding {
            rule: draft.rule,
            severity: draft.severity,
            file: file.clone(),
            line,
            column,
            end_line,
            end_column,
            revision: revision.clone(),
            migration_file,
            migration_line,
            statement,
            message: draft.message,
            duration,
            related: draft.related,
            ignored: ignored.is_some(),
            ignore_reason: ignored.flatten(),
            fingerprint: fingerprints.next(draft.rule.as_str(), revision.as_deref(), sql),
            suggestion: suggest::LazySuggestion {
                rule: draft.recipe,
                vars: draft.vars,
            },
        };
        let current = cur.is_some();
        if finding.severity == Severity::Error && !finding.ignored {
            self.errors.insert(statement);
        }
        match &mut self.current {
            Some(c) if current => c.findings.push(finding),
            _ => self.late.push(finding),
        }
    }
}

/// Analyses `sources` in order (each a separate session), handing statements and findings to
/// `sink` as soon as they are final. Fails only when `options.since` names a revision that no
/// revision marker of the inputs mentions.
pub fn run(sources: &[Source], options: &Options, sink: &mut dyn Sink) -> anyhow::Result<Outcome> {
    let texts: Vec<&str> = sources.iter().map(|s| s.text.as_str()).collect();
    let history =
        Arc::new(History::from_inputs(&texts, &options.since).map_err(anyhow::Error::msg)?);
    for src in sources {
        src.release_all();
    }
    let mut walk = Walk {
        options,
        current: None,
        spool: Spool::default(),
        next: 0,
        loci: HashMap::new(),
        ignores: Vec::new(),
        late: Vec::new(),
        errors: HashSet::new(),
        settled: Settled::default(),
        summary: Summary::default(),
        alembic_failed: None,
        locator: options.scripts.clone().map(Locator::new),
        fingerprints: Fingerprints::default(),
        spool_error: None,
        sink,
    };
    for src in sources {
        analyze_source(src, &history, &mut walk);
    }
    if let Some(e) = walk.spool_error {
        anyhow::bail!("cannot read back the statements of a transaction (temporary file): {e}");
    }
    Ok(Outcome {
        files: sources.iter().map(|s| s.name.clone()).collect(),
        summary: walk.summary,
        alembic_failed: walk.alembic_failed,
        unmapped_revisions: walk
            .locator
            .map(|l| l.missing.into_iter().collect())
            .unwrap_or_default(),
    })
}

/// The whole report in memory (library use, tests).
pub fn report(sources: &[Source], options: &Options) -> anyhow::Result<Report> {
    let mut all = Collect::default();
    let outcome = run(sources, options, &mut all)?;
    Ok(Report {
        pg_version: options.pg_version,
        files: outcome.files,
        statements: all.statements,
        findings: all.findings,
        summary: outcome.summary,
    })
}

/// Where we are in a source: the directives (revision markers, ignores) the script stage found
/// and not yet passed, in order, and where the previous statement ended.
struct Cursor {
    directives: std::collections::VecDeque<Directive>,
    last_end: usize,
    /// The current revision marker is `Running downgrade`.
    downgrade: bool,
}

fn analyze_source(src: &Source, history: &Arc<History>, walk: &mut Walk) {
    let mut batches = parse::Batches::new(src);
    let mut cursor = Cursor {
        directives: Default::default(),
        last_end: src.content_start(),
        downgrade: false,
    };
    let mut session = Session::new(walk.options.pg_version, history.clone());
    let file: std::sync::Arc<str> = src.name.as_str().into();
    let mut batch = batches.next_batch();
    while !batch.parsed.is_empty() {
        cursor.directives.extend(batch.directives);
        // Parse the next batch on the pool while this thread analyses this one, in order.
        let mut next = parse::Batch::default();
        parse::pool().in_place_scope(|scope| {
            scope.spawn(|_| next = batches.next_batch());
            for p in batch.parsed {
                analyze_statement(src, &file, p, &mut cursor, &mut session, walk);
            }
            // The text behind is done with (a position looks back a few lines at most).
            src.release_before(cursor.last_end.saturating_sub(1 << 16));
        });
        batch = next;
    }
    if let Some(ended) = session.finish() {
        end_block(ended, walk);
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
    // A revision marker starts its revision; an ignore applies to the statement right after it.
    let mut ignore = None;
    while let Some(d) = cursor.directives.front()
        && d.start < p.start
    {
        let d = cursor.directives.pop_front().expect("front exists");
        match d.kind {
            DirectiveKind::Revision(r) => {
                cursor.downgrade = r.downgrade;
                session.enter_revision(&Arc::from(r.id));
            }
            DirectiveKind::Ignore(i) if d.end >= cursor.last_end => ignore = Some(i),
            DirectiveKind::Ignore(_) => {}
        }
    }
    cursor.last_end = p.end;
    // Alembic's own failure line (it may hold a quote, so the splitter can see an open string).
    if matches!(p.body, Body::NonSql | Body::SyntaxError { .. }) && walk.alembic_failed.is_none() {
        let text = src.text[p.start..p.end].trim_start();
        if text.starts_with("FAILED:") {
            let pos = src.position(p.start);
            let line = text.lines().next().unwrap_or(text);
            walk.alembic_failed = Some(format!("{}:{}: {line}", src.name, pos.line));
        }
    }
    // A revision production already has: learn the schema from it, report nothing. Transaction
    // control and settings still apply (later revisions may run in the same transaction).
    if session.in_history() {
        let structural = matches!(&p.body, Body::Parsed(op) if matches!(**op, Op::Transaction { .. } | Op::Set { .. }));
        if !structural {
            walk.summary.read += 1;
            walk.summary.history += 1;
            if let Body::Parsed(op) = &p.body {
                let mut ops: Vec<&Op> = vec![op];
                let inner: Vec<Op> = match op.as_ref() {
                    Op::Do { statements, .. } => {
                        statements.iter().flat_map(|s| parse_inner(s)).collect()
                    }
                    _ => vec![],
                };
                ops.extend(inner.iter());
                session.learn(&ops);
            }
            return;
        }
    }
    let index = walk.next_index();
    let pos = src.position(p.start);
    // The last character's first byte (the statement's text may end in a multi-byte one).
    let mut last = p.end.saturating_sub(1).max(p.start);
    while last > p.start && !src.text.is_char_boundary(last) {
        last -= 1;
    }
    let end_pos = src.position(last);
    let mut st = StatementReport {
        index,
        file: file.clone(),
        line: pos.line,
        column: pos.column,
        end_line: end_pos.line,
        end_column: end_pos.column,
        revision: session.revision_id(),
        migration_file: None,
        migration_line: None,
        sql: src.text[p.start..p.end].to_string(),
        parsed: matches!(p.body, Body::Parsed(_)),
        kind: StatementKind::Unknown,
        locks: Vec::new(),
        unresolved_locks: Vec::new(),
        locks_known: true,
        rewrite: false,
        slow: false,
        scan: false,
        empties: false,
        in_transaction: session.in_block(),
        lock_timeout: session.lock_timeout().map(String::from),
        statement_timeout: session.statement_timeout().map(String::from),
        held_until: None,
    };
    if let (Some(locator), Some(revision)) = (walk.locator.as_mut(), st.revision.as_deref()) {
        let op = match &p.body {
            Body::Parsed(op) => Some(op.as_ref()),
            _ => None,
        };
        if let Some(o) = locator.locate(revision, cursor.downgrade, op, &st.sql) {
            st.migration_file = Some(o.file);
            st.migration_line = Some(o.line);
        }
    }
    walk.summary.read += 1;
    if st.parsed {
        walk.summary.parsed += 1;
    } else {
        walk.summary.unparseable += 1;
    }
    match p.body {
        Body::Parsed(op) => {
            let classified = classify::classify(&op, &session.catalog);
            let (mut locks, mut effect) = classify::resolve(&classified, session.version);
            let mut unknown = classified.unknown.clone();
            let mut inner: Vec<(Op, Classified)> = Vec::new();
            if let Op::Do { statements, .. } = op.as_ref() {
                for sql in statements {
                    for o in parse_inner(sql) {
                        let c = classify::classify(&o, &session.catalog);
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
            st.kind = classify::kind(&op, &classified, unknown.is_some());
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
            st.empties = effect.empties();
            // Slow: it scans or rewrites a table production has, or backfills one.
            st.slow = (effect.scans() && locks.iter().any(|l| !session.is_new(&l.relation)))
                || std::iter::once(op.as_ref())
                    .chain(inner.iter().map(|(o, _)| o))
                    .any(|o| session.backfill(o).is_some());
            st.locks = locks;
            st.unresolved_locks = classify::unresolved(&classified, session.version);
            walk.push(st, ignore.clone());
            let drafts = {
                let ctx = StmtCtx {
                    index,
                    sql: &walk.cur().sql,
                    op: &op,
                    classified: &classified,
                    locks: &walk.cur().locks,
                    effect,
                    session,
                    unknown: unknown.as_deref(),
                    inner: &inner,
                };
                rules::check_statement(&ctx)
            };
            for d in drafts {
                if d.rule == RuleId::MissingLockTimeout && !session.in_block() {
                    session.note_lock_timeout_reported();
                }
                walk.finding(index, d);
            }
            let st = &mut walk.current.as_mut().expect("pushed above").st;
            let ended = session::step(session, &op, &inner, st);
            walk.keep(session);
            if let Some(ended) = ended {
                end_block(ended, walk);
            }
        }
        other => {
            st.kind = match &other {
                Body::SyntaxError { .. } => StatementKind::SyntaxError,
                Body::NonSql => StatementKind::NonSql,
                Body::PsqlMeta => StatementKind::PsqlMeta,
                Body::CopyData => StatementKind::CopyData,
                Body::Parsed(_) => unreachable!(),
            };
            walk.push(st, ignore.clone());
            if let Some(block) = session.block.as_mut() {
                block.run(walk.cur());
            }
            for d in rules::check_unparsed(&other, src, walk.cur()) {
                walk.finding(index, d);
            }
        }
    }
    if let Some(i) = &ignore {
        for d in rules::check_ignore(i) {
            walk.finding(index, d);
        }
    }
    project_rules(walk, index, cursor.downgrade);
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

/// Settles how long an ended block held its locks, then runs the rules over the whole block.
fn end_block(ended: Ended, walk: &mut Walk) {
    walk.settled = session::settle(&ended);
    let errors = &walk.errors;
    let drafts = rules::check_transaction(
        &ended.block,
        &walk.settled,
        ended.end.map(|(_, l)| l),
        &|i| errors.contains(&i),
    );
    for (i, d) in drafts {
        walk.finding(i, d);
    }
}

/// The rules over the project's files (`--alembic-dir`), placed on the first statement they
/// concern: alembic.ini and env.py on the first statement of the run, a script on the first
/// statement of its revision. Their findings point at the file and line they are about.
fn project_rules(walk: &mut Walk, index: usize, downgrade: bool) {
    let revision = walk.cur().revision.clone();
    let Some(locator) = walk.locator.as_mut() else {
        return;
    };
    let mut drafts: Vec<Draft> = Vec::new();
    for path in locator.take_config_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file: Arc<str> = path.display().to_string().into();
        for (line, mut d) in rules::check_project_file(&file, &text) {
            d.at = Some((file.clone(), line));
            drafts.push(d);
        }
    }
    if let Some(rev) = revision.as_deref()
        && !downgrade
        && let Some((script, file)) = locator.first_sight(rev)
        && let Some((line, mut d)) = rules::check_script(script)
    {
        d.at = Some((file, line));
        drafts.push(d);
    }
    for d in drafts {
        walk.finding(index, d);
    }
}
