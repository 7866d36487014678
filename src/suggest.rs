//! Expand-contract suggestions: the recipe in `rules/<id>.md`, filled in with the real table,
//! column, index and type names of a finding, as SQL and as Alembic `op.*` code.

use crate::registry::RuleId;
use crate::types::SqlType;
use serde::{Serialize, Serializer};

/// Placeholder values for a rule's recipe (`{table}`, `{column}`, ...). A short list, kept by
/// every finding until its suggestion is rendered, so it is kept small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars(Vec<(&'static str, Box<str>)>);

impl Vars {
    pub fn new() -> Vars {
        Vars(Vec::new())
    }

    pub fn insert(&mut self, key: &'static str, value: String) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(e) => e.1 = value.into(),
            None => self.0.push((key, value.into())),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| &**v)
    }

    /// Every placeholder and its value, in the order they were set.
    pub fn entries(&self) -> &[(&'static str, Box<str>)] {
        &self.0
    }
}

impl<const N: usize> From<[(&'static str, String); N]> for Vars {
    fn from(items: [(&'static str, String); N]) -> Vars {
        let mut v = Vars::new();
        for (k, val) in items {
            v.insert(k, val);
        }
        v
    }
}

impl std::ops::Index<&str> for Vars {
    type Output = str;
    fn index(&self, key: &str) -> &str {
        self.get(key).unwrap_or_else(|| panic!("no variable {key}"))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Phase {
    /// "expand", "backfill", "contract", ...
    pub name: String,
    pub summary: String,
    pub sql: String,
    pub alembic: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    pub summary: String,
    pub phases: Vec<Phase>,
}

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// A rule document, parsed.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub why: String,
    pub summary: String,
    pub phases: Vec<Phase>,
    /// SQL that makes the rule fire (`## Example`), and SQL that does not (`## Safe example`).
    pub example: String,
    pub safe_example: String,
    /// The examples' language: `sql`, or `python` / `ini` for rules over the project's files.
    pub example_lang: String,
    pub text: &'static str,
}

/// Every rule document, parsed once.
pub fn docs() -> &'static [RuleDoc] {
    static DOCS: std::sync::OnceLock<Vec<RuleDoc>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| RULE_DOCS.iter().map(|(i, t)| parse_doc(i, t)).collect())
}

pub fn doc(id: &str) -> Option<&'static RuleDoc> {
    docs().iter().find(|d| d.id == id)
}

fn parse_doc(id: &str, text: &'static str) -> RuleDoc {
    let mut d = RuleDoc {
        id: id.to_string(),
        title: String::new(),
        severity: String::new(),
        why: String::new(),
        summary: String::new(),
        phases: Vec::new(),
        example: String::new(),
        safe_example: String::new(),
        example_lang: String::new(),
        text,
    };
    #[derive(PartialEq)]
    enum At {
        Head,
        Why,
        Recipe,
        Phase,
        Example,
        SafeExample,
        Other,
    }
    let mut at = At::Head;
    let mut fence: Option<String> = None;
    let mut block = String::new();
    for line in text.lines() {
        if let Some(lang) = &fence {
            if line.trim_start().starts_with("```") {
                if at == At::Example {
                    d.example = block.trim_end().to_string();
                    d.example_lang = lang.clone();
                } else if at == At::SafeExample {
                    d.safe_example = block.trim_end().to_string();
                } else if let Some(p) = d.phases.last_mut() {
                    match lang.as_str() {
                        "sql" => p.sql = block.trim_end().to_string(),
                        "python" => p.alembic = block.trim_end().to_string(),
                        _ => {}
                    }
                }
                fence = None;
                block.clear();
            } else {
                block.push_str(line);
                block.push('\n');
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            d.title = rest
                .split_once(": ")
                .map_or(rest, |(_, t)| t)
                .trim()
                .to_string();
        } else if let Some(rest) = line.strip_prefix("severity:") {
            d.severity = rest.trim().to_string();
        } else if let Some(h) = line.strip_prefix("## ") {
            at = match h.trim() {
                "Why it is dangerous" => At::Why,
                "Safe alternative" => At::Recipe,
                "Example" => At::Example,
                "Safe example" => At::SafeExample,
                _ => At::Other,
            };
        } else if let Some(h) = line.strip_prefix("### ") {
            let (name, summary) = h.split_once(':').unwrap_or((h, ""));
            d.phases.push(Phase {
                name: name.trim().to_string(),
                summary: summary.trim().to_string(),
                sql: String::new(),
                alembic: String::new(),
            });
            at = At::Phase;
        } else if let Some(lang) = line.trim_start().strip_prefix("```") {
            fence = Some(lang.trim().to_string());
        } else {
            let target = match at {
                At::Why => &mut d.why,
                At::Recipe => &mut d.summary,
                _ => continue,
            };
            if !line.trim().is_empty() || !target.is_empty() {
                target.push_str(line);
                target.push('\n');
            }
        }
    }
    d.why = d.why.trim().to_string();
    d.summary = d.summary.trim().to_string();
    d
}

/// A recipe text split once into literal text and `{name}` placeholders.
#[derive(Debug, Clone, Default)]
pub struct Template(Vec<Segment>);

#[derive(Debug, Clone)]
enum Segment {
    /// Literal text, and the same text escaped for a JSON string (computed once).
    Text(String, String),
    Var(String),
}

/// `s` escaped for the inside of a JSON string.
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("strings serialize");
    quoted[1..quoted.len() - 1].to_string()
}

impl Template {
    pub fn parse(template: &str) -> Template {
        let mut segments = Vec::new();
        let mut text = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name_len = after
                .bytes()
                .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
                .count();
            if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
                segments.push(Segment::Text(std::mem::take(&mut text), String::new()));
                segments.push(Segment::Var(after[..name_len].to_string()));
                rest = &after[name_len + 1..];
            } else {
                text.push('{');
                rest = after;
            }
        }
        text.push_str(rest);
        segments.push(Segment::Text(text, String::new()));
        segments.retain(|s| !matches!(s, Segment::Text(t, _) if t.is_empty()));
        for s in &mut segments {
            if let Segment::Text(t, escaped) = s {
                *escaped = json_escaped(t);
            }
        }
        Template(segments)
    }

    /// The text with placeholders replaced by `vars`; unknown ones stay visible as `{name}`.
    pub fn fill(&self, vars: &Vars) -> String {
        let mut out = String::with_capacity(
            self.0
                .iter()
                .map(|s| match s {
                    Segment::Text(t, _) => t.len(),
                    Segment::Var(_) => 16,
                })
                .sum(),
        );
        for s in &self.0 {
            match s {
                Segment::Text(t, _) => out.push_str(t),
                Segment::Var(name) => match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        out
    }
}

impl Template {
    /// The filled-in text as a JSON string (with quotes), escaping only the variables' values.
    fn write_json(&self, vars: &Vars, out: &mut Vec<u8>) {
        out.push(b'"');
        for s in &self.0 {
            match s {
                Segment::Text(_, escaped) => out.extend_from_slice(escaped.as_bytes()),
                Segment::Var(name) => match vars.get(name) {
                    Some(v) => out.extend_from_slice(json_escaped(v).as_bytes()),
                    None => {
                        out.push(b'{');
                        out.extend_from_slice(name.as_bytes());
                        out.push(b'}');
                    }
                },
            }
        }
        out.push(b'"');
    }
}

/// Replaces `{name}` placeholders with their values; unknown ones stay visible.
pub fn fill(template: &str, vars: &Vars) -> String {
    Template::parse(template).fill(vars)
}

/// A rule's recipe, compiled once.
struct Recipe {
    summary: Template,
    phases: Vec<(String, Template, Template, Template)>,
}

fn recipe(rule: &str) -> Option<&'static Recipe> {
    static RECIPES: std::sync::OnceLock<Vec<(String, Recipe)>> = std::sync::OnceLock::new();
    let all = RECIPES.get_or_init(|| {
        docs()
            .iter()
            .map(|d| {
                let phases = d
                    .phases
                    .iter()
                    .map(|p| {
                        (
                            p.name.clone(),
                            Template::parse(&p.summary),
                            Template::parse(&p.sql),
                            Template::parse(&p.alembic),
                        )
                    })
                    .collect();
                (
                    d.id.clone(),
                    Recipe {
                        summary: Template::parse(&d.summary),
                        phases,
                    },
                )
            })
            .collect()
    });
    all.iter().find(|(id, _)| id == rule).map(|(_, r)| r)
}

