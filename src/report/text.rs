//! Terminal report. By default short: the statements that matter, one line each; then one
//! compact block per finding (position, severity, rule and the message's first sentence on one
//! line, the fix on the next); the whole recipe (SQL and Alembic) under the first error of each
//! rule, later findings of the rule pointing at it with their own table and column; a code
//! block is never printed twice. `verbose`: the full form, a bordered table and every finding
//! with its statement, its whole message and its whole recipe. Colour only when asked for by
//! the caller.

use crate::model::{Finding, Report, Severity, Sink, StatementReport};
use crate::spool::Bytes;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;
use std::io::{Read, Write};

#[derive(Clone)]
pub struct TextOptions {
    pub color: bool,
    /// List every statement and every note, not only statements with findings or blocking
    /// locks and findings above info.
    pub all: bool,
    pub width: u16,
    /// The full form: a bordered table, and every finding with its statement, its whole
    /// message and its whole recipe (default: compact, each recipe once).
    pub verbose: bool,
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_color(s: Severity) -> (Color, &'static str) {
    match s {
        Severity::Error => (Color::Red, "31;1"),
        Severity::Warning => (Color::Yellow, "33;1"),
        Severity::Info => (Color::Cyan, "36"),
    }
}

fn first_line(sql: &str, max: usize) -> String {
    let one: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max - 1).collect::<String>())
    } else {
        one
    }
}

fn lock_cell(st: &StatementReport) -> String {
    if !st.locks_known {
        return "unknown".into();
    }
    let mut modes: Vec<crate::locks::LockMode> = st.locks.iter().map(|l| l.mode).collect();
    modes.dedup();
    let mut lines: Vec<String> = st
        .locks
        .iter()
        .map(|l| format!("{} on {}", l.mode.sql_name(), l.relation))
        .collect();
    for m in modes {
        let more = unresolved(st, m);
        if !more.is_empty() {
            lines.push(format!("{}{more}", m.sql_name()));
        }
    }
    lines.join("\n")
}

fn blocks_cell(st: &StatementReport, worst: Option<Severity>) -> String {
    let strongest = st.locks.iter().map(|l| l.mode).max();
    // A statement with an error whose table lock blocks neither reads nor writes: say what the
    // error is about (the row locks of slow DML, or the finding).
    if worst == Some(Severity::Error) && !strongest.is_some_and(|m| m.is_dangerous()) {
        return if st.slow && st.kind.is_dml() {
            "writes to the rows\nit changes (row locks)".into()
        } else {
            let what = strongest.map_or("nothing".into(), |m| m.blocks().describe());
            format!("{what} while it runs\n(see the finding)")
        };
    }
    match (strongest, &st.held_until) {
        (Some(m), Some(h)) if m.is_dangerous() => {
            let what = m.blocks().describe();
            match h.line {
                Some(l) if l != st.line => format!("{what}\nuntil line {l}"),
                Some(_) => what,
                None => format!("{what}\nuntil end of input"),
            }
        }
        (Some(m), _) if m.is_dangerous() => format!("{} (new table)", m.blocks().describe()),
        (Some(m), _) => m.blocks().describe(),
        _ => String::new(),
    }
}

fn effect_cell(st: &StatementReport) -> &'static str {
    if st.rewrite {
        "rewrite"
    } else if st.scan {
        "scan"
    } else if st.empties {
        "empties"
    } else if st.parsed && st.locks_known {
        "-"
    } else {
        "?"
    }
}

/// Each statement's most severe finding (ignored ones aside), and the statements that matter:
/// those with a finding above info, and those a finding names (each statement whose lock slow
/// work extends); a brief hold nobody reports is not a row. `--all`: every statement.
fn rows<'a>(
    report: &'a Report,
    opts: &TextOptions,
) -> (Vec<Option<Severity>>, Vec<&'a StatementReport>) {
    let mut worst = vec![None; report.statements.len()];
    for f in report.findings.iter().filter(|f| !f.ignored) {
        worst[f.statement] = worst[f.statement].max(Some(f.severity));
    }
    let mut named = vec![false; report.statements.len()];
    for f in report
        .findings
        .iter()
        .filter(|f| !f.ignored && f.severity > Severity::Info)
    {
        for &i in &f.related {
            named[i] = true;
        }
    }
    let rows = report
        .statements
        .iter()
        .filter(|s| {
            opts.all || worst[s.index].is_some_and(|w| w > Severity::Info) || named[s.index]
        })
        .collect();
    (worst, rows)
}

