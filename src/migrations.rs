//! An index of an Alembic project's migration scripts, read without importing or running them.
//!
//! [`ScriptIndex::discover`] finds the version folders (from `alembic.ini`, a script folder or a
//! `versions/` folder), parses every `*.py` in them with a real Python parser (Ruff's), and keeps
//! for each revision its file, its `down_revision`s and, for `upgrade()` and `downgrade()`, the
//! ordered `op.*` calls with their lines and the string literals that identify them.
//! [`Script::locate`] then finds the call that produced a SQL statement of
//! `alembic upgrade … --sql` output, described by a [`StatementHint`].
//!
//! The module depends on nothing else in pgrisk.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

// ---------------------------------------------------------------------------------------------
// Public model
// ---------------------------------------------------------------------------------------------

/// Every migration script found in an Alembic project's version folders, by revision id.
#[derive(Debug, Clone, Default)]
pub struct ScriptIndex {
    version_dirs: Vec<PathBuf>,
    /// `alembic.ini` and `env.py`, when found (relative to the working directory when under it).
    config_files: Vec<PathBuf>,
    scripts: Vec<Script>,
    by_revision: HashMap<String, usize>,
    problems: Vec<Problem>,
}

/// A file in a version folder that could not be indexed (it is left out of the index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the working directory when it is under it.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// One migration script.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file, relative to the working directory when it is under it.
    pub path: PathBuf,
    /// The revision id (`revision = "…"`, or the docstring's `Revision ID:` line).
    pub revision: String,
    /// Where the revision id was read.
    pub revision_source: RevisionSource,
    /// The parent revisions (`down_revision`): empty for a base revision, two or more for a merge.
    pub down_revisions: Vec<String>,
    /// `branch_labels`, when set to strings.
    pub branch_labels: Vec<String>,
    /// `depends_on`, when set to strings.
    pub depends_on: Vec<String>,
    /// `def upgrade`, when the module defines it.
    pub upgrade: Option<Function>,
    /// `def downgrade`, when the module defines it.
    pub downgrade: Option<Function>,
}

/// Where a script's revision id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionSource {
    /// A module-level `revision = "…"` or `revision: str = "…"`.
    Assignment,
    /// The `Revision ID: …` line of the module docstring (no usable assignment).
    Docstring,
}

/// Which function of a script ran: `alembic upgrade` runs `upgrade()`, `alembic downgrade`
/// runs `downgrade()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

/// `def upgrade()` or `def downgrade()` of a script.
#[derive(Debug, Clone)]
pub struct Function {
    /// 1-based line of the `def` keyword.
    pub line: u32,
    /// 1-based last line of the body.
    pub end_line: u32,
    /// The operations it runs, in source order, calls made through same-file helper functions
    /// included (see [`OpCall::via`]).
    pub ops: Vec<OpCall>,
    /// The body does nothing: only `pass`, `...` and docstrings.
    pub is_noop: bool,
    /// The first `#` comment inside the body or in the comment block right above the `def`,
    /// without the `#` (Alembic's `# ### commands auto generated …` markers do not count).
    /// For a no-op body, the justification a reviewer would look for.
    pub comment: Option<String>,
}

/// Whether an operation runs on `op` or on a `batch_alter_table` context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// `op.name(…)`.
    Op,
    /// `batch_op.name(…)` inside `with op.batch_alter_table(table) as batch_op:`; the table
    /// when it is a string literal.
    Batch { table: Option<String> },
}

/// One `op.*` (or `batch_op.*`) call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpCall {
    /// 1-based line where the call starts (the line of `op.`).
    pub line: u32,
    /// 1-based line where the call ends.
    pub end_line: u32,
    /// The operation: `add_column`, `create_index`, `execute`, …
    pub name: String,
    /// `op` or a batch context.
    pub receiver: Receiver,
    /// Inside `with op.get_context().autocommit_block():`.
    pub autocommit: bool,
    /// When the call is in a helper function called (directly or not) from `upgrade()` or
    /// `downgrade()`: the line of that call in `upgrade()` / `downgrade()`.
    pub via: Option<u32>,
    /// The table the operation works on (the batch table for batch operations).
    pub table: Option<String>,
    /// `schema=` (or `source_schema=`), or the batch's schema.
    pub schema: Option<String>,
    /// Column, index and constraint names the call mentions: names given as arguments, columns
    /// of `sa.Column("name", …)`, `name=` of constraints and indexes, index column lists.
    pub names: Vec<String>,
    /// The SQL text of `op.execute("…")` / `op.execute(sa.text("…"))` when it is literal.
    pub sql: Option<String>,
    /// Every string-literal argument of the call, with its parameter name when known
    /// (positional arguments are named after Alembic's signatures; `None` for `*args`).
    pub arguments: Vec<(Option<String>, String)>,
}

/// What a SQL statement does, as far as matching it to an operation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    CreateTable,
    DropTable,
    AddColumn,
    DropColumn,
    AlterColumn,
    CreateIndex,
    DropIndex,
    AddConstraint,
    DropConstraint,
    RenameTable,
    /// DML and other statements that `op.execute` / `op.bulk_insert` send (UPDATE, INSERT, SET…).
    Execute,
    /// Anything else (COMMENT ON, CREATE TYPE, a column rename…).
    Other,
}

/// A SQL statement to find the operation of, described with what the caller knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementHint<'a> {
    /// The statement's text (used against `op.execute` SQL).
    pub sql: &'a str,
    pub verb: Verb,
    /// The table it works on, possibly schema-qualified (`public.orders`); `None` when the
    /// statement does not name it (DROP INDEX).
    pub table: Option<&'a str>,
    /// Column, index and constraint names the statement mentions, unquoted.
    pub names: Vec<&'a str>,
}

impl<'a> StatementHint<'a> {
    pub fn new(sql: &'a str, verb: Verb) -> Self {
        StatementHint {
            sql,
            verb,
            table: None,
            names: Vec::new(),
        }
    }

    pub fn table(mut self, table: &'a str) -> Self {
        self.table = Some(table);
        self
    }

    pub fn name(mut self, name: &'a str) -> Self {
        self.names.push(name);
        self
    }
}

/// Where a statement came from in a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line: the matching call's, or the `def` line when nothing matched (1 when the
    /// function is missing).
    pub line: u32,
    /// An operation matched.
    pub matched: bool,
    /// For a call in a helper function: the line in `upgrade()` / `downgrade()` that called it.
    pub via: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------------------------

