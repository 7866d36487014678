//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location.path`, `location.lines.begin`), shown in merge requests. Ignored findings
//! are left out. Severity: error → "major", warning → "minor", info → "info" (GitLab's scale is
//! info, minor, major, critical, blocker; pgrisk keeps the top two for nothing). Written as the
//! findings become final, one issue per line.

use crate::model::{Finding, Report, Severity, Sink};
use serde_json::json;
use std::io::Write;

pub fn render(report: &Report) -> String {
    let mut stream = GitlabStream::begin(Vec::new()).expect("writing to memory");
    for f in &report.findings {
        stream.finding(f.clone());
    }
    String::from_utf8(stream.finish().expect("writing to memory")).expect("JSON is UTF-8")
}

/// One finding as a Code Quality issue.
fn issue(f: &Finding) -> serde_json::Value {
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
}

/// The Code Quality array, written issue by issue.
pub struct GitlabStream<W: Write> {
    out: W,
    issues: usize,
    error: Option<std::io::Error>,
}

impl<W: Write> GitlabStream<W> {
    pub fn begin(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"[")?;
        Ok(GitlabStream {
            out,
            issues: 0,
            error: None,
        })
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"\n]\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for GitlabStream<W> {
    fn statement(&mut self, _: crate::model::StatementReport) {}

    fn finding(&mut self, f: Finding) {
        if self.error.is_some() || f.ignored {
            return;
        }
        let sep: &[u8] = if self.issues == 0 { b"\n" } else { b",\n" };
        self.issues += 1;
        let r = self
            .out
            .write_all(sep)
            .and_then(|_| serde_json::to_writer(&mut self.out, &issue(&f)).map_err(Into::into));
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}