/// The report: compact by default, the full form with `verbose`.
pub fn render(report: &Report, opts: &TextOptions) -> String {
    if opts.verbose {
        return render_full(report, opts);
    }
    let mut stream = TextStream::begin(Vec::new(), opts.clone(), report.pg_version, &report.files);
    report.replay(&mut stream);
    String::from_utf8(stream.finish(&report.summary).expect("writing to memory"))
        .expect("the report is UTF-8")
}

/// The full form (`--verbose`): the statements in a bordered table, then every finding with
/// its statement and its whole recipe.
fn render_full(report: &Report, opts: &TextOptions) -> String {
    let mut out = String::new();
    let (worst, rows) = rows(report, opts);
    if !rows.is_empty() {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(opts.width);
        if !opts.color {
            table.force_no_tty();
        } else {
            table.enforce_styling();
        }
        let multi_file = report.files.len() > 1;
        table.set_header(vec![
            "line",
            "revision",
            "statement",
            "lock",
            "blocks",
            "effect",
            "severity",
        ]);
        for st in rows {
            let line = if multi_file {
                format!("{}:{}", st.file, st.line)
            } else {
                st.line.to_string()
            };
            let sev = worst[st.index];
            let mut sev_cell = Cell::new(sev.map_or("", |s| s.as_str()));
            if let (Some(s), true) = (sev, opts.color) {
                sev_cell = sev_cell.fg(severity_color(s).0);
            }
            table.add_row(vec![
                Cell::new(line),
                Cell::new(st.revision.as_deref().unwrap_or("")),
                Cell::new(first_line(&st.sql, 60)),
                Cell::new(lock_cell(st)),
                Cell::new(blocks_cell(st, sev)),
                Cell::new(effect_cell(st)),
                sev_cell,
            ]);
        }
        writeln!(out, "{table}").unwrap();
        explain_line(&mut out, &report.dangerous_modes());
        writeln!(out).unwrap();
    }
    for f in shown_findings(report, opts) {
        finding(&mut out, f, report, opts.color);
    }
    summary_line(&mut out, report.pg_version, &report.summary);
    out
}

/// Each lock mode that blocks reads or writes, with the command that explains it.
fn explain_line(out: &mut String, modes: &[crate::locks::LockMode]) {
    if !modes.is_empty() {
        let names: Vec<String> = modes
            .iter()
            .map(|m| format!("pgrisk explain {}", m.explain_name()))
            .collect();
        writeln!(
            out,
            "what each lock blocks, who takes it: {}",
            names.join(" | ")
        )
        .unwrap();
    }
}

/// Notes (info) are context, not problems: listed only with --all.
fn shown_findings<'a>(report: &'a Report, opts: &TextOptions) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| !f.ignored && (opts.all || f.severity > Severity::Info))
        .collect()
}

fn summary_line(out: &mut String, pg_version: u32, s: &crate::model::Summary) {
    writeln!(
        out,
        "pgrisk: PostgreSQL {}: {} statements read ({} parsed, {} unparseable; {} classified, {} unknown); {} errors, {} warnings, {} notes{}{}",
        pg_version, s.read, s.parsed, s.unparseable, s.classified, s.unknown, s.errors, s.warnings, s.infos,
        if s.ignored > 0 { format!("; {} ignored", s.ignored) } else { String::new() },
        if s.history > 0 { format!("; {} statements of history revisions (--since) not reported", s.history) } else { String::new() },
    )
    .unwrap();
}