impl ScriptIndex {
    /// Indexes the scripts of an Alembic project. `dir` is the folder holding `alembic.ini` (or
    /// the `.ini` file itself), the script folder (holding `env.py` and `versions/`) or a version
    /// folder. With `alembic.ini`, its `[alembic]` `script_location` and `version_locations` are
    /// used as Alembic uses them: `%(here)s` and other `%(…)s` interpolation, several locations
    /// split by `path_separator` (or the older `version_path_separator`, or else spaces and
    /// commas); when `version_locations` is set it replaces `<script_location>/versions`; relative
    /// paths are taken from the folder of `alembic.ini`. Version folders are searched
    /// recursively. Files that cannot be indexed are listed in [`ScriptIndex::problems`].
    pub fn discover(dir: &Path) -> Result<ScriptIndex> {
        let cwd = std::env::current_dir().ok();
        let abs = absolute(dir, cwd.as_deref());
        let version_dirs = version_dirs(dir, &abs)?;
        let mut index = ScriptIndex::default();
        let mut files = Vec::new();
        for vdir in &version_dirs {
            list_py_files(vdir, &mut files)
                .with_context(|| format!("{}: cannot list the folder", vdir.display()))?;
        }
        let mut seen = HashSet::new();
        files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
        for file in files {
            let shown = relative_to(&file, cwd.as_deref());
            let text = match std::fs::read(&file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(_) => {
                        index.problem(shown, "not UTF-8".into());
                        continue;
                    }
                },
                Err(e) => {
                    index.problem(shown, format!("cannot read it: {e}"));
                    continue;
                }
            };
            match Script::parse(&text, shown.clone()) {
                Ok(Some(script)) => index.insert(script),
                Ok(None) => index.problem(
                    shown,
                    "no `revision = \"…\"` assignment nor `Revision ID:` docstring line".into(),
                ),
                Err(e) => index.problem(shown, format!("{e:#}")),
            }
        }
        let mut config_files: Vec<PathBuf> = Vec::new();
        let ini = if abs.is_file() {
            abs.clone()
        } else {
            abs.join("alembic.ini")
        };
        if ini.is_file() {
            config_files.push(ini);
        }
        for d in version_dirs
            .iter()
            .filter_map(|v| v.parent())
            .chain([abs.as_path()])
        {
            let env = d.join("env.py");
            if env.is_file() && !config_files.contains(&env) {
                config_files.push(env);
            }
        }
        index.config_files = config_files
            .iter()
            .map(|f| relative_to(f, cwd.as_deref()))
            .collect();
        index.version_dirs = version_dirs
            .iter()
            .map(|d| relative_to(d, cwd.as_deref()))
            .collect();
        Ok(index)
    }

    /// The index of the project whose `alembic.ini` is in the working directory, or `None` when
    /// there is none.
    pub fn from_cwd() -> Result<Option<ScriptIndex>> {
        if Path::new("alembic.ini").is_file() {
            ScriptIndex::discover(Path::new(".")).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Builds an index from scripts already parsed (tests, or callers with their own files).
    pub fn from_scripts(scripts: impl IntoIterator<Item = Script>) -> ScriptIndex {
        let mut index = ScriptIndex::default();
        for script in scripts {
            index.insert(script);
        }
        index
    }

    fn insert(&mut self, script: Script) {
        if let Some(&first) = self.by_revision.get(&script.revision) {
            let message = format!(
                "revision {} is also defined in {}; this file is ignored",
                script.revision,
                self.scripts[first].path.display()
            );
            self.problem(script.path, message);
            return;
        }
        self.by_revision
            .insert(script.revision.clone(), self.scripts.len());
        self.scripts.push(script);
    }

    fn problem(&mut self, path: PathBuf, message: String) {
        self.problems.push(Problem { path, message });
    }

    /// The script of a revision id (exact, as in `-- Running upgrade A -> B`).
    pub fn get(&self, revision: &str) -> Option<&Script> {
        self.by_revision.get(revision).map(|&i| &self.scripts[i])
    }

    /// Every script, in file path order.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// The version folders searched (relative to the working directory when under it).
    pub fn version_dirs(&self) -> &[PathBuf] {
        &self.version_dirs
    }

    /// The project's `alembic.ini` and `env.py`, where found.
    pub fn config_files(&self) -> &[PathBuf] {
        &self.config_files
    }

    /// Files left out of the index, and why.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }
}

/// The version folders `dir` designates (absolute paths).
fn version_dirs(shown: &Path, abs: &Path) -> Result<Vec<PathBuf>> {
    if abs.is_file() {
        if abs.extension().is_some_and(|e| e == "ini") {
            return ini_version_dirs(abs);
        }
        bail!(
            "{}: not a folder nor an .ini file; expected the folder holding alembic.ini, the \
             Alembic script folder or its versions/ folder",
            shown.display()
        );
    }
    if !abs.is_dir() {
        bail!("{}: no such folder", shown.display());
    }
    let ini = abs.join("alembic.ini");
    if ini.is_file() {
        return ini_version_dirs(&ini);
    }
    let versions = abs.join("versions");
    if abs.join("env.py").is_file() || versions.is_dir() {
        if !versions.is_dir() {
            bail!(
                "{}: an Alembic script folder (it has env.py) without a versions/ folder",
                shown.display()
            );
        }
        return Ok(vec![versions]);
    }
    let has_py = std::fs::read_dir(abs)
        .with_context(|| format!("{}: cannot list the folder", shown.display()))?
        .filter_map(|e| e.ok())
        .any(|e| e.path().extension().is_some_and(|x| x == "py"));
    if has_py || abs.file_name().is_some_and(|n| n == "versions") {
        return Ok(vec![abs.to_path_buf()]);
    }
    bail!(
        "{}: no alembic.ini, env.py, versions/ folder or *.py file there; expected the folder \
         holding alembic.ini, the Alembic script folder or its versions/ folder",
        shown.display()
    )
}

/// The version folders an `alembic.ini` configures.
fn ini_version_dirs(ini: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(ini)
        .with_context(|| format!("{}: cannot read it", ini.display()))?;
    let here = ini.parent().unwrap_or(Path::new("/"));
    let config = Ini::parse(&text, &here.to_string_lossy());
    let get = |key: &str| {
        config
            .get("alembic", key)
            .map_err(|e| anyhow::anyhow!("{}: [alembic] {key}: {e}", ini.display()))
    };
    let Some(script_location) = get("script_location")? else {
        bail!(
            "{}: no script_location in its [alembic] section (settings in pyproject.toml's \
             [tool.alembic] are not read; pass the script folder instead)",
            ini.display()
        );
    };
    let script_location = script_location.trim();
    let resolve = |p: &str| {
        let path = Path::new(p);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            normalize(&here.join(path))
        }
    };
    let script_dir = resolve(script_location);
    if !script_dir.is_dir() {
        if !Path::new(script_location).is_absolute() && script_location.contains(':') {
            bail!(
                "{}: script_location = {script_location} names a Python package resource, which \
                 pgrisk cannot resolve without Python; pass the script folder instead",
                ini.display()
            );
        }
        bail!(
            "{}: script_location {} is not a folder",
            ini.display(),
            script_dir.display()
        );
    }
    let locations = match get("version_locations")? {
        Some(value) if !value.trim().is_empty() => {
            let separator = match get("path_separator")? {
                Some(s) => Some(("path_separator", s)),
                None => get("version_path_separator")?.map(|s| ("version_path_separator", s)),
            };
            let parts: Vec<String> = match separator {
                Some((key, sep)) => {
                    let sep = match sep.trim() {
                        "space" => " ",
                        "newline" => "\n",
                        "os" => {
                            if cfg!(windows) {
                                ";"
                            } else {
                                ":"
                            }
                        }
                        ":" => ":",
                        ";" => ";",
                        other => bail!(
                            "{}: {key} = {other} is not one of space, newline, os, :, ;",
                            ini.display()
                        ),
                    };
                    value
                        .split(sep)
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                }
                None => value
                    .split([',', ' ', '\t', '\n'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            };
            parts.iter().map(|p| resolve(p)).collect::<Vec<_>>()
        }
        _ => vec![script_dir.join("versions")],
    };
    let existing: Vec<PathBuf> = locations.iter().filter(|p| p.is_dir()).cloned().collect();
    if existing.is_empty() {
        let list: Vec<String> = locations.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "{}: no version folder exists (looked for {})",
            ini.display(),
            list.join(", ")
        );
    }
    Ok(existing)
}

/// Every `*.py` under `dir`, recursively, sorted, as Alembic lists them (no `__init__*`, no
/// editor lock files `.#*`, no `__pycache__`).
fn list_py_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut subdirs = Vec::new();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.as_deref().unwrap_or("");
        if path.is_dir() {
            if name != "__pycache__" && !name.starts_with('.') {
                subdirs.push(path);
            }
        } else if name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
        {
            out.push(path);
        }
    }
    for sub in subdirs {
        list_py_files(&sub, out)?;
    }
    Ok(())
}