/// A finding's suggestion, rendered only when it is shown: large inputs have many findings,
/// and their recipes are most of the output.
#[derive(Clone, Debug)]
pub struct LazySuggestion {
    /// The rule whose recipe this is (not always the finding's rule).
    pub rule: RuleId,
    pub vars: Vars,
}

impl LazySuggestion {
    pub fn render(&self) -> Option<Suggestion> {
        render(self.rule.as_str(), &self.vars)
    }

    /// Writes exactly what `serde_json` writes for `self.render()`, without building the
    /// strings or escaping the recipe's fixed text again for every finding.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let Some(r) = recipe(self.rule.as_str()) else {
            out.extend_from_slice(b"null");
            return;
        };
        out.extend_from_slice(b"{\"summary\":");
        r.summary.write_json(&self.vars, out);
        out.extend_from_slice(b",\"phases\":[");
        for (i, (name, summary, sql, alembic)) in r.phases.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            serde_json::to_writer(&mut *out, name).expect("strings serialize");
            out.extend_from_slice(b",\"summary\":");
            summary.write_json(&self.vars, out);
            out.extend_from_slice(b",\"sql\":");
            sql.write_json(&self.vars, out);
            out.extend_from_slice(b",\"alembic\":");
            alembic.write_json(&self.vars, out);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
}

