//! Configuration a project commits: `[tool.pgrisk]` in `pyproject.toml` (where Alembic projects
//! keep their settings) or `pgrisk.toml`, found by walking up from the working directory, or the
//! file `--config` names. Unknown keys and rule names are errors that name the key and the file.

use crate::kb;
use crate::registry::{RuleId, Severity};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the configuration says about rules: applied to every finding as it is placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    /// Rules never reported.
    pub disabled: BTreeSet<RuleId>,
    /// Rules reported at another severity than their default.
    pub severity: BTreeMap<RuleId, Severity>,
    /// Findings accepted for one revision, with the reason.
    pub ignores: Vec<RevisionIgnore>,
}

/// `[[tool.pgrisk.ignore]]`: findings of `rules` (every rule when empty) in `revision`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionIgnore {
    pub revision: String,
    pub rules: Vec<RuleId>,
    pub reason: String,
}

/// A configuration file, parsed.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from (None: no file).
    pub path: Option<PathBuf>,
    pub pg_version: Option<u32>,
    pub fail_on: Option<String>,
    pub since: Vec<String>,
    pub rules: RuleConfig,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    revision: String,
    #[serde(default)]
    rules: Vec<String>,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    pg_version: Option<u32>,
    fail_on: Option<String>,
    since: Option<OneOrMany>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    pgrisk: Option<toml::Value>,
}

fn rule(name: &str, path: &Path, key: &str) -> Result<RuleId> {
    name.parse::<RuleId>()
        .map_err(|e| anyhow::anyhow!("{}: {key}: {e}", path.display()))
}

impl Config {
    /// `explicit` (`--config`), else the nearest `pgrisk.toml` or `pyproject.toml` with a
    /// `[tool.pgrisk]` table from `cwd` up; no file is an empty configuration.
    pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Config> {
        if let Some(path) = explicit {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
            return Config::parse(&text, path);
        }
        for dir in cwd.ancestors() {
            let own = dir.join("pgrisk.toml");
            if own.is_file() {
                let text = std::fs::read_to_string(&own)
                    .with_context(|| format!("{}: cannot read", own.display()))?;
                return Config::parse(&text, &own);
            }
            let py = dir.join("pyproject.toml");
            if py.is_file() {
                let text = std::fs::read_to_string(&py)
                    .with_context(|| format!("{}: cannot read", py.display()))?;
                if text.contains("tool.pgrisk") {
                    return Config::parse(&text, &py);
                }
            }
        }
        Ok(Config::default())
    }

    /// Parses `text`: a `pyproject.toml` (its `[tool.pgrisk]` table) or a `pgrisk.toml`.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let raw: Raw = if is_pyproject {
            let py: PyProject = toml::from_str(text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
            match py.tool.and_then(|t| t.pgrisk) {
                Some(table) => table.try_into().map_err(|e: toml::de::Error| {
                    anyhow::anyhow!("{}: [tool.pgrisk]: {}", path.display(), e.message())
                })?,
                None => Raw::default(),
            }
        } else {
            toml::from_str(text).map_err(|e| {
                let at = e
                    .span()
                    .map(|s| {
                        let line = text[..s.start].matches('\n').count() + 1;
                        format!(" (line {line})")
                    })
                    .unwrap_or_default();
                anyhow::anyhow!("{}{at}: {}", path.display(), e.message())
            })?
        };
        let mut c = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(v) = raw.pg_version {
            if !(kb::MIN_VERSION..=kb::MAX_VERSION).contains(&v) {
                bail!(
                    "{}: pg_version: {v} is not a PostgreSQL major pgrisk knows ({}–{})",
                    path.display(),
                    kb::MIN_VERSION,
                    kb::MAX_VERSION
                );
            }
            c.pg_version = Some(v);
        }
        if let Some(f) = raw.fail_on {
            if !matches!(f.as_str(), "error" | "warning" | "info" | "never") {
                bail!(
                    "{}: fail_on: {f:?} is not one of error, warning, info, never",
                    path.display()
                );
            }
            c.fail_on = Some(f);
        }
        c.since = match raw.since {
            None => vec![],
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
        };
        for name in &raw.disable {
            c.rules.disabled.insert(rule(name, path, "disable")?);
        }
        for (name, sev) in &raw.severity {
            let r = rule(name, path, "severity")?;
            let s = Severity::parse(sev).with_context(|| {
                format!(
                    "{}: severity.{name}: {sev:?} is not one of error, warning, info",
                    path.display()
                )
            })?;
            c.rules.severity.insert(r, s);
        }
        for i in raw.ignore {
            let rules = i
                .rules
                .iter()
                .map(|n| rule(n, path, "ignore.rules"))
                .collect::<Result<Vec<_>>>()?;
            if i.reason.trim().is_empty() {
                bail!(
                    "{}: ignore for revision {}: give the reason",
                    path.display(),
                    i.revision
                );
            }
            c.rules.ignores.push(RevisionIgnore {
                revision: i.revision,
                rules,
                reason: i.reason,
            });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyproject_table() {
        let text = r#"
[project]
name = "app"

[tool.pgrisk]
pg_version = 16
fail_on = "warning"
since = "ae1027a6acf"
disable = ["prefer-timestamptz"]
severity = { unnamed-constraint = "warning" }

[[tool.pgrisk.ignore]]
revision = "4f2a"
rules = ["add-foreign-key"]
reason = "orders is empty in every environment"
"#;
        let c = Config::parse(text, Path::new("pyproject.toml")).unwrap();
        assert_eq!(c.pg_version, Some(16));
        assert_eq!(c.since, ["ae1027a6acf"]);
        assert!(c.rules.disabled.contains(&RuleId::PreferTimestamptz));
        assert_eq!(
            c.rules.severity.get(&RuleId::UnnamedConstraint),
            Some(&Severity::Warning)
        );
        assert_eq!(c.rules.ignores[0].rules, [RuleId::AddForeignKey]);
    }

    #[test]
    fn unknown_keys_and_rules_name_the_key_and_the_file() {
        let e = Config::parse("pg_versoin = 15\n", Path::new("pgrisk.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("pgrisk.toml (line 1): unknown field `pg_versoin`"),
            "{e}"
        );
        let e = Config::parse("disable = [\"set-not-nul\"]\n", Path::new("pgrisk.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("pgrisk.toml: disable: no rule named \"set-not-nul\""),
            "{e}"
        );
        let e = Config::parse("[tool.pgrisk]\nfoo = 1\n", Path::new("pyproject.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("pyproject.toml: [tool.pgrisk]: unknown field `foo`"),
            "{e}"
        );
    }
}
