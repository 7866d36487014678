//! Terminal report: a table of the statements that matter (comfy-table), then each finding
//! (position, rule, message) with its expand-contract recipe under the first finding of its rule
//! and a one-line pointer under the others (`verbose`: the full recipe under every finding).
//! Colour only when asked for by the caller.

use crate::model::{Finding, Report, Severity, StatementReport};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write;

pub struct TextOptions {
    pub color: bool,
    /// List every statement and every note, not only statements with findings or blocking
    /// locks and findings above info.
    pub all: bool,
    pub width: u16,
    /// The full recipe under every finding, instead of once per rule.
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
    st.locks
        .iter()
        .map(|l| format!("{} on {}", l.mode.sql_name(), l.relation))
        .collect::<Vec<_>>()
        .join("\n")
}

fn blocks_cell(st: &StatementReport, worst: Option<Severity>) -> String {
    let strongest = st.locks.iter().map(|l| l.mode).max();
    // A statement with an error whose table lock blocks nothing: say what the error is about.
    if worst == Some(Severity::Error) && !strongest.is_some_and(|m| m.is_dangerous()) {
        return if st.slow {
            "writes to the rows\nit changes (row locks)".into()
        } else {
            "nothing while it runs\n(see the finding)".into()
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
    } else if st.parsed && st.locks_known {
        "-"
    } else {
        "?"
    }
}

pub fn render(report: &Report, opts: &TextOptions) -> String {
    let mut out = String::new();
    let worst: Vec<Option<Severity>> = {
        let mut w = vec![None; report.statements.len()];
        for f in report.findings.iter().filter(|f| !f.ignored) {
            w[f.statement] = w[f.statement].max(Some(f.severity));
        }
        w
    };
    // The statements that matter: those with a finding above info, and those a finding names
    // (each statement whose lock slow work extends); a brief hold nobody reports is not a row.
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
    let rows: Vec<&StatementReport> = report
        .statements
        .iter()
        .filter(|s| {
            opts.all || worst[s.index].is_some_and(|w| w > Severity::Info) || named[s.index]
        })
        .collect();
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
        // Each lock mode shown, with the command that explains it.
        let mut modes: Vec<crate::locks::LockMode> = report
            .statements
            .iter()
            .flat_map(|s| s.locks.iter().map(|l| l.mode))
            .filter(|m| m.is_dangerous())
            .collect();
        modes.sort_unstable_by(|a, b| b.cmp(a));
        modes.dedup();
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
        writeln!(out).unwrap();
    }
    // Notes (info) are context, not problems: listed only with --all.
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !f.ignored && (opts.all || f.severity > Severity::Info))
        .collect();
    // The full recipe under the first finding of each rule; later ones point back at it.
    let mut first_of_rule: Vec<&Finding> = Vec::new();
    for f in &shown {
        let earlier = first_of_rule.iter().find(|e| e.rule == f.rule).copied();
        if earlier.is_none() && f.severity > Severity::Info && f.suggestion.render().is_some() {
            first_of_rule.push(f);
        }
        let reference = if opts.verbose { None } else { earlier };
        finding(&mut out, f, report, opts.color, reference);
    }
    let s = &report.summary;
    writeln!(
        out,
        "pgrisk: PostgreSQL {}: {} statements read ({} parsed, {} unparseable; {} classified, {} unknown); {} errors, {} warnings, {} notes{}{}",
        report.pg_version, s.read, s.parsed, s.unparseable, s.classified, s.unknown, s.errors, s.warnings, s.infos,
        if s.ignored > 0 { format!("; {} ignored", s.ignored) } else { String::new() },
        if s.history > 0 { format!("; {} statements of history revisions (--since) not reported", s.history) } else { String::new() },
    )
    .unwrap();
    out
}

/// One finding: position, rule, statement, message, and the fix: the whole recipe, or one line
/// pointing at the earlier finding of the same rule whose recipe was shown (`same_as`).
fn finding(out: &mut String, f: &Finding, report: &Report, color: bool, same_as: Option<&Finding>) {
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
    match same_as {
        Some(e) if f.severity > Severity::Info => {
            writeln!(
                out,
                "  {} the {} recipe shown at {}, with this statement's names (--verbose prints it here)",
                paint("fix:", "32;1", color),
                f.rule,
                e.position()
            )
            .unwrap();
            writeln!(out).unwrap();
        }
        None if f.severity > Severity::Info => recipe(out, f, color),
        _ => writeln!(out).unwrap(),
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
