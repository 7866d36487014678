//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location.path`, `location.lines.begin`), shown in merge requests. Ignored findings
//! are left out. Severity: error → "major", warning → "minor", info → "info" (GitLab's scale is
//! info, minor, major, critical, blocker; pgrisk keeps the top two for nothing).

use crate::model::{Report, Severity};
use serde_json::json;

pub fn render(report: &Report) -> String {
    let issues: Vec<_> = report
        .findings
        .iter()
        .filter(|f| !f.ignored)
        .map(|f| {
            let (path, line) = f.location();
            let severity = match f.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            json!({
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": f.fingerprint,
                "severity": severity,
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("Code Quality serializes");
    s.push('\n');
    s
}
