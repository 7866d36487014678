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
use crate::session::{self, Ended, Session, WindowMut};
use crate::source::Source;
use crate::suggest;
use crate::{Options, Severity};
use std::sync::Arc;

/// Everything collected while walking: statements not yet final, and the findings.
struct Walk<'a> {
    options: &'a Options,
    /// Statements of the open transaction (or the one being analysed), from global index `base`.
    pending: std::collections::VecDeque<StatementReport>,
    /// The ignore directive right before each pending statement, and whether it ignored anything.
    ignores: std::collections::VecDeque<Option<(Ignore, bool)>>,
    base: usize,
    /// Findings on pending statements.
    findings: Vec<Finding>,
    summary: Summary,
    /// Where Alembic printed `FAILED: …`, and that line.
    alembic_failed: Option<String>,
    /// Maps statements to the `op.*` calls of the migration scripts (`--alembic-dir`).
    locator: Option<Locator>,
    /// Fingerprints handed out so far (repeats of a rule, revision and statement text).
    fingerprints: Fingerprints,
    sink: &'a mut dyn Sink,
}

impl Walk<'_> {
    fn next_index(&self) -> usize {
        self.base + self.pending.len()
    }

    fn st(&self, i: usize) -> &StatementReport {
        &self.pending[i - self.base]
    }

    fn push(&mut self, st: StatementReport, ignore: Option<Ignore>) {
        self.pending.push_back(st);
        self.ignores.push_back(ignore.map(|i| (i, false)));
    }

    fn window(&mut self) -> WindowMut<'_> {
        WindowMut {
            base: self.base,
            items: self.pending.make_contiguous(),
        }
    }

    /// Hands every pending statement and its findings to the sink (its transaction has ended).
    fn flush(&mut self) {
        // An ignore that matched no finding is stale (or on the wrong statement): say so.
        let unused: Vec<(usize, Ignore)> = self
            .ignores
            .drain(..)
            .enumerate()
            .filter_map(|(i, ig)| {
                ig.filter(|(_, used)| !used)
                    .map(|(ig, _)| (self.base + i, ig))
            })
            .collect();
        for (statement, ignore) in unused {
            if let Some(d) = rules::check_unused_ignore(&ignore) {
                self.place(statement, d, None, None);
            }
        }
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
                _ if f.ignored => self.summary.ignored += 1,
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => self.summary.infos += 1,
            }
            self.sink.finding(f);
        }
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
        let slot = statement - self.base;
        let mut ignored = None;
        if let Some((ignore, used)) = &mut self.ignores[slot]
            && ignore.covers(draft.rule)
        {
            *used = true;
            ignored = Some(ignore.reason.clone());
        }
        let revision = self.pending[slot].revision.as_deref();
        if ignored.is_none()
            && let Some(i) = config.ignores.iter().find(|i| {
                Some(i.revision.as_str()) == revision
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
        let stats = self.options.stats.as_ref()?;
        let st = &self.pending[statement - self.base];
        let sizes: Vec<_> = st
            .locks
            .iter()
            .filter_map(|l| stats.get(&l.relation))
            .collect();
        let largest = sizes.iter().max_by_key(|s| s.bytes)?;
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
        let s = &self.pending[statement - self.base];
        let (migration_file, migration_line) = match draft.at {
            Some((f, l)) => (Some(f), Some(l)),
            None => (s.migration_file.clone(), s.migration_line),
        };
        self.findings.push(Finding {
            rule: draft.rule,
            severity: draft.severity,
            file: s.file.clone(),
            line: s.line,
            column: s.column,
            end_line: s.end_line,
            end_column: s.end_column,
            revision: s.revision.clone(),
            migration_file,
            migration_line,
            statement,
            message: draft.message,
            duration,
            related: draft.related,
            ignored: ignored.is_some(),
            ignore_reason: ignored.flatten(),
            fingerprint: self
                .fingerprints
                .next(draft.rule.as_str(), s.revision.as_deref(), &s.sql),
            suggestion: suggest::LazySuggestion {
                rule: draft.recipe,
                vars: draft.vars,
            },
        });
    }
}

/// Analyses `sources` in order (each a separate session), handing statements and findings to
/// `sink` as soon as they are final. Fails only when `options.since` names a revision that no
/// revision marker of the inputs mentions.
pub fn run(sources: &[Source], options: &Options, sink: &mut dyn Sink) -> anyhow::Result<Outcome> {
    let texts: Vec<&str> = sources.iter().map(|s| s.text.as_str()).collect();
    let history =
        Arc::new(History::from_inputs(&texts, &options.since).map_err(anyhow::Error::msg)?);
    let mut walk = Walk {
        options,
        pending: Default::default(),
        ignores: Default::default(),
        base: 0,
        findings: Vec::new(),
        summary: Summary::default(),
        alembic_failed: None,
        locator: options.scripts.clone().map(Locator::new),
        fingerprints: Fingerprints::default(),
        sink,
    };
    for src in sources {
        analyze_source(src, &history, &mut walk);
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
                    sql: &walk.st(index).sql,
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
                if d.rule == RuleId::MissingLockTimeout && !session.in_block() {
                    session.note_lock_timeout_reported();
                }
                walk.finding(index, d);
            }
            if let Some(ended) = session::step(session, &op, &inner, index, &mut walk.window()) {
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
                block.statements.push(index);
            }
            for d in rules::check_unparsed(&other, src, walk.st(index)) {
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
    let errors: std::collections::HashSet<usize> = walk
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !f.ignored)
        .map(|f| f.statement)
        .collect();
    let mut window = walk.window();
    session::settle(&ended, &mut window);
    let drafts = rules::check_transaction(
        &ended.block,
        &window.view(),
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
    let revision = walk.st(index).revision.clone();
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