/// One finding in full: position, rule, statement, message, and the whole recipe.
fn finding(out: &mut String, f: &Finding, report: &Report, color: bool) {
    let (_, code) = severity_color(f.severity);
    let rev = f
        .revision
        .as_deref()
        .map_or(String::new(), |r| format!(" (revision {r})"));
    writeln!(
        out,
        "{}: {} [{}]{}",
        f.position(),
        paint(f.severity.as_str(), code, color),
        paint(f.rule.as_str(), "1", color),
        rev
    )
    .unwrap();
    writeln!(
        out,
        "  {}",
        first_line(&report.statements[f.statement].sql, 100)
    )
    .unwrap();
    writeln!(out, "  {}", f.message).unwrap();
    if let Some(d) = f.duration {
        writeln!(
            out,
            "  holds its lock for {d}, by the table's size (--stats)"
        )
        .unwrap();
    }
    if f.severity > Severity::Info {
        recipe(out, f, color);
    } else {
        writeln!(out).unwrap();
    }
}

/// A finding's whole recipe: summary, then each phase with its SQL and Alembic code.
fn recipe(out: &mut String, f: &Finding, color: bool) {
    let Some(s) = f.suggestion.render() else {
        writeln!(out).unwrap();
        return;
    };
    writeln!(
        out,
        "  {} {}",
        paint("fix:", "32;1", color),
        s.summary.replace('\n', "\n  ")
    )
    .unwrap();
    for (i, p) in s.phases.iter().enumerate() {
        writeln!(
            out,
            "  {}. {}: {}",
            i + 1,
            paint(&p.name, "1", color),
            p.summary
        )
        .unwrap();
        if !p.sql.is_empty() {
            writeln!(out, "     SQL:").unwrap();
            for l in p.sql.lines() {
                writeln!(out, "       {l}").unwrap();
            }
        }
        if !p.alembic.is_empty() {
            writeln!(out, "     Alembic:").unwrap();
            for l in p.alembic.lines() {
                writeln!(out, "       {l}").unwrap();
            }
        }
    }
    writeln!(out).unwrap();
}

/// Whitespace runs as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first sentence of a text, and the rest: a sentence ends at a period followed by a space
/// and a capital letter (or at the end).
fn split_sentence(s: &str) -> (String, String) {
    let s = one_line(s);
    let mut from = 0;
    while let Some(p) = s[from..].find(". ") {
        let end = from + p + 1;
        if s[end + 1..].starts_with(|c: char| c.is_uppercase()) {
            return (s[..end].to_string(), s[end + 1..].to_string());
        }
        from = end;
    }
    (s, String::new())
}

