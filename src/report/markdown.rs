//! Markdown for a pull-request comment: a summary per revision, a lock timeline per transaction
//! (Mermaid, which GitHub renders), then each revision's findings with their recipes folded in
//! `<details>`. Always under GitHub's 65,536-character limit: past the budget it leaves out the
//! recipes, then lists findings per rule with counts, then keeps the summary alone, and says so.
//!
//! Written from the analysis as it goes (`MarkdownStream`): the comment is small by design, so
//! each level of detail is built at once, in memory, and a level is dropped as soon as its
//! findings alone pass the budget. Memory holds those (bounded) texts, the revision being read,
//! at most `MAX_ROWS` summary rows and `MAX_TX` transactions of the timeline. A revision that
//! comes back after another one (a second input, a downgrade) gets a second row and section.

use crate::locks::LockMode;
use crate::model::{Finding, Report, Severity, Sink, StatementReport, Summary};
use std::fmt::Write;

/// GitHub refuses comments over 65,536 characters; keep a margin for the note on what was left out.
pub const BUDGET: usize = 60_000;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴",
        Severity::Warning => "🟡",
        Severity::Info => "🔵",
    }
}

pub fn render(report: &Report) -> String {
    let mut stream = MarkdownStream::new(report.pg_version);
    report.replay(&mut stream);
    stream.finish(&report.summary)
}

/// At most this many rows in the summary table, transactions and bars per transaction drawn.
const MAX_ROWS: usize = 150;
const MAX_TX: usize = 5;
const MAX_BARS: usize = 25;

/// One held lock on the timeline: relation, mode, from line, to line.
type Bar = (String, LockMode, usize, usize);

/// A run of statements of one revision (None: before any marker) and what its summary row and
/// its findings' sections need.
struct Run {
    revision: Option<std::sync::Arc<str>>,
    /// The worst finding shown (not ignored, above info).
    worst: Option<Severity>,
    /// Tables locked ACCESS EXCLUSIVE by statements that hold their locks, in order.
    ael: Vec<String>,
    /// The longest hold: (later statements, statement line, COMMIT line).
    longest: Option<(usize, usize, Option<usize>)>,
    /// Findings shown: per rule, its first severity and how many (Counts).
    counts: Vec<(crate::model::RuleId, Severity, usize)>,
    /// The findings table (NoRecipes and Full) and the recipes under it (Full).
    rows: String,
    recipes: String,
}

/// A level of detail being built: its findings' sections, or None once they pass the budget.
struct Level {
    text: Option<String>,
    chars: usize,
}

impl Level {
    fn push(&mut self, s: &str) {
        if let Some(t) = &mut self.text {
            self.chars += s.chars().count();
            if self.chars > BUDGET {
                self.text = None;
            } else {
                t.push_str(s);
            }
        }
    }
}

/// The Markdown comment, built as statements and findings arrive (see the module documentation).
pub struct MarkdownStream {
    pg_version: u32,
    current: Option<StatementReport>,
    run: Option<Run>,
    /// Summary rows written (at most MAX_ROWS) and how many more there were.
    table: String,
    table_rows: usize,
    more_rows: usize,
    modes: Vec<LockMode>,
    /// Transactions of the timeline: the COMMIT that ends each (its line), and its bars.
    txs: Vec<(Option<usize>, Vec<Bar>)>,
    more_txs: usize,
    /// The statement that ends the last transaction met (None: the input's end).
    last_tx: Option<Option<usize>>,
    /// Findings shown (not ignored, above info).
    shown: usize,
    recipes_shown: Vec<crate::model::RuleId>,
    full: Level,
    no_recipes: Level,
    counts: Level,
}

impl MarkdownStream {
    pub fn new(pg_version: u32) -> MarkdownStream {
        let level = || Level {
            text: Some(String::new()),
            chars: 0,
        };
        MarkdownStream {
            pg_version,
            current: None,
            run: None,
            table: String::new(),
            table_rows: 0,
            more_rows: 0,
            modes: Vec::new(),
            txs: Vec::new(),
            more_txs: 0,
            last_tx: None,
            shown: 0,
            recipes_shown: Vec::new(),
            full: level(),
            no_recipes: level(),
            counts: level(),
        }
    }

