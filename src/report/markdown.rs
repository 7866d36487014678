//! Markdown for a pull-request comment: a summary per revision, a lock timeline per transaction
//! (Mermaid, which GitHub renders), then each revision's findings with their recipes folded in
//! `<details>`. Always under GitHub's 65,536-character limit: past the budget it leaves out the
//! recipes, then lists findings per rule with counts, then keeps the summary alone, and says so.

use crate::locks::LockMode;
use crate::model::{Finding, Report, Severity, StatementReport};
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

/// How much detail fits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    /// Findings with their recipes (once per rule).
    Full,
    /// Findings without recipes.
    NoRecipes,
    /// Per revision, each rule with how many findings.
    Counts,
    /// The summary table alone.
    Summary,
}

pub fn render(report: &Report) -> String {
    for detail in [
        Detail::Full,
        Detail::NoRecipes,
        Detail::Counts,
        Detail::Summary,
    ] {
        let out = render_at(report, detail);
        if out.chars().count() <= BUDGET || detail == Detail::Summary {
            return out;
        }
    }
    unreachable!("the last level is always returned")
}

/// The revisions in order of first appearance (None: statements before any marker).
fn revisions(report: &Report) -> Vec<Option<&str>> {
    let mut out: Vec<Option<&str>> = Vec::new();
    for st in &report.statements {
        let r = st.revision.as_deref();
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn shown(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| !f.ignored && f.severity > Severity::Info)
        .collect()
}

fn render_at(report: &Report, detail: Detail) -> String {
    let mut out = String::new();
    let s = &report.summary;
    writeln!(
        out,
        "## pgrisk: migration review (PostgreSQL {})\n",
        report.pg_version
    )
    .unwrap();
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
        out,
        "{} errors, {} warnings, {} notes in {} statements ({} unparseable, {} unknown){extra}.\n",
        s.errors, s.warnings, s.infos, s.read, s.unparseable, s.unknown
    )
    .unwrap();
    let findings = shown(report);
    if findings.is_empty() {
        writeln!(out, "No blocking locks or rewrites found.").unwrap();
        return out;
    }
    summary_table(&mut out, report, &findings);
    lock_modes(&mut out, report);
    if detail == Detail::Summary {
        writeln!(
            out,
            "\n_The findings ({}) are left out to stay under GitHub's comment size limit: run `pgrisk` locally or use `--format html` for the whole report._",
            findings.len()
        )
        .unwrap();
        return out;
    }
    timeline(&mut out, report);
    let mut recipes_shown: Vec<&str> = Vec::new();
    for rev in revisions(report) {
        let of_rev: Vec<&&Finding> = findings
            .iter()
            .filter(|f| f.revision.as_deref() == rev)
            .collect();
        if of_rev.is_empty() {
            continue;
        }
        match rev {
            Some(r) => writeln!(out, "\n### Revision `{r}`\n").unwrap(),
            None => writeln!(out, "\n### Before any revision marker\n").unwrap(),
        }
        if detail == Detail::Counts {
            let mut counts: Vec<(&str, Severity, usize)> = Vec::new();
            for f in &of_rev {
                match counts.iter_mut().find(|c| c.0 == f.rule.as_str()) {
                    Some(c) => c.2 += 1,
                    None => counts.push((f.rule.as_str(), f.severity, 1)),
                }
            }
            writeln!(out, "| | rule | findings |\n|---|---|---|").unwrap();
            for (rule, sev, n) in counts {
                writeln!(out, "| {} | `{rule}` | {n} |", icon(sev)).unwrap();
            }
            continue;
        }
        writeln!(out, "| | where | rule | lock | finding |").unwrap();
        writeln!(out, "|---|---|---|---|---|").unwrap();
        for f in &of_rev {
            let st = &report.statements[f.statement];
            let lock = st
                .locks
                .iter()
                .map(|l| format!("{} on `{}`", l.mode.sql_name(), l.relation))
                .collect::<Vec<_>>()
                .join("<br>");
            let (file, line) = f.location();
            writeln!(
                out,
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
        }
        if detail == Detail::NoRecipes {
            continue;
        }
        writeln!(out).unwrap();
        for f in &of_rev {
            if recipes_shown.contains(&f.suggestion.rule.as_str()) {
                continue;
            }
            let Some(sug) = f.suggestion.render() else {
                continue;
            };
            recipes_shown.push(f.suggestion.rule.as_str());
            let (file, line) = f.location();
            writeln!(
                out,
                "<details><summary><code>{file}:{line}</code> {}: {}</summary>\n",
                f.rule,
                cell(&sug.summary)
            )
            .unwrap();
            writeln!(
                out,
                "```sql\n{}\n```\n",
                report.statements[f.statement].sql.trim()
            )
            .unwrap();
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
    match detail {
        Detail::NoRecipes => writeln!(
            out,
            "\n_Recipes are left out to stay under GitHub's comment size limit: `pgrisk explain <rule>` prints each._"
        )
        .unwrap(),
        Detail::Counts => writeln!(
            out,
            "\n_Findings are counted per rule to stay under GitHub's comment size limit: run `pgrisk` locally or use `--format html` for each one._"
        )
        .unwrap(),
        _ => {}
    }
    out
}

/// Revision × worst severity × tables locked ACCESS EXCLUSIVE × longest hold.
fn summary_table(out: &mut String, report: &Report, findings: &[&Finding]) {
    writeln!(
        out,
        "| revision | worst | ACCESS EXCLUSIVE on | longest hold |\n|---|---|---|---|"
    )
    .unwrap();
    const MAX_ROWS: usize = 150;
    let mut rows = 0;
    let mut more = 0;
    for rev in revisions(report) {
        let worst = findings
            .iter()
            .filter(|f| f.revision.as_deref() == rev)
            .map(|f| f.severity)
            .max();
        let stmts: Vec<&StatementReport> = report
            .statements
            .iter()
            .filter(|s| s.revision.as_deref() == rev)
            .collect();
        let mut ael: Vec<String> = Vec::new();
        for st in stmts.iter().filter(|s| s.held_until.is_some()) {
            for l in st
                .locks
                .iter()
                .filter(|l| l.mode == LockMode::AccessExclusiveLock)
            {
                let name = format!("`{}`", l.relation);
                if !ael.contains(&name) {
                    ael.push(name);
                }
            }
        }
        let longest = stmts
            .iter()
            .filter_map(|s| s.held_until.as_ref().map(|h| (s, h)))
            .max_by_key(|(_, h)| h.later_statements);
        if worst.is_none() && ael.is_empty() {
            continue;
        }
        if rows == MAX_ROWS {
            more += 1;
            continue;
        }
        rows += 1;
        let hold = match longest {
            Some((s, h)) if h.later_statements > 0 => format!(
                "line {} → {} ({} later statement{})",
                s.line,
                h.line.map_or("end of input".to_string(), |l| format!(
                    "COMMIT at line {l}"
                )),
                h.later_statements,
                if h.later_statements == 1 { "" } else { "s" }
            ),
            _ => "brief".to_string(),
        };
        let shown_ael = if ael.len() > 6 {
            format!("{}, … ({} tables)", ael[..6].join(", "), ael.len())
        } else {
            ael.join(", ")
        };
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            rev.map_or("-".to_string(), |r| format!("`{r}`")),
            worst.map_or("-".to_string(), |w| format!("{} {}", icon(w), w.as_str())),
            shown_ael,
            hold
        )
        .unwrap();
    }
    if more > 0 {
        writeln!(
            out,
            "\n_{more} more revisions with findings or strong locks are not listed._"
        )
        .unwrap();
    }
    writeln!(out).unwrap();
}

/// Each blocking lock mode that appears, with the command that explains it.
fn lock_modes(out: &mut String, report: &Report) {
    let modes = report.dangerous_modes();
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

/// One held lock on the timeline: relation, mode, from line, to line.
type Bar = (String, LockMode, usize, usize);

/// A Mermaid gantt chart per transaction: which table is held in which mode from which
/// statement to the COMMIT, on the axis of SQL line numbers.
fn timeline(out: &mut String, report: &Report) {
    // Transactions: the COMMIT that releases the locks, and the bars (relation, mode, from, to).
    let mut txs: Vec<(Option<usize>, Vec<Bar>)> = Vec::new();
    for st in &report.statements {
        let Some(h) = &st.held_until else { continue };
        if h.later_statements == 0 {
            continue;
        }
        let end = h.line.unwrap_or(st.end_line + 1);
        let bars = match txs.iter_mut().find(|t| t.0 == h.statement) {
            Some(t) => &mut t.1,
            None => {
                txs.push((h.statement, Vec::new()));
                &mut txs.last_mut().unwrap().1
            }
        };
        for l in st.locks.iter().filter(|l| l.mode.is_dangerous()) {
            if !bars.iter().any(|b| b.0 == l.relation.to_string()) {
                bars.push((
                    l.relation.to_string(),
                    l.mode,
                    st.line,
                    end.max(st.line + 1),
                ));
            }
        }
    }
    if txs.is_empty() {
        return;
    }
    writeln!(out, "### Lock timeline\n").unwrap();
    const MAX_TX: usize = 5;
    const MAX_BARS: usize = 25;
    for (end, bars) in txs.iter().take(MAX_TX) {
        writeln!(out, "```mermaid\ngantt").unwrap();
        let title = match end {
            Some(i) => format!(
                "Locks held until COMMIT at line {}",
                report.statements.get(*i).map_or(0, |s| s.line)
            ),
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
    if txs.len() > MAX_TX {
        writeln!(
            out,
            "_{} more transactions are not drawn._\n",
            txs.len() - MAX_TX
        )
        .unwrap();
    }
}