/// The locks of a statement grouped by mode, strongest first: `ACCESS EXCLUSIVE on a, b`.
fn compact_locks(st: &StatementReport) -> String {
    if !st.locks_known {
        return "locks unknown".into();
    }
    let mut modes: Vec<crate::locks::LockMode> = st.locks.iter().map(|l| l.mode).collect();
    modes.sort_unstable_by(|a, b| b.cmp(a));
    modes.dedup();
    modes
        .iter()
        .map(|m| {
            let rels: Vec<String> = st
                .locks
                .iter()
                .filter(|l| l.mode == *m)
                .map(|l| l.relation.to_string())
                .collect();
            format!(
                "{} on {}{}",
                m.sql_name(),
                rels.join(", "),
                unresolved(st, *m)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// ` (and its partitions and inheritance children, if any)`: the relations of `mode` the input
/// never showed, when that mode blocks reads or writes.
fn unresolved(st: &StatementReport, mode: crate::locks::LockMode) -> String {
    if !mode.is_dangerous() {
        return String::new();
    }
    let several = st.locks.len() > 1;
    let parts: Vec<String> = st
        .unresolved_locks
        .iter()
        .filter(|u| u.mode == mode)
        .map(|u| match u.what.strip_prefix("its ") {
            Some(rest) if several => match rest.strip_suffix(", if any") {
                Some(core) => format!("{core} of {}, if any", u.of),
                None => format!("{rest} of {}", u.of),
            },
            _ => u.what.to_string(),
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (and {})", parts.join("; "))
    }
}

/// The default form: the statements that matter, one line each; then one compact block per
/// finding (position, severity, rule and the message's first sentence; the fix in one line).
/// The full recipe (SQL and Alembic) is printed under the first error of each rule; the other
/// findings of the rule point at it and name their own table and column, warnings of a rule
/// without an error give the fix in one sentence (`--verbose` or `pgrisk explain` for the
/// recipe). A code block already printed is not printed again: the recipe points at it.
///
/// Written as the analysis goes: the table's columns are as wide as their widest cell, known
/// only at the end, so its rows wait in a spool, and the findings' blocks in another (each a
/// temporary file past 256 kB). Memory holds the column widths, the lock modes seen, the
/// statement whose findings are still coming, and what the recipes shown so far are.
pub struct TextStream<W: Write> {
    out: W,
    opts: TextOptions,
    pg_version: u32,
    multi_file: bool,
    /// Rows of the statement table: six length-prefixed cells and the row's severity.
    rows: Bytes,
    any_row: bool,
    blocks: Bytes,
    /// The last two bytes of `blocks` (the report ends its blocks with a blank line).
    blocks_tail: [u8; 2],
    widths: [usize; 6],
    modes: Vec<crate::locks::LockMode>,
    /// The statement whose findings are still coming, and its worst finding so far.
    current: Option<(StatementReport, Option<Severity>)>,
    /// Statements a finding above info names (they come after it): they get a row.
    named: std::collections::HashSet<usize>,
    shown: Shown,
    error: Option<std::io::Error>,
}

const HEADER: [&str; 6] = [
    "line",
    "revision",
    "severity",
    "effect",
    "statement",
    "locks: what they block, until",
];

impl<W: Write> TextStream<W> {
    pub fn begin(out: W, opts: TextOptions, pg_version: u32, files: &[String]) -> Self {
        TextStream {
            out,
            opts,
            pg_version,
            multi_file: files.len() > 1,
            rows: Bytes::default(),
            any_row: false,
            blocks: Bytes::default(),
            blocks_tail: [0; 2],
            widths: HEADER.map(|h| h.chars().count()),
            modes: Vec::new(),
            current: None,
            named: Default::default(),
            shown: Shown::default(),
            error: None,
        }
    }

    /// The statement whose findings have all come: a row when it matters.
    fn settle(&mut self) {
        let Some((st, sev)) = self.current.take() else {
            return;
        };
        let named = self.named.remove(&st.index);
        if !(self.opts.all || sev.is_some_and(|w| w > Severity::Info) || named) {
            return;
        }
        let blocks = one_line(&blocks_cell(&st, sev));
        let locks = compact_locks(&st);
        let lock = match (locks.is_empty(), blocks.is_empty()) {
            (_, true) => locks,
            (true, false) => format!("blocks {blocks}"),
            (false, false) => format!("{locks}: blocks {blocks}"),
        };
        let cells = [
            if self.multi_file {
                format!("{}:{}", st.file, st.line)
            } else {
                st.line.to_string()
            },
            st.revision.as_deref().unwrap_or("-").to_string(),
            sev.map_or("-", |s| s.as_str()).to_string(),
            effect_cell(&st).to_string(),
            first_line(&st.sql, 44),
            lock,
        ];
        let mut rec = Vec::new();
        for (w, cell) in self.widths.iter_mut().zip(&cells) {
            *w = (*w).max(cell.chars().count());
            rec.extend_from_slice(&(cell.len() as u64).to_le_bytes());
            rec.extend_from_slice(cell.as_bytes());
        }
        rec.push(sev.map_or(0, |s| s as u8 + 1));
        self.any_row = true;
        let r = self.rows.write_all(&rec);
        self.record(r);
    }

    fn record(&mut self, r: std::io::Result<()>) {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    /// One line of the table, padded to the final widths.
    fn line(&self, out: &mut String, cells: [&str; 6], sev: Option<Severity>) {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 5 {
                l.push_str(cell);
                break;
            }
            let pad = self.widths[i] - cell.chars().count();
            match (i, sev) {
                (2, Some(s)) if self.opts.color => {
                    l.push_str(&paint(cell, severity_color(s).1, true))
                }
                _ => l.push_str(cell),
            }
            l.push_str(&" ".repeat(pad + 2));
        }
        writeln!(out, "{}", l.trim_end()).unwrap();
    }

    pub fn finish(mut self, summary: &crate::model::Summary) -> std::io::Result<W> {
        self.settle();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut written = false;
        if self.any_row {
            let mut text = String::new();
            self.line(&mut text, HEADER, None);
            self.out.write_all(text.as_bytes())?;
            let rows = std::mem::take(&mut self.rows);
            let mut r = rows.reader()?;
            let mut len = [0u8; 8];
            'rows: loop {
                let mut cells: [String; 6] = Default::default();
                for (i, cell) in cells.iter_mut().enumerate() {
                    match r.read_exact(&mut len) {
                        Ok(()) => {}
                        Err(e) if i == 0 && e.kind() == std::io::ErrorKind::UnexpectedEof => {
                            break 'rows;
                        }
                        Err(e) => return Err(e),
                    }
                    let mut buf = vec![0u8; u64::from_le_bytes(len) as usize];
                    r.read_exact(&mut buf)?;
                    *cell = String::from_utf8(buf).map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::InvalidData, "text spool")
                    })?;
                }
                let mut sev = [0u8];
                r.read_exact(&mut sev)?;
                let sev = match sev[0] {
                    1 => Some(Severity::Info),
                    2 => Some(Severity::Warning),
                    3 => Some(Severity::Error),
                    _ => None,
                };
                text.clear();
                self.line(&mut text, cells.each_ref().map(String::as_str), sev);
                self.out.write_all(text.as_bytes())?;
            }
            text.clear();
            explain_line(&mut text, &self.modes);
            writeln!(text).unwrap();
            self.out.write_all(text.as_bytes())?;
            written = true;
        }
        let blocks = std::mem::take(&mut self.blocks);
        let tail = if blocks.is_empty() {
            if written { *b"\n\n" } else { [0; 2] }
        } else {
            written = true;
            self.blocks_tail
        };
        blocks.copy_to(&mut self.out)?;
        let mut text = String::new();
        if written && tail != *b"\n\n" {
            writeln!(text).unwrap();
        }
        summary_line(&mut text, self.pg_version, summary);
        self.out.write_all(text.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for TextStream<W> {
    fn statement(&mut self, statement: StatementReport) {
        self.settle();
        for l in &statement.locks {
            if l.mode.is_dangerous() && !self.modes.contains(&l.mode) {
                self.modes.push(l.mode);
                self.modes = crate::model::dangerous(self.modes.iter().copied());
            }
        }
        self.current = Some((statement, None));
    }

    fn finding(&mut self, f: Finding) {
        if f.ignored {
            return;
        }
        if let Some((st, worst)) = &mut self.current
            && st.index == f.statement
        {
            *worst = (*worst).max(Some(f.severity));
        }
        if f.severity > Severity::Info {
            self.named.extend(f.related.iter().copied());
        }
        if !(self.opts.all || f.severity > Severity::Info) {
            return;
        }
        let mut text = String::new();
        compact_finding(&mut text, &f, self.opts.color, &mut self.shown);
        let b = text.as_bytes();
        match b.len() {
            0 => {}
            1 => self.blocks_tail = [self.blocks_tail[1], b[0]],
            n => self.blocks_tail = [b[n - 2], b[n - 1]],
        }
        let r = self.blocks.write_all(b);
        self.record(r);
    }
}

/// The fix in a few words: the first sentence of the recipe's summary, up to the first colon,
/// semicolon or parenthesis outside backquotes (what the rest of the sentence details).
fn short_fix(summary: &str) -> String {
    let (first, _) = split_sentence(summary);
    let mut quoted = false;
    for (i, c) in first.char_indices() {
        if c == '`' {
            quoted = !quoted;
        }
        let rest = &first[i..];
        if !quoted
            && i >= 20
            && (rest.starts_with(": ") || rest.starts_with("; ") || rest.starts_with(" ("))
        {
            return first[..i].to_string();
        }
    }
    first
}

/// What the compact form has shown of each rule: where its first finding is, and whether (and
/// where, with which table and column) its full recipe was printed.
#[derive(Default)]
struct Shown {
    rules: Vec<RuleShown>,
    /// Code blocks printed, and the line of the finding they were printed under.
    blocks: std::collections::HashMap<String, usize>,
}

struct RuleShown {
    /// The rule whose recipe it is (a finding may give another rule's recipe).
    rule: crate::model::RuleId,
    first_line: usize,
    recipe: Option<(usize, Option<String>, Option<String>)>,
}

fn compact_finding(out: &mut String, f: &Finding, color: bool, shown: &mut Shown) {
    let (_, code) = severity_color(f.severity);
    let (message, _) = split_sentence(&f.message);
    let duration = f.duration.map_or(String::new(), |d| {
        format!(" (holds its lock for {d}, by --stats)")
    });
    writeln!(
        out,
        "{}: {} [{}] {message}{duration}",
        f.position(),
        paint(f.severity.as_str(), code, color),
        paint(f.rule.as_str(), "1", color),
    )
    .unwrap();
    let suggestion = (f.severity > Severity::Info)
        .then(|| f.suggestion.render())
        .flatten();
    let Some(s) = suggestion else {
        return;
    };
    let fix = paint("fix:", "32;1", color);
    let table = f.suggestion.vars.get("table").map(str::to_string);
    let column = f.suggestion.vars.get("column").map(str::to_string);
    let seen = shown.rules.iter().position(|r| r.rule == f.suggestion.rule);
    let recipe_at = seen.and_then(|i| shown.rules[i].recipe.clone());
    match (seen, recipe_at) {
        // The recipe of this rule is above: the same with this finding's table and column.
        (Some(_), Some((at, t, c))) => {
            let mut names = Vec::new();
            if table != t {
                names.extend(table.as_deref().map(|t| format!("table {t}")));
            }
            if column != c || (table != t && column.is_some()) {
                names.extend(column.as_deref().map(|c| format!("column {c}")));
            }
            let with = if names.is_empty() {
                String::new()
            } else {
                format!(", with {}", names.join(", "))
            };
            writeln!(
                out,
                "  {fix} {} (recipe at line {at}{with})",
                short_fix(&s.summary)
            )
            .unwrap();
            return;
        }
        // A warning of a rule already seen, without its recipe.
        (Some(i), None) if f.severity < Severity::Error => {
            writeln!(
                out,
                "  {fix} {} (as at line {})",
                short_fix(&s.summary),
                shown.rules[i].first_line
            )
            .unwrap();
            return;
        }
        // The first warning of a rule: the fix in one sentence; the recipe with --verbose.
        (None, _) if f.severity < Severity::Error => {
            shown.rules.push(RuleShown {
                rule: f.suggestion.rule,
                first_line: f.line,
                recipe: None,
            });
            writeln!(
                out,
                "  {fix} {} (recipe: --verbose, or pgrisk explain {})",
                split_sentence(&s.summary).0,
                f.rule
            )
            .unwrap();
            return;
        }
        _ => {}
    }
    // The first error of a rule: the whole recipe.
    let recipe = Some((f.line, table, column));
    match seen {
        Some(i) => shown.rules[i].recipe = recipe,
        None => shown.rules.push(RuleShown {
            rule: f.suggestion.rule,
            first_line: f.line,
            recipe,
        }),
    }
    writeln!(out, "  {fix} {}", one_line(&s.summary)).unwrap();
    for (i, p) in s.phases.iter().enumerate() {
        writeln!(
            out,
            "  {}. {}: {}",
            i + 1,
            paint(&p.name, "1", color),
            p.summary
        )
        .unwrap();
        for (label, code) in [("SQL", &p.sql), ("Alembic", &p.alembic)] {
            if code.is_empty() {
                continue;
            }
            if let Some(at) = shown.blocks.get(code.as_str()) {
                writeln!(out, "     {label}: as in the recipe at line {at}").unwrap();
                continue;
            }
            shown.blocks.insert(code.clone(), f.line);
            writeln!(out, "     {label}:").unwrap();
            for l in code.lines() {
                writeln!(out, "       {l}").unwrap();
            }
        }
    }
    writeln!(out).unwrap();
}