fn absolute(path: &Path, cwd: Option<&Path>) -> PathBuf {
    match cwd {
        Some(cwd) if path.is_relative() => normalize(&cwd.join(path)),
        _ => normalize(path),
    }
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path` relative to `cwd` when it is under it, else as is.
fn relative_to(path: &Path, cwd: Option<&Path>) -> PathBuf {
    if let Some(cwd) = cwd {
        if let Ok(rel) = path.strip_prefix(cwd) {
            return rel.to_path_buf();
        }
        if let (Ok(p), Ok(c)) = (path.canonicalize(), cwd.canonicalize())
            && let Ok(rel) = p.strip_prefix(&c)
        {
            return rel.to_path_buf();
        }
    }
    path.to_path_buf()
}

/// The subset of Python's `configparser` Alembic's `alembic.ini` uses: sections, `key = value`
/// and `key: value`, indented continuation lines, full-line `#` / `;` comments, and
/// `BasicInterpolation` (`%(name)s` from the section, `[DEFAULT]` or `here`; `%%`).
struct Ini {
    here: String,
    sections: HashMap<String, HashMap<String, String>>,
}

impl Ini {
    fn parse(text: &str, here: &str) -> Ini {
        let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut section: Option<String> = None;
        let mut key: Option<String> = None;
        let mut blank_run = 0usize;
        for raw in text.lines() {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.is_empty() {
                blank_run += 1;
                continue;
            }
            let indented = line.len() != trimmed.len();
            if indented && let (Some(s), Some(k)) = (&section, &key) {
                let value = sections
                    .get_mut(s)
                    .and_then(|m| m.get_mut(k))
                    .expect("current key exists");
                for _ in 0..blank_run {
                    value.push('\n');
                }
                if !value.is_empty() {
                    value.push('\n');
                }
                value.push_str(trimmed);
                blank_run = 0;
                continue;
            }
            blank_run = 0;
            if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                section = Some(name.trim().to_string());
                key = None;
                sections.entry(name.trim().to_string()).or_default();
                continue;
            }
            let Some(s) = &section else { continue };
            let at = trimmed.find(['=', ':']);
            let (k, v) = match at {
                Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
                None => (trimmed, ""),
            };
            let k = k.trim().to_lowercase();
            sections
                .entry(s.clone())
                .or_default()
                .insert(k.clone(), v.trim().to_string());
            key = Some(k);
        }
        Ini {
            here: here.to_string(),
            sections,
        }
    }

    fn raw(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        if key == "here" {
            return Some(&self.here);
        }
        self.sections
            .get(section)
            .and_then(|m| m.get(&key))
            .or_else(|| self.sections.get("DEFAULT").and_then(|m| m.get(&key)))
            .map(String::as_str)
    }

    /// The interpolated value, `Ok(None)` when the key is absent.
    fn get(&self, section: &str, key: &str) -> std::result::Result<Option<String>, String> {
        match self.raw(section, key) {
            None => Ok(None),
            Some(raw) => self.interpolate(section, raw, 0).map(Some),
        }
    }

    fn interpolate(&self, section: &str, raw: &str, depth: usize) -> Result<String, String> {
        if depth > 10 {
            return Err("interpolation nested too deeply".into());
        }
        let mut out = String::new();
        let mut rest = raw;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(r) = after.strip_prefix('%') {
                out.push('%');
                rest = r;
            } else if let Some(r) = after.strip_prefix('(') {
                let Some(close) = r.find(")s") else {
                    return Err(format!("bad interpolation syntax in {raw:?}"));
                };
                let name = &r[..close];
                let Some(value) = self.raw(section, name) else {
                    return Err(format!("%({name})s refers to no setting"));
                };
                out.push_str(&self.interpolate(section, value, depth + 1)?);
                rest = &r[close + 2..];
            } else {
                return Err(format!("'%' must be followed by '%' or '(' in {raw:?}"));
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing one script
// ---------------------------------------------------------------------------------------------

impl Script {
    /// Parses a script's source. `Ok(None)` when it has no revision id (not a migration script);
    /// an error when it is not valid Python.
    pub fn parse(source: &str, path: PathBuf) -> Result<Option<Script>> {
        let parsed = ruff_python_parser::parse_module(source).map_err(|e| {
            let lines = LineIndex::new(source);
            anyhow::anyhow!(
                "line {}: Python syntax error: {}",
                lines.line(e.location.start()),
                e.error
            )
        })?;
        let lines = LineIndex::new(source);
        let comments: Vec<(TextSize, &str)> = parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(|t| (t.start(), &source[t.range()]))
            .collect();
        let body = &parsed.syntax().body;

        let mut constants: HashMap<String, Value> = HashMap::new();
        let mut helpers: HashMap<&str, &ast::StmtFunctionDef> = HashMap::new();
        let mut revision = None;
        let mut down_revisions = Vec::new();
        let mut branch_labels = Vec::new();
        let mut depends_on = Vec::new();
        let mut upgrade = None;
        let mut downgrade = None;
        for stmt in body.iter() {
            let (target, value) = match stmt {
                Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(&*a.value)),
                Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()),
                Stmt::FunctionDef(f) => {
                    helpers.insert(f.name.as_str(), f);
                    match f.name.as_str() {
                        "upgrade" => upgrade = Some(f),
                        "downgrade" => downgrade = Some(f),
                        _ => {}
                    }
                    continue;
                }
                _ => continue,
            };
            let (Expr::Name(name), Some(value)) = (target, value) else {
                continue;
            };
            match name.id.as_str() {
                "revision" => revision = literal_str(value),
                "down_revision" => down_revisions = literal_strs(value),
                "branch_labels" => branch_labels = literal_strs(value),
                "depends_on" => depends_on = literal_strs(value),
                other => {
                    if let Some(s) = literal_str(value) {
                        constants.insert(other.to_string(), Value::Str(s));
                    }
                }
            }
        }
        let (revision, revision_source) = match revision {
            Some(r) if !r.trim().is_empty() => (r.trim().to_string(), RevisionSource::Assignment),
            _ => match docstring(body).and_then(docstring_revision) {
                Some(r) => (r, RevisionSource::Docstring),
                None => return Ok(None),
            },
        };
        let module = Module {
            lines: &lines,
            helpers,
            constants,
        };
        let function = |f: Option<&ast::StmtFunctionDef>, index: usize| {
            f.map(|f| module.function(f, next_start(body, index, source), &comments, source))
        };
        // The last definition wins, as in Python.
        let upgrade_index = body.iter().rposition(|s| is_def(s, "upgrade"));
        let downgrade_index = body.iter().rposition(|s| is_def(s, "downgrade"));
        Ok(Some(Script {
            path,
            revision,
            revision_source,
            down_revisions,
            branch_labels,
            depends_on,
            upgrade: function(upgrade, upgrade_index.unwrap_or(0)),
            downgrade: function(downgrade, downgrade_index.unwrap_or(0)),
        }))
    }

    /// `upgrade()` or `downgrade()`.
    pub fn function(&self, direction: Direction) -> Option<&Function> {
        match direction {
            Direction::Upgrade => self.upgrade.as_ref(),
            Direction::Downgrade => self.downgrade.as_ref(),
        }
    }

    /// A merge revision (two or more parents).
    pub fn is_merge(&self) -> bool {
        self.down_revisions.len() > 1
    }

    /// Finds the operation of `direction`'s function that produced the statement `hint`
    /// describes.
    ///
    /// `cursor` carries the position between the statements of one run of this script: start
    /// it at 0 and pass the same variable for each of its statements in output order (Alembic
    /// emits them in call order). After a match it is the index of the next operation.
    ///
    /// A candidate operation must be able to emit the statement's verb (`op.create_table` also
    /// emits the CREATE INDEX of `index=True` columns and COMMENT ON, `op.add_column` its
    /// constraints…; batch operations work on the batch table). `op.execute` matches when its
    /// SQL, whitespace collapsed and case folded, equals or contains the statement's. Other
    /// operations must not contradict the hint (another table, or names and none in common)
    /// and the best is the one that agrees on the most (table, each common name); ties go to
    /// the first at or after the cursor, then to the nearest before it. An operation nothing
    /// can be checked on (a helper's arguments that are not literals) is taken only when it is
    /// the first candidate at or after the cursor and nothing agrees better. When nothing
    /// matches: the `def` line, `matched: false`.
    pub fn locate(
        &self,
        direction: Direction,
        hint: &StatementHint,
        cursor: &mut usize,
    ) -> Location {
        let Some(function) = self.function(direction) else {
            return Location {
                line: 1,
                matched: false,
                via: None,
            };
        };
        let ops = &function.ops;
        let start = (*cursor).min(ops.len());
        let order = (start..ops.len()).chain((0..start).rev());
        let sql = normalize_sql(hint.sql);
        let mut best: Option<(usize, u32)> = None;
        let mut weak: Option<usize> = None;
        let mut first_forward = true;
        for i in order {
            let forward = i >= start;
            match agreement(&ops[i], hint, &sql) {
                Agreement::No => continue,
                Agreement::Weak => {
                    if forward && first_forward {
                        weak = Some(i);
                    }
                }
                Agreement::Yes(score) => {
                    if best.is_none_or(|(_, s)| score > s) {
                        best = Some((i, score));
                    }
                }
            }
            if forward {
                first_forward = false;
            }
        }
        match best.map(|(i, _)| i).or(weak) {
            Some(i) => {
                *cursor = i + 1;
                Location {
                    line: ops[i].line,
                    matched: true,
                    via: ops[i].via,
                }
            }
            None => Location {
                line: function.line,
                matched: false,
                via: None,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agreement {
    /// Ruled out.
    No,
    /// Possible, nothing to check it on.
    Weak,
    /// Agrees on this many facts.
    Yes(u32),
}

fn agreement(op: &OpCall, hint: &StatementHint, sql: &str) -> Agreement {
    if op.name == "execute" {
        return match &op.sql {
            Some(text) => {
                let text = normalize_sql(text);
                if contains_statement(&text, sql) {
                    Agreement::Yes(100)
                } else {
                    Agreement::No
                }
            }
            None => Agreement::Weak,
        };
    }
    if !op_verbs(&op.name).allows(hint.verb) {
        return Agreement::No;
    }
    let mut score = 0;
    if let (Some(table), Some(op_table)) = (hint.table, &op.table) {
        let (schema, name) = split_qualified(table);
        if !name.eq_ignore_ascii_case(op_table) {
            return Agreement::No;
        }
        if let (Some(schema), Some(op_schema)) = (schema, &op.schema)
            && !schema.eq_ignore_ascii_case(op_schema)
        {
            return Agreement::No;
        }
        score += 1;
    }
    if !hint.names.is_empty() && !op.names.is_empty() {
        let common = hint
            .names
            .iter()
            .filter(|n| op.names.iter().any(|o| o.eq_ignore_ascii_case(n)))
            .count() as u32;
        if common == 0 {
            return Agreement::No;
        }
        score += common;
    }
    if score == 0 {
        Agreement::Weak
    } else {
        Agreement::Yes(score)
    }
}

/// `sql` is `text`, or one of its statements: found in it between statement or word boundaries.
fn contains_statement(text: &str, sql: &str) -> bool {
    if sql.is_empty() {
        return false;
    }
    let boundary = |c: Option<char>| matches!(c, None | Some(' ' | ';'));
    text.match_indices(sql).any(|(at, _)| {
        boundary(text[..at].chars().next_back()) && boundary(text[at + sql.len()..].chars().next())
    })
}

/// `schema.table` → (Some(schema), table); quotes removed.
fn split_qualified(name: &str) -> (Option<&str>, &str) {
    fn unquote(s: &str) -> &str {
        s.trim().trim_matches('"')
    }
    match name.rsplit_once('.') {
        Some((schema, table)) if !table.contains('"') || table.starts_with('"') => {
            (Some(unquote(schema)), unquote(table))
        }
        _ => (None, unquote(name)),
    }
}

/// Whitespace collapsed to single spaces, case folded, trailing `;` removed.
fn normalize_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    for word in sql.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    while out.ends_with(';') || out.ends_with(' ') {
        out.pop();
    }
    out
}

struct Verbs(&'static [Verb]);

impl Verbs {
    fn allows(&self, verb: Verb) -> bool {
        self.0.is_empty() || self.0.contains(&verb)
    }
}

/// The statement verbs an operation can emit (empty: any).
fn op_verbs(name: &str) -> Verbs {
    use Verb::*;
    Verbs(match name {
        "create_table" => &[CreateTable, CreateIndex, AddConstraint, Other],
        "drop_table" => &[DropTable, Other],
        "rename_table" => &[RenameTable],
        "add_column" => &[AddColumn, AddConstraint, CreateIndex, Other],
        "drop_column" => &[DropColumn],
        "alter_column" => &[AlterColumn, Other],
        "create_index" => &[CreateIndex],
        "drop_index" => &[DropIndex],
        "create_foreign_key"
        | "create_unique_constraint"
        | "create_primary_key"
        | "create_check_constraint"
        | "create_exclude_constraint" => &[AddConstraint],
        "drop_constraint" => &[DropConstraint],
        "bulk_insert" => &[Execute, Other],
        "create_table_comment" | "drop_table_comment" => &[Other],
        _ => &[],
    })
}

/// Alembic's positional parameters of an operation (`*x`: the rest).
fn op_params(name: &str, batch: bool) -> &'static [&'static str] {
    match (name, batch) {
        ("create_table", _) => &["table_name", "*columns"],
        ("drop_table", _) => &["table_name"],
        ("rename_table", _) => &["old_table_name", "new_table_name"],
        ("add_column", false) => &["table_name", "column"],
        ("add_column", true) => &["column"],
        ("drop_column", false) => &["table_name", "column_name"],
        ("drop_column", true) => &["column_name"],
        ("alter_column", false) => &["table_name", "column_name"],
        ("alter_column", true) => &["column_name"],
        ("create_index", false) => &["index_name", "table_name", "columns"],
        ("create_index", true) => &["index_name", "columns"],
        ("drop_index", false) => &["index_name", "table_name"],
        ("drop_index", true) => &["index_name"],
        ("create_foreign_key", false) => &[
            "constraint_name",
            "source_table",
            "referent_table",
            "local_cols",
            "remote_cols",
        ],
        ("create_foreign_key", true) => &[
            "constraint_name",
            "referent_table",
            "local_cols",
            "remote_cols",
        ],
        ("create_unique_constraint" | "create_primary_key", false) => {
            &["constraint_name", "table_name", "columns"]
        }
        ("create_unique_constraint" | "create_primary_key", true) => {
            &["constraint_name", "columns"]
        }
        ("create_check_constraint", false) => &["constraint_name", "table_name", "condition"],
        ("create_check_constraint", true) => &["constraint_name", "condition"],
        ("create_exclude_constraint", false) => &["constraint_name", "table_name", "*elements"],
        ("create_exclude_constraint", true) => &["constraint_name", "*elements"],
        ("drop_constraint", false) => &["constraint_name", "table_name", "type_"],
        ("drop_constraint", true) => &["constraint_name", "type_"],
        ("execute", _) => &["sqltext"],
        ("bulk_insert", _) => &["table", "rows"],
        ("create_table_comment", false) => &["table_name", "comment"],
        ("create_table_comment", true) => &["comment"],
        ("drop_table_comment", false) => &["table_name"],
        _ => &[],
    }
}

/// `op` methods that emit nothing themselves.
fn is_not_an_operation(name: &str) -> bool {
    matches!(
        name,
        "f" | "get_context"
            | "get_bind"
            | "batch_alter_table"
            | "inline_literal"
            | "implementation_for"
            | "register_operation"
            | "invoke"
            | "run_async"
            | "context"
            | "impl"
            | "migration_context"
    )
}

fn is_def(stmt: &Stmt, name: &str) -> bool {
    matches!(stmt, Stmt::FunctionDef(f) if f.name.as_str() == name)
}

/// Start of the module-level statement after `body[index]` (or the end of the source).
fn next_start(body: &[Stmt], index: usize, source: &str) -> TextSize {
    body.get(index + 1)
        .map(|s| s.start())
        .unwrap_or_else(|| TextSize::new(source.len() as u32))
}

fn docstring(body: &[Stmt]) -> Option<&str> {
    match body.first()? {
        Stmt::Expr(e) => match &*e.value {
            Expr::StringLiteral(s) => Some(s.value.to_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The `Revision ID: …` line of Alembic's docstring template.
fn docstring_revision(doc: &str) -> Option<String> {
    doc.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("Revision ID:")?;
        let id = rest.trim();
        (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| id.to_string())
    })
}

/// A string literal (implicit concatenation included).
fn literal_str(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// A string, a tuple or list of strings, or None (empty).
fn literal_strs(expr: &Expr) -> Vec<String> {
    match expr {
        Expr::StringLiteral(s) => vec![s.value.to_str().to_string()],
        Expr::Tuple(t) => t.elts.iter().filter_map(literal_str).collect(),
        Expr::List(l) => l.elts.iter().filter_map(literal_str).collect(),
        _ => Vec::new(),
    }
}

struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    fn new(source: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: TextSize) -> u32 {
        self.starts.partition_point(|&s| s <= offset.to_u32()) as u32
    }
}

// ---------------------------------------------------------------------------------------------
// Walking upgrade() / downgrade()
// ---------------------------------------------------------------------------------------------

/// What a name is bound to while walking.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Str(String),
    /// A `batch_alter_table` context: its table and schema.
    Batch(Option<String>, Option<String>),
}

struct Module<'s> {
    lines: &'s LineIndex,
    helpers: HashMap<&'s str, &'s ast::StmtFunctionDef>,
    constants: HashMap<String, Value>,
}

impl<'s> Module<'s> {
    fn function(
        &self,
        def: &'s ast::StmtFunctionDef,
        next: TextSize,
        comments: &[(TextSize, &str)],
        source: &str,
    ) -> Function {
        let mut walker = Walker {
            module: self,
            env: self.constants.clone(),
            autocommit: 0,
            via: None,
            stack: vec![def.name.as_str()],
            ops: Vec::new(),
        };
        walker.visit_body(&def.body);
        let is_noop = def.body.iter().all(|s| match s {
            Stmt::Pass(_) => true,
            Stmt::Expr(e) => matches!(&*e.value, Expr::StringLiteral(_) | Expr::EllipsisLiteral(_)),
            _ => false,
        });
        Function {
            line: self.lines.line(def.start()),
            end_line: self.lines.line(def.end()),
            ops: walker.ops,
            is_noop,
            comment: self.justification(def, next, comments, source),
        }
    }

    /// The first meaningful comment inside the function (up to the next module-level statement,
    /// indented deeper than `def`) or in the comment block right above it.
    fn justification(
        &self,
        def: &ast::StmtFunctionDef,
        next: TextSize,
        comments: &[(TextSize, &str)],
        source: &str,
    ) -> Option<String> {
        let column = |offset: TextSize| {
            let start = self.lines.starts[self.lines.line(offset) as usize - 1] as usize;
            offset.to_usize() - start
        };
        let def_column = column(def.start());
        let meaningful = |text: &str| {
            let body = text.trim_start_matches('#').trim();
            (!body.is_empty() && !text.starts_with("# ###")).then(|| body.to_string())
        };
        let inside = comments
            .iter()
            .filter(|(at, _)| *at > def.start() && *at < next && column(*at) > def_column)
            .find_map(|(_, text)| meaningful(text));
        if inside.is_some() {
            return inside;
        }
        // The block of comment-only lines right above `def` (or its decorators).
        let first_line = def
            .decorator_list
            .first()
            .map(|d| self.lines.line(d.start()))
            .unwrap_or_else(|| self.lines.line(def.start()));
        let mut block = Vec::new();
        let mut line = first_line;
        while line > 1 {
            line -= 1;
            let start = self.lines.starts[line as usize - 1];
            let Some((_, text)) = comments.iter().find(|(at, _)| {
                self.lines.line(*at) == line
                    && source[start as usize..at.to_usize()].trim().is_empty()
            }) else {
                break;
            };
            block.push(*text);
        }
        block.iter().rev().find_map(|text| meaningful(text))
    }
}

struct Walker<'m, 's> {
    module: &'m Module<'s>,
    env: HashMap<String, Value>,
    autocommit: u32,
    via: Option<u32>,
    /// Functions being walked (no recursion into them again).
    stack: Vec<&'s str>,
    ops: Vec<OpCall>,
}

impl<'m, 's> Walker<'m, 's> {
    /// The string an expression stands for: a literal, concatenated literals, a name bound to a
    /// string, `op.f("…")`, `sa.text("…")` / `text("…")`, `sa.DDL("…")`.
    fn string(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            Expr::Name(n) => match self.env.get(n.id.as_str()) {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            },
            Expr::BinOp(b) if b.op == ast::Operator::Add => {
                Some(self.string(&b.left)? + &self.string(&b.right)?)
            }
            Expr::Call(c) => {
                let callee = callee_name(&c.func)?;
                if matches!(callee, "f" | "text" | "DDL") && c.arguments.args.len() == 1 {
                    self.string(&c.arguments.args[0])
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn value(&self, expr: &Expr) -> Option<Value> {
        if let Expr::Name(n) = expr
            && let Some(v) = self.env.get(n.id.as_str())
        {
            return Some(v.clone());
        }
        self.string(expr).map(Value::Str)
    }

    /// The strings of a string, or of a list / tuple of strings.
    fn strings(&self, expr: &Expr) -> Vec<String> {
        match expr {
            Expr::List(l) => l.elts.iter().filter_map(|e| self.plain(e)).collect(),
            Expr::Tuple(t) => t.elts.iter().filter_map(|e| self.plain(e)).collect(),
            other => self.plain(other).into_iter().collect(),
        }
    }

    /// A string that is not SQL text (`sa.text()` in an index column list is an expression).
    fn plain(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Call(c) if callee_name(&c.func) != Some("f") => None,
            other => self.string(other),
        }
    }

    /// Names inside schema items: `sa.Column("name", …)`, `sa.Index("name", …)`, every
    /// `name="…"` keyword, recursively.
    fn schema_item_names(&self, expr: &Expr, out: &mut Vec<String>) {
        let Expr::Call(call) = expr else { return };
        let callee = callee_name(&call.func);
        if matches!(callee, Some("Column" | "Index"))
            && let Some(first) = call.arguments.args.first()
            && let Some(name) = self.string(first)
        {
            out.push(name);
        }
        for kw in call.arguments.keywords.iter() {
            if kw.arg.as_ref().is_some_and(|a| a.as_str() == "name")
                && let Some(name) = self.string(&kw.value)
            {
                out.push(name);
            }
        }
        for arg in call.arguments.args.iter() {
            self.schema_item_names(arg, out);
        }
    }

    fn record(
        &mut self,
        call: &ast::ExprCall,
        name: &str,
        batch: Option<(Option<String>, Option<String>)>,
    ) {
        let params = op_params(name, batch.is_some());
        let mut bound: Vec<(Option<&str>, &Expr)> = Vec::new();
        let mut rest = false;
        for (i, arg) in call.arguments.args.iter().enumerate() {
            let param = if rest {
                None
            } else {
                match params.get(i) {
                    Some(p) if p.starts_with('*') => {
                        rest = true;
                        None
                    }
                    Some(p) => Some(*p),
                    None => None,
                }
            };
            bound.push((param, arg));
        }
        for kw in call.arguments.keywords.iter() {
            if let Some(arg) = &kw.arg {
                bound.push((Some(arg.as_str()), &kw.value));
            }
        }
        let mut op = OpCall {
            line: self.module.lines.line(call.start()),
            end_line: self.module.lines.line(call.end()),
            name: name.to_string(),
            receiver: Receiver::Op,
            autocommit: self.autocommit > 0,
            via: self.via,
            table: None,
            schema: None,
            names: Vec::new(),
            sql: None,
            arguments: Vec::new(),
        };
        if let Some((table, schema)) = batch {
            op.receiver = Receiver::Batch {
                table: table.clone(),
            };
            op.table = table;
            op.schema = schema;
        }
        for (param, expr) in &bound {
            if let Some(s) = self.string(expr) {
                op.arguments.push((param.map(str::to_string), s));
            }
            match *param {
                Some("table_name" | "source_table" | "old_table_name") if op.table.is_none() => {
                    op.table = self.plain(expr);
                }
                Some("table") if op.table.is_none() => {
                    // bulk_insert(sa.table("name", …), rows)
                    op.table = match expr {
                        Expr::Call(c) => c.arguments.args.first().and_then(|a| self.string(a)),
                        other => self.string(other),
                    };
                }
                Some("schema" | "source_schema") if op.schema.is_none() => {
                    op.schema = self.plain(expr);
                }
                Some(
                    "column_name" | "index_name" | "constraint_name" | "new_column_name"
                    | "new_table_name" | "columns" | "local_cols",
                ) => op.names.extend(self.strings(expr)),
                Some("column") | None if name != "execute" => {
                    self.schema_item_names(expr, &mut op.names)
                }
                Some("sqltext") => op.sql = self.string(expr),
                _ => {}
            }
        }
        let mut seen = HashSet::new();
        op.names.retain(|n| seen.insert(n.to_lowercase()));
        self.ops.push(op);
    }

    /// Walks a same-file helper function with its parameters bound to the call's arguments.
    fn expand(&mut self, call: &ast::ExprCall, def: &'s ast::StmtFunctionDef) {
        // Module constants, shadowed by every parameter; parameters get their string default,
        // then the call's argument when it is a string or a batch context.
        let mut env = self.module.constants.clone();
        let params = &def.parameters;
        let positional: Vec<&ast::ParameterWithDefault> = params
            .posonlyargs
            .iter()
            .chain(params.args.iter())
            .collect();
        for p in positional.iter().copied().chain(params.kwonlyargs.iter()) {
            let name = p.name().as_str();
            env.remove(name);
            if let Some(s) = p.default().and_then(literal_str) {
                env.insert(name.to_string(), Value::Str(s));
            }
        }
        for extra in [&params.vararg, &params.kwarg].into_iter().flatten() {
            env.remove(extra.name.as_str());
        }
        for (p, arg) in positional.iter().zip(call.arguments.args.iter()) {
            let name = p.name().as_str().to_string();
            match self.value(arg) {
                Some(v) => env.insert(name, v),
                None => env.remove(&name),
            };
        }
        for kw in call.arguments.keywords.iter() {
            if let Some(arg) = &kw.arg {
                match self.value(&kw.value) {
                    Some(v) => env.insert(arg.as_str().to_string(), v),
                    None => env.remove(arg.as_str()),
                };
            }
        }
        let saved_env = std::mem::replace(&mut self.env, env);
        let saved_via = self.via;
        if self.via.is_none() {
            self.via = Some(self.module.lines.line(call.start()));
        }
        self.stack.push(def.name.as_str());
        self.visit_body(&def.body);
        self.stack.pop();
        self.via = saved_via;
        self.env = saved_env;
    }
}

/// The called function's last name: `op.f` → `f`, `text` → `text`.
fn callee_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

impl<'m, 's> SourceOrderVisitor<'s> for Walker<'m, 's> {
    fn visit_stmt(&mut self, stmt: &'s Stmt) {
        match stmt {
            // Nested definitions run only when called; calls to them are not followed.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::With(with) => {
                let mut bound = Vec::new();
                let mut autocommit = false;
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    let Expr::Call(call) = &item.context_expr else {
                        continue;
                    };
                    match callee_name(&call.func) {
                        Some("autocommit_block") => autocommit = true,
                        Some("batch_alter_table") => {
                            let table = call
                                .arguments
                                .args
                                .first()
                                .or_else(|| {
                                    call.arguments.find_keyword("table_name").map(|k| &k.value)
                                })
                                .and_then(|e| self.string(e));
                            let schema = call
                                .arguments
                                .find_keyword("schema")
                                .and_then(|k| self.string(&k.value));
                            if let Some(Expr::Name(var)) = item.optional_vars.as_deref() {
                                bound.push((var.id.to_string(), Value::Batch(table, schema)));
                            }
                        }
                        _ => {}
                    }
                }
                let saved: Vec<(String, Option<Value>)> = bound
                    .into_iter()
                    .map(|(name, value)| {
                        let old = self.env.insert(name.clone(), value);
                        (name, old)
                    })
                    .collect();
                if autocommit {
                    self.autocommit += 1;
                }
                self.visit_body(&with.body);
                if autocommit {
                    self.autocommit -= 1;
                }
                for (name, old) in saved.into_iter().rev() {
                    match old {
                        Some(v) => self.env.insert(name, v),
                        None => self.env.remove(&name),
                    };
                }
            }
            other => source_order::walk_stmt(self, other),
        }
    }

    fn visit_expr(&mut self, expr: &'s Expr) {
        let Expr::Call(call) = expr else {
            source_order::walk_expr(self, expr);
            return;
        };
        match &*call.func {
            Expr::Attribute(attr) => {
                if let Expr::Name(receiver) = &*attr.value {
                    let method = attr.attr.as_str();
                    if !is_not_an_operation(method) {
                        match self.env.get(receiver.id.as_str()) {
                            Some(Value::Batch(table, schema)) => {
                                let batch = Some((table.clone(), schema.clone()));
                                self.record(call, method, batch);
                                return;
                            }
                            None if receiver.id.as_str() == "op" => {
                                self.record(call, method, None);
                                return;
                            }
                            _ => {}
                        }
                    }
                }
            }
            Expr::Name(name) => {
                if let Some(&def) = self.module.helpers.get(name.id.as_str())
                    && !self.stack.contains(&name.id.as_str())
                    && self.stack.len() < 16
                {
                    for arg in call.arguments.args.iter() {
                        self.visit_expr(arg);
                    }
                    self.expand(call, def);
                    return;
                }
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Script {
        Script::parse(source, PathBuf::from("versions/x.py"))
            .expect("valid Python")
            .expect("a revision")
    }

    fn ops(f: &Function) -> Vec<(u32, &str, Option<&str>, Vec<&str>)> {
        f.ops
            .iter()
            .map(|o| {
                (
                    o.line,
                    o.name.as_str(),
                    o.table.as_deref(),
                    o.names.iter().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    const GENERATED: &str = r#""""add email to users

Revision ID: ae1027a6acf
Revises: 1975ea83b712
Create Date: 2024-05-01 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ae1027a6acf'
down_revision: Union[str, Sequence[str], None] = '1975ea83b712'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "users",
        sa.Column(
            "email",
            sa.String(length=320),
            nullable=True,
        ),
        schema="app",
    )
    op.create_index(
        op.f("ix_users_email"),
        "users",
        ["email"],
        unique=True,
        schema="app",
    )
    op.execute(
        "UPDATE users "
        "SET email = lower(login) "
        "WHERE email IS NULL"
    )
    op.alter_column("users", "email", nullable=False, existing_type=sa.String(320), schema="app")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(index_name="ix_users_email", table_name="users", schema="app")
    op.drop_column('users', 'email', schema='app')
"#;

    #[test]
    fn generated_script_with_multi_line_calls_and_keywords() {
        let s = parse(GENERATED);
        assert_eq!(s.revision, "ae1027a6acf");
        assert_eq!(s.revision_source, RevisionSource::Assignment);
        assert_eq!(s.down_revisions, ["1975ea83b712"]);
        assert!(s.branch_labels.is_empty() && s.depends_on.is_empty());
        let up = s.upgrade.as_ref().unwrap();
        assert_eq!(up.line, 21);
        assert!(!up.is_noop);
        assert_eq!(
            ops(up),
            vec![
                (23, "add_column", Some("users"), vec!["email"]),
                (
                    32,
                    "create_index",
                    Some("users"),
                    vec!["ix_users_email", "email"]
                ),
                (39, "execute", None, vec![]),
                (44, "alter_column", Some("users"), vec!["email"]),
            ]
        );
        assert!(
            up.ops
                .iter()
                .all(|o| o.receiver == Receiver::Op && !o.autocommit)
        );
        assert_eq!(up.ops[0].end_line, 31);
        assert_eq!(up.ops[0].schema.as_deref(), Some("app"));
        assert_eq!(
            up.ops[2].sql.as_deref(),
            Some("UPDATE users SET email = lower(login) WHERE email IS NULL")
        );
        assert_eq!(
            up.ops[1].arguments,
            vec![
                (Some("index_name".to_string()), "ix_users_email".to_string()),
                (Some("table_name".to_string()), "users".to_string()),
                (Some("schema".to_string()), "app".to_string()),
            ]
        );
        let down = s.downgrade.as_ref().unwrap();
        assert_eq!(down.line, 47);
        assert_eq!(
            ops(down),
            vec![
                (49, "drop_index", Some("users"), vec!["ix_users_email"]),
                (50, "drop_column", Some("users"), vec!["email"]),
            ]
        );
        assert!(!down.is_noop);
    }

    #[test]
    fn locate_follows_call_order_and_names() {
        let s = parse(GENERATED);
        let up = Direction::Upgrade;
        let mut cursor = 0;
        let add = StatementHint::new(
            "ALTER TABLE app.users ADD COLUMN email VARCHAR(320)",
            Verb::AddColumn,
        )
        .table("app.users")
        .name("email");
        assert_eq!(
            s.locate(up, &add, &mut cursor),
            Location {
                line: 23,
                matched: true,
                via: None
            }
        );
        let index = StatementHint::new(
            "CREATE UNIQUE INDEX ix_users_email ON app.users (email)",
            Verb::CreateIndex,
        )
        .table("app.users")
        .name("ix_users_email")
        .name("email");
        assert_eq!(s.locate(up, &index, &mut cursor).line, 32);
        let update = StatementHint::new(
            "UPDATE users SET email = lower(login)\n  WHERE email IS NULL;",
            Verb::Execute,
        );
        assert_eq!(s.locate(up, &update, &mut cursor).line, 39);
        let not_null = StatementHint::new(
            "ALTER TABLE app.users ALTER COLUMN email SET NOT NULL",
            Verb::AlterColumn,
        )
        .table("app.users")
        .name("email");
        assert_eq!(s.locate(up, &not_null, &mut cursor).line, 44);
        assert_eq!(cursor, 4);
        // Another schema, another table, or an UPDATE nobody wrote: the def line.
        for hint in [
            StatementHint::new(
                "ALTER TABLE other.users ALTER COLUMN email DROP NOT NULL",
                Verb::AlterColumn,
            )
            .table("other.users"),
            StatementHint::new(
                "ALTER TABLE accounts ADD COLUMN email text",
                Verb::AddColumn,
            )
            .table("accounts"),
            StatementHint::new("UPDATE users SET email = NULL", Verb::Execute),
        ] {
            let mut c = 0;
            assert_eq!(
                s.locate(up, &hint, &mut c),
                Location {
                    line: 21,
                    matched: false,
                    via: None
                }
            );
            assert_eq!(c, 0);
        }
        // Downgrade: DROP INDEX names no table; the index name decides.
        let mut cursor = 0;
        let drop = StatementHint::new("DROP INDEX app.ix_users_email", Verb::DropIndex)
            .name("ix_users_email");
        assert_eq!(s.locate(Direction::Downgrade, &drop, &mut cursor).line, 49);
        let col = StatementHint::new("ALTER TABLE app.users DROP COLUMN email", Verb::DropColumn)
            .table("app.users")
            .name("email");
        assert_eq!(s.locate(Direction::Downgrade, &col, &mut cursor).line, 50);
    }

    #[test]
    fn create_table_emits_several_statements() {
        let s = parse(
            r#"
revision = "0001"
down_revision = None

def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("customer_id", sa.BigInteger(), sa.ForeignKey("customers.id", name="fk_orders_customer"), index=True),
        sa.Column("status", sa.Text(), comment="lifecycle"),
        sa.UniqueConstraint("status", "id", name="uq_orders_status_id"),
    )
    op.create_index("ix_orders_status", "orders", ["status"])
    op.add_column("orders", sa.Column("note", sa.Text()))
"#,
        );
        let up = s.upgrade.as_ref().unwrap();
        assert_eq!(s.down_revisions, Vec::<String>::new());
        assert_eq!(
            up.ops[0].names,
            [
                "id",
                "customer_id",
                "fk_orders_customer",
                "status",
                "uq_orders_status_id"
            ]
        );
        let d = Direction::Upgrade;
        let mut cursor = 0;
        let create =
            StatementHint::new("CREATE TABLE orders (…)", Verb::CreateTable).table("orders");
        assert_eq!(s.locate(d, &create, &mut cursor).line, 6);
        // The inline index: the explicit create_index right after disagrees on the names.
        let inline = StatementHint::new(
            "CREATE INDEX ix_orders_customer_id ON orders (customer_id)",
            Verb::CreateIndex,
        )
        .table("orders")
        .name("ix_orders_customer_id")
        .name("customer_id");
        assert_eq!(s.locate(d, &inline, &mut cursor).line, 6);
        let comment = StatementHint::new(
            "COMMENT ON COLUMN orders.status IS 'lifecycle'",
            Verb::Other,
        )
        .table("orders")
        .name("status");
        assert_eq!(s.locate(d, &comment, &mut cursor).line, 6);
        let explicit = StatementHint::new(
            "CREATE INDEX ix_orders_status ON orders (status)",
            Verb::CreateIndex,
        )
        .table("orders")
        .name("ix_orders_status")
        .name("status");
        assert_eq!(s.locate(d, &explicit, &mut cursor).line, 13);
        let add = StatementHint::new("ALTER TABLE orders ADD COLUMN note TEXT", Verb::AddColumn)
            .table("orders")
            .name("note");
        assert_eq!(s.locate(d, &add, &mut cursor).line, 14);
    }

    #[test]
    fn batch_alter_table_and_autocommit_block() {
        let s = parse(
            r#"
revision = 'b1'
down_revision = 'a0'

def upgrade():
    with op.batch_alter_table("customers", schema="crm") as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(100)))
        batch_op.alter_column(
            "email",
            type_=sa.String(320),
        )
        batch_op.create_unique_constraint("uq_customers_display_name", ["display_name"])
        batch_op.create_foreign_key("fk_customers_account", "accounts", ["account_id"], ["id"])
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_created_at",
            "orders",
            ["created_at"],
            postgresql_concurrently=True,
        )
    op.drop_index("ix_old", table_name="orders")
"#,
        );
        let up = s.upgrade.as_ref().unwrap();
        assert_eq!(
            ops(up),
            vec![
                (7, "add_column", Some("customers"), vec!["display_name"]),
                (8, "alter_column", Some("customers"), vec!["email"]),
                (
                    12,
                    "create_unique_constraint",
                    Some("customers"),
                    vec!["uq_customers_display_name", "display_name"]
                ),
                (
                    13,
                    "create_foreign_key",
                    Some("customers"),
                    vec!["fk_customers_account", "account_id"]
                ),
                (
                    15,
                    "create_index",
                    Some("orders"),
                    vec!["ix_orders_created_at", "created_at"]
                ),
                (21, "drop_index", Some("orders"), vec!["ix_old"]),
            ]
        );
        let batch = Receiver::Batch {
            table: Some("customers".into()),
        };
        assert!(
            up.ops[..4]
                .iter()
                .all(|o| o.receiver == batch && o.schema.as_deref() == Some("crm"))
        );
        assert_eq!(
            up.ops.iter().map(|o| o.autocommit).collect::<Vec<_>>(),
            [false, false, false, false, true, false]
        );
        let d = Direction::Upgrade;
        let mut cursor = 0;
        let alter = StatementHint::new(
            "ALTER TABLE crm.customers ALTER COLUMN email TYPE VARCHAR(320)",
            Verb::AlterColumn,
        )
        .table("crm.customers")
        .name("email");
        assert_eq!(s.locate(d, &alter, &mut cursor).line, 8);
        let fk = StatementHint::new(
            "ALTER TABLE crm.customers ADD CONSTRAINT fk_customers_account …",
            Verb::AddConstraint,
        )
        .table("crm.customers")
        .name("fk_customers_account")
        .name("account_id");
        assert_eq!(s.locate(d, &fk, &mut cursor).line, 13);
        let concurrently = StatementHint::new(
            "CREATE INDEX CONCURRENTLY ix_orders_created_at ON orders (created_at)",
            Verb::CreateIndex,
        )
        .table("orders")
        .name("ix_orders_created_at");
        assert_eq!(s.locate(d, &concurrently, &mut cursor).line, 15);
        // An ADD COLUMN that only names the batch table: the batch op agrees on the table.
        let mut cursor = 0;
        let add = StatementHint::new(
            "ALTER TABLE customers ADD COLUMN display_name VARCHAR(100)",
            Verb::AddColumn,
        )
        .table("customers");
        assert_eq!(s.locate(d, &add, &mut cursor).line, 7);
    }

    #[test]
    fn helper_functions_are_expanded_with_their_arguments() {
        let s = parse(
            r#"
revision = "c2"
down_revision = "b1"
TABLE = "orders"

def _widen(table_name, column_name, *, schema=None):
    op.alter_column(
        table_name,
        column_name,
        type_=sa.BigInteger(),
        schema=schema,
    )

def _backfill(batch):
    batch.add_column(sa.Column("total_v2", sa.BigInteger()))
    _sql("UPDATE orders SET total_v2 = total")

def _sql(text):
    op.execute(sa.text(text))

def upgrade():
    _widen(TABLE, "total")
    _widen("invoices", column_name="amount", schema="billing")
    with op.batch_alter_table(TABLE) as b:
        _backfill(b)

def downgrade():
    # Widening is not undone: values above 2^31 would not fit back.
    pass
"#,
        );
        let up = s.upgrade.as_ref().unwrap();
        assert_eq!(up.line, 21);
        assert_eq!(
            up.ops
                .iter()
                .map(|o| (o.line, o.name.as_str(), o.table.as_deref(), o.via))
                .collect::<Vec<_>>(),
            vec![
                (7, "alter_column", Some("orders"), Some(22)),
                (7, "alter_column", Some("invoices"), Some(23)),
                (15, "add_column", Some("orders"), Some(25)),
                (19, "execute", None, Some(25)),
            ]
        );
        assert_eq!(up.ops[1].schema.as_deref(), Some("billing"));
        assert_eq!(up.ops[1].names, ["amount"]);
        assert_eq!(
            up.ops[3].sql.as_deref(),
            Some("UPDATE orders SET total_v2 = total")
        );
        let d = Direction::Upgrade;
        let mut cursor = 0;
        let amount = StatementHint::new(
            "ALTER TABLE billing.invoices ALTER COLUMN amount TYPE BIGINT",
            Verb::AlterColumn,
        )
        .table("billing.invoices")
        .name("amount");
        assert_eq!(
            s.locate(d, &amount, &mut cursor),
            Location {
                line: 7,
                matched: true,
                via: Some(23)
            }
        );
        let update = StatementHint::new("UPDATE orders SET total_v2 = total", Verb::Execute);
        assert_eq!(
            s.locate(d, &update, &mut cursor),
            Location {
                line: 19,
                matched: true,
                via: Some(25)
            }
        );
        let down = s.downgrade.as_ref().unwrap();
        assert!(down.is_noop && down.ops.is_empty());
        assert_eq!(
            down.comment.as_deref(),
            Some("Widening is not undone: values above 2^31 would not fit back.")
        );
    }

    #[test]
    fn noop_downgrades_and_their_comments() {
        let s = parse(
            r#""""merge heads

Revision ID: 3f2a
Revises: 1a1a, 2b2b
"""
revision = "3f2a"
down_revision = ("1a1a", "2b2b")

def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    pass
    # ### end Alembic commands ###
"#,
        );
        assert!(s.is_merge());
        assert_eq!(s.down_revisions, ["1a1a", "2b2b"]);
        let up = s.upgrade.as_ref().unwrap();
        let down = s.downgrade.as_ref().unwrap();
        assert!(up.is_noop && down.is_noop);
        assert_eq!(up.comment, None);
        assert_eq!(down.comment, None, "Alembic's markers are no justification");
        assert_eq!((down.line, down.end_line), (14, 16));

        let above = parse(
            r#"
revision = "x"
down_revision = "w"

def upgrade():
    op.drop_table("legacy")


# The dropped table held only test data; there is nothing to restore.
def downgrade():
    """No way back."""
    pass
"#,
        );
        let down = above.downgrade.as_ref().unwrap();
        assert!(down.is_noop);
        assert_eq!(
            down.comment.as_deref(),
            Some("The dropped table held only test data; there is nothing to restore.")
        );
        let trailing =
            parse("revision = 'y'\ndef downgrade():\n    pass  # irreversible: data migration\n");
        assert_eq!(
            trailing.downgrade.as_ref().unwrap().comment.as_deref(),
            Some("irreversible: data migration")
        );
        assert!(trailing.upgrade.is_none());
        let mut cursor = 0;
        let hint = StatementHint::new("DROP TABLE t", Verb::DropTable).table("t");
        assert_eq!(
            trailing.locate(Direction::Upgrade, &hint, &mut cursor),
            Location {
                line: 1,
                matched: false,
                via: None
            }
        );
    }

    #[test]
    fn revision_ids_in_every_form() {
        assert_eq!(parse("revision = \"abc123\"\n").revision, "abc123");
        assert_eq!(parse("revision = 'abc123'\n").revision, "abc123");
        assert_eq!(parse("revision: str = \"abc123\"\n").revision, "abc123");
        let doc = parse(
            "\"\"\"add things\n\nRevision ID: 9f8e7d\nRevises: 1a2b\n\"\"\"\nrevision = REV\n",
        );
        assert_eq!(
            (doc.revision.as_str(), doc.revision_source),
            ("9f8e7d", RevisionSource::Docstring)
        );
        let list = parse(
            "revision = 'm'\ndown_revision = ['a', 'b']\nbranch_labels = ('feature',)\ndepends_on = 'x'\n",
        );
        assert_eq!(list.down_revisions, ["a", "b"]);
        assert_eq!(list.branch_labels, ["feature"]);
        assert_eq!(list.depends_on, ["x"]);
        assert!(
            Script::parse("import os\n", PathBuf::from("helpers.py"))
                .unwrap()
                .is_none()
        );
        let err =
            Script::parse("revision = 'x'\ndef upgrade(:\n", PathBuf::from("bad.py")).unwrap_err();
        assert!(
            format!("{err:#}").starts_with("line 2: Python syntax error"),
            "{err:#}"
        );
    }

    #[test]
    fn execute_matches_on_normalized_text() {
        let s = parse(
            r#"
revision = "e1"

def upgrade():
    op.execute("""
        UPDATE orders
           SET status = 'new'
         WHERE status IS NULL;
        UPDATE orders SET total = 0 WHERE total IS NULL;
    """)
    op.execute(f"UPDATE {TABLE} SET x = 1")
    op.execute(sa.text("SET lock_timeout = '5s'"))
"#,
        );
        let up = s.upgrade.as_ref().unwrap();
        assert_eq!(up.ops[1].sql, None);
        let d = Direction::Upgrade;
        let mut cursor = 0;
        let first = StatementHint::new(
            "UPDATE orders SET status = 'new' WHERE status IS NULL",
            Verb::Execute,
        );
        assert_eq!(s.locate(d, &first, &mut cursor).line, 5);
        let second = StatementHint::new(
            "update orders set total = 0 where total is null",
            Verb::Execute,
        );
        assert_eq!(s.locate(d, &second, &mut cursor).line, 5);
        // The f-string cannot be checked: taken as the next candidate in order.
        let dynamic = StatementHint::new("UPDATE t SET x = 1", Verb::Execute);
        assert_eq!(s.locate(d, &dynamic, &mut cursor).line, 11);
        let set = StatementHint::new("SET lock_timeout = '5s'", Verb::Other);
        assert_eq!(s.locate(d, &set, &mut cursor).line, 12);
    }

    #[test]
    fn ini_interpolation_and_separators() {
        let ini = Ini::parse(
            "[DEFAULT]\nbase = db\n[alembic]\nscript_location = %(here)s/%(base)s\nversion_locations =\n    %(here)s/a\n    %(here)s/b\npath_separator = newline\npct = 50%%\nbad = %(nope)s\n",
            "/srv/app",
        );
        assert_eq!(
            ini.get("alembic", "script_location").unwrap().as_deref(),
            Some("/srv/app/db")
        );
        assert_eq!(
            ini.get("alembic", "version_locations").unwrap().as_deref(),
            Some("/srv/app/a\n/srv/app/b")
        );
        assert_eq!(ini.get("alembic", "pct").unwrap().as_deref(), Some("50%"));
        assert!(ini.get("alembic", "bad").unwrap_err().contains("nope"));
        assert_eq!(ini.get("alembic", "missing").unwrap(), None);
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn discover_every_kind_of_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "alembic.ini",
            "[alembic]\nscript_location = %(here)s/db\nversion_locations = %(here)s/db/versions, %(here)s/extra\n",
        );
        write(root, "db/env.py", "");
        write(
            root,
            "db/versions/a1_first.py",
            "revision = 'a1'\ndown_revision = None\n",
        );
        write(
            root,
            "db/versions/2024/b2_nested.py",
            "revision: str = \"b2\"\ndown_revision = 'a1'\n",
        );
        write(root, "db/versions/__init__.py", "revision = 'nope'\n");
        write(
            root,
            "db/versions/__pycache__/a1_first.cpython-311.py",
            "revision = 'nope'\n",
        );
        write(root, "db/versions/broken.py", "def upgrade(:\n");
        write(root, "db/versions/dup.py", "revision = 'a1'\n");
        write(
            root,
            "extra/c3_other.py",
            "\"\"\"x\n\nRevision ID: c3\n\"\"\"\n",
        );

        let index = ScriptIndex::discover(root).unwrap();
        let mut revisions: Vec<&str> = index
            .scripts()
            .iter()
            .map(|s| s.revision.as_str())
            .collect();
        revisions.sort();
        assert_eq!(revisions, ["a1", "b2", "c3"]);
        assert!(
            index
                .get("b2")
                .unwrap()
                .path
                .ends_with("db/versions/2024/b2_nested.py")
        );
        assert_eq!(index.version_dirs().len(), 2);
        let problems: Vec<String> = index.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("broken.py: line 1: Python syntax error"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("dup.py: revision a1 is also defined in"))
        );

        // The script folder, the versions folder, the .ini file itself.
        assert_eq!(ScriptIndex::discover(&root.join("db")).unwrap().len(), 2);
        assert_eq!(
            ScriptIndex::discover(&root.join("db/versions"))
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            ScriptIndex::discover(&root.join("alembic.ini"))
                .unwrap()
                .len(),
            3
        );

        // Without version_locations: <script_location>/versions; legacy separator.
        write(
            root,
            "p2/alembic.ini",
            "[alembic]\nscript_location = ../db\n",
        );
        assert_eq!(ScriptIndex::discover(&root.join("p2")).unwrap().len(), 2);
        write(
            root,
            "p3/alembic.ini",
            "[alembic]\nscript_location = ../db\nversion_locations = ../extra;../db/versions\nversion_path_separator = ;\n",
        );
        assert_eq!(ScriptIndex::discover(&root.join("p3")).unwrap().len(), 3);
    }

    #[test]
    fn discover_errors_name_the_path_and_the_problem() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let err = |p: &Path| format!("{:#}", ScriptIndex::discover(p).unwrap_err());
        let missing = root.join("nowhere");
        assert_eq!(
            err(&missing),
            format!("{}: no such folder", missing.display())
        );
        std::fs::create_dir(root.join("empty")).unwrap();
        assert!(
            err(&root.join("empty")).contains("empty: no alembic.ini, env.py, versions/ folder")
        );
        write(root, "a/alembic.ini", "[alembic]\nsqlalchemy.url = x\n");
        assert!(err(&root.join("a")).contains("alembic.ini: no script_location"));
        write(
            root,
            "b/alembic.ini",
            "[alembic]\nscript_location = myapp:migrations\n",
        );
        assert!(err(&root.join("b")).contains("names a Python package resource"));
        write(
            root,
            "c/alembic.ini",
            "[alembic]\nscript_location = %(here)s/gone\n",
        );
        assert!(err(&root.join("c")).contains("c/gone is not a folder"));
        write(
            root,
            "d/alembic.ini",
            "[alembic]\nscript_location = .\nversion_locations = x y\n",
        );
        assert!(err(&root.join("d")).contains("no version folder exists (looked for"));
        write(
            root,
            "e/alembic.ini",
            "[alembic]\nscript_location = .\nversion_locations = x\npath_separator = |\n",
        );
        assert!(err(&root.join("e")).contains("path_separator = | is not one of"));
        write(root, "f/env.py", "");
        assert!(err(&root.join("f")).contains("without a versions/ folder"));
    }

    #[test]
    fn sql_normalization_and_qualified_names() {
        assert_eq!(
            normalize_sql("  UPDATE t\n\tSET a = 1 ;\n"),
            "update t set a = 1"
        );
        assert_eq!(split_qualified("public.orders"), (Some("public"), "orders"));
        assert_eq!(
            split_qualified("\"Sales\".\"Orders\""),
            (Some("Sales"), "Orders")
        );
        assert_eq!(split_qualified("orders"), (None, "orders"));
    }
}
