//! CI formats: SARIF 2.1.0 (code scanning) and GitHub Actions workflow commands (inline
//! annotations on the pull request).

use crate::model::{Finding, Report, Severity, Sink};
use serde_json::json;

/// SARIF 2.1.0: one run, one result per finding, the rules that fired with their documentation.
pub fn sarif(report: &Report) -> String {
    let mut stream = SarifStream::begin(Vec::new()).expect("writing to memory");
    for f in &report.findings {
        stream.finding(f.clone());
    }
    String::from_utf8(stream.finish().expect("writing to memory")).expect("SARIF is UTF-8")
}

/// SARIF written as the findings become final: the results first, one per line, then the tool
/// with the rules that fired (a SARIF object's members may come in any order). Memory holds
/// only the set of rule ids.
pub struct SarifStream<W: std::io::Write> {
    out: W,
    results: usize,
    rules: std::collections::BTreeSet<crate::registry::RuleId>,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> SarifStream<W> {
    pub fn begin(mut out: W) -> std::io::Result<Self> {
        out.write_all(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"results\":[",
        )?;
        Ok(SarifStream {
            out,
            results: 0,
            rules: Default::default(),
            error: None,
        })
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let rules: Vec<_> = self
            .rules
            .iter()
            .map(|id| {
                let doc = crate::suggest::doc(id.as_str());
                json!({
                    "id": id.as_str(),
                    "shortDescription": { "text": doc.map_or("", |d| d.title.as_str()) },
                    "fullDescription": { "text": doc.map_or("", |d| d.why.as_str()) },
                    "help": { "text": doc.map_or(String::new(), |d| d.summary.clone()) },
                })
            })
            .collect();
        let tool = json!({ "driver": { "name": "pgrisk", "version": env!("CARGO_PKG_VERSION"), "rules": rules } });
        self.out.write_all(b"\n],\"tool\":")?;
        serde_json::to_writer(&mut self.out, &tool)?;
        self.out.write_all(b"}]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: std::io::Write> Sink for SarifStream<W> {
    fn statement(&mut self, _: crate::model::StatementReport) {}

    fn finding(&mut self, f: Finding) {
        if self.error.is_some() {
            return;
        }
        self.rules.insert(f.rule);
        let sep: &[u8] = if self.results == 0 { b"\n" } else { b",\n" };
        self.results += 1;
        let r = self.out.write_all(sep).and_then(|_| {
            serde_json::to_writer(&mut self.out, &sarif_result(&f)).map_err(Into::into)
        });
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}

/// One finding as a SARIF result.
fn sarif_result(f: &Finding) -> serde_json::Value {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    // The migration script's op.* call when known (where the fix goes), else the SQL
    // statement, whole (SARIF's endColumn is the column after the region: exclusive).
    let region = match (&f.migration_file, f.migration_line) {
        (Some(_), Some(l)) => json!({ "startLine": l }),
        _ => json!({
            "startLine": f.line,
            "startColumn": f.column,
            "endLine": f.end_line,
            "endColumn": f.end_column + 1,
        }),
    };
    let mut result = json!({
        "ruleId": f.rule,
        "level": level,
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": f.location().0 },
                "region": region,
            }
        }],
        "partialFingerprints": { "pgrisk/v1": f.fingerprint },
        "properties": { "revision": f.revision.as_deref(), "sql_file": &*f.file, "sql_line": f.line },
    });
    if f.ignored {
        result["suppressions"] = json!([{
            "kind": "inSource",
            "justification": f.ignore_reason.as_deref().unwrap_or(""),
        }]);
    }
    result
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        github_line(&mut out, f);
    }
    out
}

/// One finding's workflow command (nothing for an ignored finding).
fn github_line(out: &mut String, f: &Finding) {
    if f.ignored {
        return;
    }
    {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (file, line) = f.location();
        let title = match &f.revision {
            Some(r) => format!("pgrisk {} (revision {r})", f.rule),
            None => format!("pgrisk {}", f.rule),
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            escape_property(file),
            line,
            if f.migration_line.is_some() {
                1
            } else {
                f.column
            },
            escape_property(&title),
            escape_data(&f.message)
        ));
    }
}

/// GitHub annotations written as the findings become final: memory stays flat on big inputs.
pub struct GithubStream<W: std::io::Write> {
    out: W,
    line: String,
    pub error: Option<std::io::Error>,
}

impl<W: std::io::Write> GithubStream<W> {
    pub fn new(out: W) -> Self {
        GithubStream {
            out,
            line: String::new(),
            error: None,
        }
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: std::io::Write> Sink for GithubStream<W> {
    fn statement(&mut self, _: crate::model::StatementReport) {}

    fn finding(&mut self, finding: Finding) {
        if self.error.is_some() {
            return;
        }
        self.line.clear();
        github_line(&mut self.line, &finding);
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }
}
