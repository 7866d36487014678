//! One self-contained HTML5 page: the summary per revision, the lock timeline per transaction
//! drawn as inline SVG, and the findings with their recipes. No network: inline CSS, no
//! external script, font or image; a few lines of inline script only open the recipes for
//! printing. A recipe identical to one shown above is linked, not repeated.

use crate::locks::LockMode;
use crate::model::{Finding, Report, Severity, StatementReport};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Bars drawn per transaction; the rest are counted under its timeline.
pub const MAX_ROWS: usize = 40;
/// Transactions drawn; the rest are counted under the last timeline.
pub const MAX_TIMELINES: usize = 60;

/// Text as HTML text or a double- or single-quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --err: #b3261e; --warn: #8a5a00; --info: #1f5f99; --rw: #c62828; --w: #ef8f00; --ink: #1b1b1b; --muted: #5c5c5c; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
pre { background: #f6f6f6; border: 1px solid var(--line); border-radius: 4px; padding: .5rem .7rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.meta { color: var(--muted); margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .7rem 0; }
.counts li { border: 1px solid var(--line); border-radius: 4px; padding: .2rem .6rem; }
.sev { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 3px; padding: 0 .35em; font-weight: 600; color: #fff; font-size: .85em; }
.sev-error { background: var(--err); }
.sev-warning { background: var(--warn); }
.sev-info { background: var(--info); }
.sev-none { background: #777; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: .5rem .8rem; margin: .7rem 0; break-inside: avoid; }
.finding.error { border-left-color: var(--err); }
.finding.warning { border-left-color: var(--warn); }
.finding.info { border-left-color: var(--info); }
.finding header { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; }
.finding .pos { color: var(--muted); }
.finding p { margin: .4rem 0; }
details { margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
.timeline { margin: .6rem 0 1.4rem; break-inside: avoid; }
.timeline svg { width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 1.2rem; color: var(--muted); font-size: .9em; margin: .2rem 0 .8rem; }
.swatch { display: inline-block; width: 1.6em; height: .8em; vertical-align: middle; margin-right: .3em; }
.note { color: var(--muted); font-style: italic; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: #999; stroke-width: 1; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 11px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: contents; }
  pre { white-space: pre-wrap; }
  h2 { break-after: avoid; }
}
"#;

/// Opens every recipe when the page is printed: the page works without it.
const SCRIPT: &str = r#"
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
"#;

fn severity_badge(s: Option<Severity>) -> String {
    match s {
        Some(s) => format!(r#"<span class="sev sev-{0}">{0}</span>"#, s.as_str()),
        None => r#"<span class="sev sev-none">none</span>"#.to_string(),
    }
}

const NO_REVISION: &str = "(no revision)";

fn revision_name(r: &Option<std::sync::Arc<str>>) -> &str {
    r.as_deref().unwrap_or(NO_REVISION)
}

/// Revisions in the order their statements come.
fn revisions(report: &Report) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for st in &report.statements {
        let r = revision_name(&st.revision);
        if !seen.contains(&r) {
            seen.push(r);
        }
    }
    for f in &report.findings {
        let r = revision_name(&f.revision);
        if !seen.contains(&r) {
            seen.push(r);
        }
    }
    seen
}

/// The line a lock taken by `st` is released at: its COMMIT, itself in autocommit, or the
/// last line of the input when the transaction never ends.
fn release_line(report: &Report, st: &StatementReport) -> Option<usize> {
    let h = st.held_until.as_ref()?;
    Some(h.line.unwrap_or_else(|| {
        report
            .statements
            .iter()
            .filter(|s| s.file == st.file)
            .map(|s| s.end_line)
            .max()
            .unwrap_or(st.end_line)
    }))
}

fn until_text(st: &StatementReport) -> String {
    match st.held_until.as_ref().and_then(|h| h.line) {
        Some(l) if l == st.line => "its own line (autocommit)".to_string(),
        Some(l) => format!("COMMIT at line {l}"),
        None => "the end of the input (transaction never ends)".to_string(),
    }
}

fn header(out: &mut String, report: &Report) {
    let s = &report.summary;
    writeln!(
        out,
        "<header>\n<h1>pgrisk: migration lock review</h1>\n<p class=\"meta\">Target PostgreSQL {} · input: {}</p>",
        report.pg_version,
        if report.files.is_empty() {
            "(none)".to_string()
        } else {
            report
                .files
                .iter()
                .map(|f| format!("<code>{}</code>", escape(f)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )
    .unwrap();
    writeln!(
        out,
        "<ul class=\"counts\" aria-label=\"summary counts\">\
<li><span class=\"sev sev-error\">errors</span> {}</li>\
<li><span class=\"sev sev-warning\">warnings</span> {}</li>\
<li><span class=\"sev sev-info\">notes</span> {}</li>\
<li>ignored {}</li><li>statements {} ({} unparseable, {} unknown)</li></ul>\n</header>",
        s.errors, s.warnings, s.infos, s.ignored, s.read, s.unparseable, s.unknown
    )
    .unwrap();
}

fn summary_table(out: &mut String, report: &Report, revs: &[&str]) {
    writeln!(
        out,
        "<section id=\"summary\">\n<h2>Summary per revision</h2>"
    )
    .unwrap();
    if revs.is_empty() {
        writeln!(out, "<p>No statements.</p>\n</section>").unwrap();
        return;
    }
    writeln!(
        out,
        "<table>\n<thead><tr><th scope=\"col\">revision</th><th scope=\"col\">worst severity</th>\
<th scope=\"col\">tables locked ACCESS EXCLUSIVE</th><th scope=\"col\">longest hold</th></tr></thead>\n<tbody>"
    )
    .unwrap();
    for rev in revs {
        let worst = report
            .findings
            .iter()
            .filter(|f| !f.ignored && revision_name(&f.revision) == *rev)
            .map(|f| f.severity)
            .max();
        let statements: Vec<&StatementReport> = report
            .statements
            .iter()
            .filter(|s| revision_name(&s.revision) == *rev && s.held_until.is_some())
            .collect();
        if *rev == NO_REVISION && worst.is_none() && statements.is_empty() {
            // Transaction control and settings before the first revision.
            continue;
        }
        let mut tables: Vec<String> = Vec::new();
        for st in &statements {
            for l in &st.locks {
                let name = l.relation.to_string();
                if l.mode == LockMode::AccessExclusiveLock && !tables.contains(&name) {
                    tables.push(name);
                }
            }
        }
        let longest = statements
            .iter()
            .max_by_key(|s| s.held_until.as_ref().map(|h| h.later_statements))
            .map(|st| {
                let h = st.held_until.as_ref().unwrap();
                format!(
                    "{} later statement{}, from line {} until {}",
                    h.later_statements,
                    if h.later_statements == 1 { "" } else { "s" },
                    st.line,
                    escape(&until_text(st))
                )
            })
            .unwrap_or_else(|| "—".to_string());
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(rev),
            severity_badge(worst),
            if tables.is_empty() {
                "—".to_string()
            } else {
                tables
                    .iter()
                    .map(|t| format!("<code>{}</code>", escape(t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            longest
        )
        .unwrap();
    }
    writeln!(out, "</tbody>\n</table>\n</section>").unwrap();
}

/// One bar: a relation locked by a statement until its transaction ends.
struct Bar<'a> {
    st: &'a StatementReport,
    relation: String,
    mode: LockMode,
    from: usize,
    to: usize,
}

/// About `target` ticks from `lo` to `hi` at 1, 2 or 5 times a power of ten.
fn tick_step(lo: usize, hi: usize, target: usize) -> usize {
    let span = hi.saturating_sub(lo).max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if span / (step * m) < target {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    } else {
        s.to_string()
    }
}

const WIDTH: usize = 960;
const LABEL: usize = 300;
const PLOT_LEFT: usize = LABEL + 10;
const PLOT_RIGHT: usize = WIDTH - 20;
const ROW: usize = 22;
const TOP: usize = 8;
const AXIS: usize = 34;

fn svg(out: &mut String, title: &str, bars: &[Bar], first: usize, last: usize) {
    let height = TOP + bars.len() * ROW + AXIS;
    // The axis starts at a tick, so the first bar's line can be read off it.
    let step = tick_step(first, last, 10);
    let first = if first == last {
        first
    } else {
        first / step * step
    };
    let span = (last - first).max(1) as f64;
    let plot = (PLOT_RIGHT - PLOT_LEFT) as f64;
    let x = |line: usize| PLOT_LEFT as f64 + (line - first) as f64 / span * plot;
    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(title)
    )
    .unwrap();
    let axis_y = TOP + bars.len() * ROW + 4;
    let mut t = first;
    while t <= last {
        let tx = x(t);
        writeln!(
            out,
            "<line class=\"grid\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{axis_y}\"/>\
<text class=\"tick\" x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\">{t}</text>",
            axis_y + 14
        )
        .unwrap();
        t += step;
    }
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{PLOT_LEFT}\" y1=\"{axis_y}\" x2=\"{PLOT_RIGHT}\" y2=\"{axis_y}\"/>\
<text class=\"tick\" x=\"{PLOT_RIGHT}\" y=\"{}\" text-anchor=\"end\">SQL line</text>",
        axis_y + 28
    )
    .unwrap();
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i * ROW;
        let reads = b.mode.blocks().reads;
        let (class, fill, what) = if reads {
            ("bar rw", "#c62828", "blocks reads and writes")
        } else {
            ("bar w", "#ef8f00", "blocks writes")
        };
        let x0 = x(b.from);
        let w = (x(b.to) - x0).max(4.0);
        let label = format!("{} · {}", b.relation, b.mode.sql_name());
        let tip = format!(
            "{}: {} from line {} (statement {}) until {}; {what}",
            b.relation,
            b.mode.sql_name(),
            b.from,
            b.st.index + 1,
            until_text(b.st)
        );
        writeln!(
            out,
            "<g class=\"row\"><title>{}</title>\
<text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\">{}</text>\
<rect class=\"{class}\" x=\"{x0:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" rx=\"2\" fill=\"{fill}\"/></g>",
            escape(&tip),
            y + ROW / 2 + 4,
            escape(&truncate(&label, 46)),
            y + 3,
            ROW - 6
        )
        .unwrap();
    }
    writeln!(out, "</svg>").unwrap();
}

fn timeline(out: &mut String, report: &Report) {
    writeln!(
        out,
        "<section id=\"timeline\">\n<h2>Lock timeline per transaction</h2>\n\
<p>Each bar is a lock that blocks reads or writes on an existing table, from the statement that \
takes it to the COMMIT that releases it (x axis: SQL line).</p>\n\
<p class=\"legend\"><span><span class=\"swatch\" style=\"background:#c62828\"></span>blocks reads and writes</span>\
<span><span class=\"swatch\" style=\"background:#ef8f00\"></span>blocks writes</span></p>"
    )
    .unwrap();
    // Transactions keyed by the statement that ends them, in input order (None: never ends).
    let mut txs: BTreeMap<(bool, usize), Vec<Bar>> = BTreeMap::new();
    for st in &report.statements {
        let Some(h) = &st.held_until else { continue };
        let Some(to) = release_line(report, st) else {
            continue;
        };
        let key = match h.statement {
            Some(i) => (false, i),
            None => (true, 0),
        };
        for l in st.locks.iter().filter(|l| l.mode.is_dangerous()) {
            txs.entry(key).or_default().push(Bar {
                st,
                relation: l.relation.to_string(),
                mode: l.mode,
                from: st.line,
                to: to.max(st.line),
            });
        }
    }
    if txs.is_empty() {
        writeln!(
            out,
            "<p>No statement holds a lock that blocks reads or writes on an existing table.</p>\n</section>"
        )
        .unwrap();
        return;
    }
    let total = txs.len();
    for (n, (key, bars)) in txs.iter().enumerate() {
        if n == MAX_TIMELINES {
            let rest: usize = txs.values().skip(MAX_TIMELINES).map(Vec::len).sum();
            writeln!(
                out,
                "<p class=\"note\">{} more transaction{} with {rest} lock{} not drawn (at most {MAX_TIMELINES} timelines).</p>",
                total - MAX_TIMELINES,
                if total - MAX_TIMELINES == 1 { "" } else { "s" },
                if rest == 1 { "" } else { "s" },
            )
            .unwrap();
            break;
        }
        let first = bars.iter().map(|b| b.from).min().unwrap();
        let last = bars.iter().map(|b| b.to).max().unwrap();
        let st0 = bars[0].st;
        let autocommit = !st0.in_transaction;
        let revs: Vec<&str> = {
            let mut v: Vec<&str> = Vec::new();
            for b in bars {
                let r = revision_name(&b.st.revision);
                if !v.contains(&r) {
                    v.push(r);
                }
            }
            v
        };
        let heading = match (key.0, autocommit) {
            (true, _) => format!("Transaction from line {first}, never committed"),
            (false, true) => format!("Autocommit statement at line {first}"),
            (false, false) => format!("Transaction committed at line {last}"),
        };
        writeln!(
            out,
            "<figure class=\"timeline\">\n<figcaption><strong>{}</strong> · {} · revision{} {}</figcaption>",
            escape(&heading),
            escape(&st0.file),
            if revs.len() == 1 { "" } else { "s" },
            revs.iter()
                .map(|r| format!("<code>{}</code>", escape(r)))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .unwrap();
        let shown = &bars[..bars.len().min(MAX_ROWS)];
        let label = format!(
            "Lock timeline: {heading}, {} lock{} from line {first} to line {last}",
            bars.len(),
            if bars.len() == 1 { "" } else { "s" }
        );
        svg(out, &label, shown, first, last);
        if bars.len() > MAX_ROWS {
            let left: Vec<String> = bars[MAX_ROWS..]
                .iter()
                .map(|b| format!("{} ({}, line {})", b.relation, b.mode.sql_name(), b.from))
                .collect();
            writeln!(
                out,
                "<p class=\"note\">{} more lock{} in this transaction not drawn (at most {MAX_ROWS} rows): {}</p>",
                left.len(),
                if left.len() == 1 { "" } else { "s" },
                escape(&truncate(&left.join(", "), 2000))
            )
            .unwrap();
        }
        writeln!(out, "</figure>").unwrap();
    }
    writeln!(out, "</section>").unwrap();
}

/// Recipes already shown, by their text: the finding that shows each.
type Shown = HashMap<String, (usize, String)>;

fn finding(out: &mut String, report: &Report, n: usize, f: &Finding, shown: &mut Shown) {
    let sev = f.severity.as_str();
    writeln!(
        out,
        "<article class=\"finding {sev}\" id=\"f{n}\" data-rule=\"{rule}\">\n<header>{badge} <code class=\"rule\">{rule}</code> <span class=\"pos\">{pos}</span></header>\n<p>{msg}</p>",
        rule = escape(f.rule.as_str()),
        badge = severity_badge(Some(f.severity)),
        pos = escape(&f.position()),
        msg = escape(&f.message),
    )
    .unwrap();
    if let Some(st) = report.statements.get(f.statement) {
        writeln!(out, "<pre><code>{}</code></pre>", escape(st.sql.trim())).unwrap();
    }
    if let Some(sug) = f.suggestion.render() {
        let mut key = sug.summary.clone();
        for p in &sug.phases {
            for part in [&p.name, &p.summary, &p.sql, &p.alembic] {
                key.push('\0');
                key.push_str(part);
            }
        }
        if let Some((first, pos)) = shown.get(&key) {
            writeln!(
                out,
                "<p class=\"same-recipe\">Safe recipe: the same as for <a href=\"#f{first}\">{}</a> above.</p>\n</article>",
                escape(pos)
            )
            .unwrap();
            return;
        }
        shown.insert(key, (n, format!("{} at {}", f.rule, f.position())));
        writeln!(
            out,
            "<details><summary>Safe recipe: {}</summary>",
            escape(&sug.summary)
        )
        .unwrap();
        writeln!(out, "<ol>").unwrap();
        for p in &sug.phases {
            writeln!(
                out,
                "<li><strong>{}</strong>: {}",
                escape(&p.name),
                escape(&p.summary)
            )
            .unwrap();
            if !p.sql.is_empty() {
                writeln!(
                    out,
                    "<pre><code class=\"sql\">{}</code></pre>",
                    escape(&p.sql)
                )
                .unwrap();
            }
            if !p.alembic.is_empty() {
                writeln!(
                    out,
                    "<pre><code class=\"python\">{}</code></pre>",
                    escape(&p.alembic)
                )
                .unwrap();
            }
            writeln!(out, "</li>").unwrap();
        }
        writeln!(out, "</ol>\n</details>").unwrap();
    }
    writeln!(out, "</article>").unwrap();
}

fn findings(out: &mut String, report: &Report, revs: &[&str]) {
    writeln!(out, "<section id=\"findings\">\n<h2>Findings</h2>").unwrap();
    let active = report.findings.iter().filter(|f| !f.ignored).count();
    if active == 0 {
        writeln!(out, "<p>No findings.</p>").unwrap();
    }
    let mut shown = Shown::new();
    for rev in revs {
        let of: Vec<(usize, &Finding)> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.ignored && revision_name(&f.revision) == *rev)
            .collect();
        if of.is_empty() {
            continue;
        }
        writeln!(
            out,
            "<h3>Revision <code>{}</code> ({} finding{})</h3>",
            escape(rev),
            of.len(),
            if of.len() == 1 { "" } else { "s" }
        )
        .unwrap();
        for (n, f) in of {
            finding(out, report, n, f, &mut shown);
        }
    }
    let ignored: Vec<&Finding> = report.findings.iter().filter(|f| f.ignored).collect();
    if !ignored.is_empty() {
        writeln!(
            out,
            "<h3 id=\"ignored\">Ignored ({})</h3>\n<table>\n<thead><tr><th scope=\"col\">severity</th><th scope=\"col\">rule</th>\
<th scope=\"col\">revision</th><th scope=\"col\">position</th><th scope=\"col\">message</th><th scope=\"col\">reason</th></tr></thead>\n<tbody>",
            ignored.len()
        )
        .unwrap();
        for f in ignored {
            writeln!(
                out,
                "<tr class=\"ignored\" data-rule=\"{rule}\"><td>{}</td><td><code>{rule}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                severity_badge(Some(f.severity)),
                escape(revision_name(&f.revision)),
                escape(&f.position()),
                escape(&f.message),
                escape(f.ignore_reason.as_deref().unwrap_or("(no reason given)")),
                rule = escape(f.rule.as_str()),
            )
            .unwrap();
        }
        writeln!(out, "</tbody>\n</table>").unwrap();
    }
    writeln!(out, "</section>").unwrap();
}

pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>pgrisk: migration lock review (PostgreSQL {})</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        report.pg_version
    )
    .unwrap();
    header(&mut out, report);
    let revs = revisions(report);
    summary_table(&mut out, report, &revs);
    timeline(&mut out, report);
    findings(&mut out, report, &revs);
    writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>").unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a & b"), "a &amp; b");
        assert_eq!(escape("say \"hi\""), "say &quot;hi&quot;");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1, 9, 10), 1);
        assert_eq!(tick_step(5, 60, 10), 10);
        assert_eq!(tick_step(100, 2100, 10), 500);
        assert_eq!(tick_step(7, 7, 10), 1);
    }
}