    /// The run read so far is over: its summary row and its sections.
    fn end_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        let rev = run.revision.as_deref();
        if run.worst.is_some() || !run.ael.is_empty() {
            if self.table_rows == MAX_ROWS {
                self.more_rows += 1;
            } else {
                self.table_rows += 1;
                let hold = match run.longest {
                    Some((later, line, end)) if later > 0 => format!(
                        "line {line} → {} ({later} later statement{})",
                        end.map_or("end of input".to_string(), |l| format!(
                            "COMMIT at line {l}"
                        )),
                        if later == 1 { "" } else { "s" }
                    ),
                    _ => "brief".to_string(),
                };
                let ael: Vec<String> = run.ael.iter().map(|t| format!("`{t}`")).collect();
                let shown_ael = if ael.len() > 6 {
                    format!("{}, … ({} tables)", ael[..6].join(", "), ael.len())
                } else {
                    ael.join(", ")
                };
                writeln!(
                    self.table,
                    "| {} | {} | {} | {} |",
                    rev.map_or("-".to_string(), |r| format!("`{r}`")),
                    run.worst
                        .map_or("-".to_string(), |w| format!("{} {}", icon(w), w.as_str())),
                    shown_ael,
                    hold
                )
                .unwrap();
            }
        }
        if run.counts.is_empty() {
            return;
        }
        let heading = match rev {
            Some(r) => format!("\n### Revision `{r}`\n\n"),
            None => "\n### Before any revision marker\n\n".to_string(),
        };
        let mut counts = heading.clone();
        counts.push_str("| | rule | findings |\n|---|---|---|\n");
        for (rule, sev, n) in &run.counts {
            writeln!(counts, "| {} | `{rule}` | {n} |", icon(*sev)).unwrap();
        }
        self.counts.push(&counts);
        let table =
            format!("{heading}| | where | rule | lock | finding |\n|---|---|---|---|---|\n");
        self.no_recipes.push(&table);
        self.no_recipes.push(&run.rows);
        self.full.push(&table);
        self.full.push(&run.rows);
        self.full.push("\n");
        self.full.push(&run.recipes);
    }

    /// The comment: the first level of detail that fits the budget.
    pub fn finish(mut self, summary: &Summary) -> String {
        self.end_run();
        let mut head = String::new();
        writeln!(
            head,
            "## pgrisk: migration review (PostgreSQL {})\n",
            self.pg_version
        )
        .unwrap();
        let s = summary;
        let mut extra = String::new();
        if s.ignored > 0 {
            extra.push_str(&format!(", {} ignored", s.ignored));
        }
        if s.history > 0 {
            extra.push_str(&format!(
                "; {} statements of revisions production already has (--since) not reviewed",
                s.history
            ));
        }
        writeln!(
            head,
            "{} errors, {} warnings, {} notes in {} statements ({} unparseable, {} unknown){extra}.\n",
            s.errors, s.warnings, s.infos, s.read, s.unparseable, s.unknown
        )
        .unwrap();
        if self.shown == 0 {
            writeln!(head, "No blocking locks or rewrites found.").unwrap();
            return head;
        }
        writeln!(
            head,
            "| revision | worst | ACCESS EXCLUSIVE on | longest hold |\n|---|---|---|---|"
        )
        .unwrap();
        head.push_str(&self.table);
        if self.more_rows > 0 {
            writeln!(
                head,
                "\n_{} more revisions with findings or strong locks are not listed._",
                self.more_rows
            )
            .unwrap();
        }
        writeln!(head).unwrap();
        lock_modes(&mut head, &self.modes);
        let timeline = self.timeline();
        let levels = [
            (self.full.text.take(), ""),
            (
                self.no_recipes.text.take(),
                "\n_Recipes are left out to stay under GitHub's comment size limit: `pgrisk explain <rule>` prints each._\n",
            ),
            (
                self.counts.text.take(),
                "\n_Findings are counted per rule to stay under GitHub's comment size limit: run `pgrisk` locally or use `--format html` for each one._\n",
            ),
        ];
        for (text, note) in levels {
            let Some(text) = text else { continue };
            let out = format!("{head}{timeline}{text}{note}");
            if out.chars().count() <= BUDGET {
                return out;
            }
        }
        writeln!(
            head,
            "\n_The findings ({}) are left out to stay under GitHub's comment size limit: run `pgrisk` locally or use `--format html` for the whole report._",
            self.shown
        )
        .unwrap();
        head
    }

    /// A Mermaid gantt chart per transaction: which table is held in which mode from which
    /// statement to the COMMIT, on the axis of SQL line numbers.
    fn timeline(&self) -> String {
        let mut out = String::new();
        if self.txs.is_empty() {
            return out;
        }
        writeln!(out, "### Lock timeline\n").unwrap();
        for (end, bars) in &self.txs {
            writeln!(out, "```mermaid\ngantt").unwrap();
            let title = match end {
                Some(line) => format!("Locks held until COMMIT at line {line}"),
                None => "Locks held until the end of the input".to_string(),
            };
            writeln!(out, "  title {title}\n  dateFormat X\n  axisFormat %s").unwrap();
            for (rel, mode, from, to) in bars.iter().take(MAX_BARS) {
                let name: String = rel
                    .chars()
                    .map(|c| {
                        if c == ':' || c == '#' || c == ';' {
                            '_'
                        } else {
                            c
                        }
                    })
                    .collect();
                let tag = if mode.blocks().reads { "crit, " } else { "" };
                writeln!(
                    out,
                    "  section {name}\n  {} from line {from} :{tag}{from}, {to}",
                    mode.sql_name()
                )
                .unwrap();
            }
            writeln!(out, "```\n").unwrap();
            if bars.len() > MAX_BARS {
                writeln!(
                    out,
                    "_{} more tables held in this transaction are not drawn._\n",
                    bars.len() - MAX_BARS
                )
                .unwrap();
            }
        }
        if self.more_txs > 0 {
            writeln!(
                out,
                "_{} more transactions are not drawn._\n",
                self.more_txs
            )
            .unwrap();
        }
        out
    }
}