impl Serialize for LazySuggestion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.render().serialize(s)
    }
}

/// The rule's recipe with the finding's names filled in.
pub fn render(rule: &str, vars: &Vars) -> Option<Suggestion> {
    let r = recipe(rule)?;
    Some(Suggestion {
        summary: r.summary.fill(vars),
        phases: r
            .phases
            .iter()
            .map(|(name, summary, sql, alembic)| Phase {
                name: name.clone(),
                summary: summary.fill(vars),
                sql: sql.fill(vars),
                alembic: alembic.fill(vars),
            })
            .collect(),
    })
}

/// The SQLAlchemy type expression for a PostgreSQL type, for `sa.Column(...)`.
pub fn sa_type(t: &SqlType) -> String {
    let m = |i: usize| t.mods.get(i).map(i64::to_string);
    let base = match &*t.name {
        "int2" => "sa.SmallInteger()".to_string(),
        "int4" => "sa.Integer()".to_string(),
        "int8" => "sa.BigInteger()".to_string(),
        "varchar" => m(0).map_or("sa.String()".into(), |n| format!("sa.String(length={n})")),
        "bpchar" => m(0).map_or("sa.CHAR()".into(), |n| format!("sa.CHAR(length={n})")),
        "text" => "sa.Text()".into(),
        "bool" => "sa.Boolean()".into(),
        "numeric" => match (m(0), m(1)) {
            (Some(p), Some(s)) => format!("sa.Numeric({p}, {s})"),
            (Some(p), None) => format!("sa.Numeric({p})"),
            _ => "sa.Numeric()".into(),
        },
        "float8" => "sa.Float()".into(),
        "float4" => "sa.REAL()".into(),
        "timestamp" => "sa.DateTime()".into(),
        "timestamptz" => "sa.DateTime(timezone=True)".into(),
        "date" => "sa.Date()".into(),
        "time" => "sa.Time()".into(),
        "interval" => "sa.Interval()".into(),
        "json" => "sa.JSON()".into(),
        "jsonb" => "postgresql.JSONB()".into(),
        "uuid" => "sa.Uuid()".into(),
        "bytea" => "sa.LargeBinary()".into(),
        "inet" => "postgresql.INET()".into(),
        "cidr" => "postgresql.CIDR()".into(),
        other => format!("sa.types.NullType()  # {other}: use your model's type"),
    };
    if t.array {
        format!("postgresql.ARRAY({base})")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_leaves_other_braces() {
        let vars = Vars::from([("table", "users".to_string())]);
        assert_eq!(
            fill("ALTER TABLE {table} -- {x} {{", &vars),
            "ALTER TABLE users -- {x} {{"
        );
        assert_eq!(fill("dict({}) {table}", &vars), "dict({}) users");
    }

    #[test]
    fn sqlalchemy_types() {
        assert_eq!(
            sa_type(&SqlType::new("varchar", vec![32], false)),
            "sa.String(length=32)"
        );
        assert_eq!(
            sa_type(&SqlType::new("numeric", vec![10, 2], false)),
            "sa.Numeric(10, 2)"
        );
        assert_eq!(
            sa_type(&SqlType::new("int4", vec![], true)),
            "postgresql.ARRAY(sa.Integer())"
        );
    }
}