impl Sink for MarkdownStream {
    fn statement(&mut self, st: StatementReport) {
        if self.run.as_ref().is_none_or(|r| r.revision != st.revision) {
            self.end_run();
            self.run = Some(Run {
                revision: st.revision.clone(),
                worst: None,
                ael: Vec::new(),
                longest: None,
                counts: Vec::new(),
                rows: String::new(),
                recipes: String::new(),
            });
        }
        let run = self.run.as_mut().expect("set above");
        for l in &st.locks {
            if l.mode.is_dangerous() && !self.modes.contains(&l.mode) {
                self.modes.push(l.mode);
                self.modes = crate::model::dangerous(self.modes.iter().copied());
            }
        }
        if let Some(h) = &st.held_until {
            for l in st
                .locks
                .iter()
                .filter(|l| l.mode == LockMode::AccessExclusiveLock)
            {
                let name = l.relation.to_string();
                if !run.ael.contains(&name) {
                    run.ael.push(name);
                }
            }
            // The last of the longest holds, as `max_by_key` picks.
            if run
                .longest
                .is_none_or(|(later, _, _)| h.later_statements >= later)
            {
                run.longest = Some((h.later_statements, st.line, h.line));
            }
            if h.later_statements > 0 {
                if self.last_tx != Some(h.statement) {
                    self.last_tx = Some(h.statement);
                    if self.txs.len() < MAX_TX {
                        let line = h.statement.map(|_| h.line.unwrap_or(0));
                        self.txs.push((line, Vec::new()));
                    } else {
                        self.more_txs += 1;
                    }
                }
                if self.more_txs == 0
                    && let Some((_, bars)) = self.txs.last_mut()
                {
                    let end = h.line.unwrap_or(st.end_line + 1);
                    for l in st.locks.iter().filter(|l| l.mode.is_dangerous()) {
                        let name = l.relation.to_string();
                        if !bars.iter().any(|b| b.0 == name) {
                            bars.push((name, l.mode, st.line, end.max(st.line + 1)));
                        }
                    }
                }
            }
        }
        self.current = Some(st);
    }

    fn finding(&mut self, f: Finding) {
        if f.ignored || f.severity <= Severity::Info {
            return;
        }
        self.shown += 1;
        let Some(run) = self.run.as_mut() else { return };
        run.worst = run.worst.max(Some(f.severity));
        match run.counts.iter_mut().find(|c| c.0 == f.rule) {
            Some(c) => c.2 += 1,
            None => run.counts.push((f.rule, f.severity, 1)),
        }
        let st = self.current.as_ref().filter(|s| s.index == f.statement);
        // A run whose findings alone pass the budget: no level that lists them fits.
        if run.rows.len() + run.recipes.len() > 4 * BUDGET {
            self.full.text = None;
            self.no_recipes.text = None;
            run.rows = String::new();
            run.recipes = String::new();
        }
        if self.full.text.is_none() && self.no_recipes.text.is_none() {
            return;
        }
        let lock = st
            .map(|st| {
                st.locks
                    .iter()
                    .map(|l| format!("{} on `{}`", l.mode.sql_name(), l.relation))
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .unwrap_or_default();
        let (file, line) = f.location();
        writeln!(
            run.rows,
            "| {} | `{}:{}` | `{}` | {} | {} |",
            icon(f.severity),
            file,
            line,
            f.rule,
            lock,
            cell(&f.message)
                + &f.duration
                    .map_or(String::new(), |d| format!(" (**{d}** by the table size)"))
        )
        .unwrap();
        if self.full.text.is_none() || self.recipes_shown.contains(&f.suggestion.rule) {
            return;
        }
        let Some(sug) = f.suggestion.render() else {
            return;
        };
        self.recipes_shown.push(f.suggestion.rule);
        let out = &mut run.recipes;
        writeln!(
            out,
            "<details><summary><code>{file}:{line}</code> {}: {}</summary>\n",
            f.rule,
            cell(&sug.summary)
        )
        .unwrap();
        writeln!(out, "```sql\n{}\n```\n", st.map_or("", |s| s.sql.trim())).unwrap();
        for (i, p) in sug.phases.iter().enumerate() {
            writeln!(out, "**{}. {}**: {}\n", i + 1, p.name, p.summary).unwrap();
            if !p.sql.is_empty() {
                writeln!(out, "```sql\n{}\n```\n", p.sql).unwrap();
            }
            if !p.alembic.is_empty() {
                writeln!(out, "```python\n{}\n```\n", p.alembic).unwrap();
            }
        }
        writeln!(out, "</details>\n").unwrap();
    }
}

/// Each blocking lock mode that appears, with the command that explains it.
fn lock_modes(out: &mut String, modes: &[LockMode]) {
    if modes.is_empty() {
        return;
    }
    let names: Vec<String> = modes
        .iter()
        .map(|m| format!("{} (`pgrisk explain {}`)", m.sql_name(), m.explain_name()))
        .collect();
    writeln!(
        out,
        "Lock modes here, and what each blocks: {}.\n",
        names.join(", ")
    )
    .unwrap();
}
