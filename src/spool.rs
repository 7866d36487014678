//! Where the statements of an open transaction wait for its end: encoded compactly, in memory
//! while few, in a temporary file past `MEMORY_LIMIT` bytes. A statement's lock hold
//! (`held_until`) and the findings the transaction's end adds are only known at COMMIT; the
//! statement itself is final when analysed, so it leaves memory at once and is read back, in
//! order, when its transaction ends. Memory then holds what the transaction holds (its locks,
//! its slow statements), not its statements.

use crate::facts::QName;
use crate::locks::LockMode;
use crate::model::{Finding, LockClaim, StatementKind, StatementReport, UnresolvedLock};
use crate::registry::{RuleId, Severity};
use crate::suggest::{LazySuggestion, Vars};
use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::sync::{Arc, Mutex, OnceLock};

/// Encoded bytes kept in memory before they move to a temporary file.
const MEMORY_LIMIT: usize = 256 << 10;

/// The statements (each with its findings) of the open transaction, in order.
pub struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<std::fs::File>>,
    /// Records written and not yet read back.
    pub len: usize,
    /// Bytes kept in memory before they move to the file.
    limit: usize,
}

impl Default for Spool {
    fn default() -> Spool {
        Spool {
            memory: Vec::new(),
            file: None,
            len: 0,
            limit: MEMORY_LIMIT,
        }
    }
}

/// Bytes written now and read back once, in order (a section of a report that comes out after
/// something only known at the end): in memory while few, then in a temporary file.
#[derive(Default)]
pub struct Bytes {
    memory: Vec<u8>,
    file: Option<BufWriter<std::fs::File>>,
}

impl Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.memory.extend_from_slice(buf);
        if self.memory.len() > MEMORY_LIMIT {
            if self.file.is_none()
                && let Ok(f) = tempfile::tempfile()
            {
                self.file = Some(BufWriter::with_capacity(1 << 16, f));
            }
            if let Some(f) = &mut self.file {
                f.write_all(&self.memory)?;
                self.memory.clear();
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Bytes {
    /// Nothing was written.
    pub fn is_empty(&self) -> bool {
        self.memory.is_empty() && self.file.is_none()
    }

    /// Everything written, in order.
    pub fn reader(self) -> io::Result<Box<dyn Read>> {
        Ok(match self.file {
            Some(f) => {
                let mut f = f.into_inner().map_err(|e| e.into_error())?;
                f.rewind()?;
                Box::new(BufReader::with_capacity(1 << 16, f).chain(io::Cursor::new(self.memory)))
            }
            None => Box::new(io::Cursor::new(self.memory)),
        })
    }

    /// Copies everything written to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        io::copy(&mut self.reader()?, out).map(drop)
    }
}

/// Findings waiting for the end of a report (JSON writes them after every statement), encoded
/// compactly: a recipe waits as its rule and placeholders, rendered only when written.
#[derive(Default)]
pub struct Findings {
    bytes: Bytes,
    scratch: Vec<u8>,
    pub len: usize,
}

impl Findings {
    pub fn push(&mut self, f: &Finding) -> io::Result<()> {
        self.scratch.clear();
        Encoder(&mut self.scratch).finding(f);
        self.len += 1;
        self.bytes.write_all(&self.scratch)
    }

    /// Every finding, in order.
    pub fn drain(self, mut each: impl FnMut(Finding) -> io::Result<()>) -> io::Result<()> {
        let mut reader = self.bytes.reader()?;
        let mut d = Decoder {
            r: &mut reader,
            last_file: None,
            last_revision: None,
        };
        for _ in 0..self.len {
            each(d.finding()?)?;
        }
        Ok(())
    }
}

/// One spooled statement and the findings placed on it while it was analysed.
pub struct Record {
    pub statement: StatementReport,
    pub findings: Vec<Finding>,
}

impl Spool {
    pub fn push(&mut self, statement: &StatementReport, findings: &[Finding]) {
        let mut e = Encoder(&mut self.memory);
        e.statement(statement);
        e.usize(findings.len());
        for f in findings {
            e.finding(f);
        }
        self.len += 1;
        if self.memory.len() > self.limit {
            self.spill();
        }
    }

    /// Moves the bytes in memory to the temporary file (made on first use); without one,
    /// they stay in memory.
    fn spill(&mut self) {
        if self.file.is_none() {
            match tempfile::tempfile() {
                Ok(f) => self.file = Some(BufWriter::with_capacity(1 << 16, f)),
                Err(_) => return,
            }
        }
        let f = self.file.as_mut().expect("made above");
        if f.write_all(&self.memory).is_ok() {
            self.memory.clear();
        }
    }

    /// Every record, in order; the spool is empty afterwards.
    pub fn drain(&mut self, mut each: impl FnMut(Record)) -> io::Result<()> {
        let n = std::mem::take(&mut self.len);
        let memory = std::mem::take(&mut self.memory);
        let mut reader: Box<dyn Read> = match self.file.take() {
            Some(f) => {
                let mut f = f.into_inner().map_err(|e| e.into_error())?;
                f.rewind()?;
                Box::new(BufReader::with_capacity(1 << 16, f).chain(io::Cursor::new(memory)))
            }
            None => Box::new(io::Cursor::new(memory)),
        };
        let mut d = Decoder {
            r: &mut reader,
            last_file: None,
            last_revision: None,
        };
        for _ in 0..n {
            let statement = d.statement()?;
            let count = d.usize()?;
            let mut findings = Vec::with_capacity(count);
            for _ in 0..count {
                findings.push(d.finding()?);
            }
            each(Record {
                statement,
                findings,
            });
        }
        Ok(())
    }
}

/// A `&'static str` for a name read back: the few distinct names the report uses (relation
/// roles, placeholder keys, durations) are kept once for the whole run.
fn intern(s: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<std::collections::HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    match names.get(s) {
        Some(n) => n,
        None => {
            let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
            names.insert(leaked);
            leaked
        }
    }
}

fn kinds() -> &'static HashMap<&'static str, StatementKind> {
    static KINDS: OnceLock<HashMap<&'static str, StatementKind>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let mut all: Vec<StatementKind> = crate::kb::Key::ALL
            .iter()
            .map(|k| StatementKind::Entry(*k))
            .collect();
        all.extend([
            StatementKind::Transaction,
            StatementKind::Set,
            StatementKind::Alembic,
            StatementKind::Do,
            StatementKind::Unknown,
            StatementKind::SyntaxError,
            StatementKind::NonSql,
            StatementKind::PsqlMeta,
            StatementKind::CopyData,
        ]);
        all.into_iter().map(|k| (k.as_str(), k)).collect()
    })
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("spool: bad {what}"))
}

/// Where a statement or finding is: the fields both records share, in this order.
struct Place {
    file: Arc<str>,
    /// Line, column, end line, end column.
    span: (usize, usize, usize, usize),
    revision: Option<Arc<str>>,
    migration_file: Option<Arc<str>>,
    migration_line: Option<usize>,
}

struct Encoder<'a>(&'a mut Vec<u8>);

impl Encoder<'_> {
    fn usize(&mut self, mut v: usize) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(v as u8);
    }
    fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bool(true);
                self.str(s);
            }
            None => self.bool(false),
        }
    }
    fn opt_usize(&mut self, v: Option<usize>) {
        self.usize(v.map_or(0, |v| v + 1));
    }
    fn qname(&mut self, q: &QName) {
        self.opt_str(q.schema.as_deref());
        self.str(&q.name);
    }
    fn mode(&mut self, m: LockMode) {
        self.0.push(m as u8);
    }

    fn place(&mut self, p: &Place) {
        self.str(&p.file);
        let (line, column, end_line, end_column) = p.span;
        for v in [line, column, end_line, end_column] {
            self.usize(v);
        }
        self.opt_str(p.revision.as_deref());
        self.opt_str(p.migration_file.as_deref());
        self.opt_usize(p.migration_line);
    }

    fn statement(&mut self, s: &StatementReport) {
        self.usize(s.index);
        self.place(&Place {
            file: s.file.clone(),
            span: (s.line, s.column, s.end_line, s.end_column),
            revision: s.revision.clone(),
            migration_file: s.migration_file.clone(),
            migration_line: s.migration_line,
        });
        self.str(&s.sql);
        self.bool(s.parsed);
        self.str(s.kind.as_str());
        self.usize(s.locks.len());
        for l in &s.locks {
            self.qname(&l.relation);
            self.mode(l.mode);
        }
        self.usize(s.unresolved_locks.len());
        for u in &s.unresolved_locks {
            self.qname(&u.of);
            self.str(u.role);
            self.str(u.what);
            self.mode(u.mode);
        }
        self.0.push(
            s.locks_known as u8
                | (s.rewrite as u8) << 1
                | (s.scan as u8) << 2
                | (s.empties as u8) << 3
                | (s.slow as u8) << 4
                | (s.in_transaction as u8) << 5,
        );
        self.opt_str(s.lock_timeout.as_deref());
        self.opt_str(s.statement_timeout.as_deref());
        // held_until: set when the transaction ends, or at once in autocommit.
        match &s.held_until {
            Some(h) => {
                self.bool(true);
                self.opt_usize(h.line);
                self.opt_usize(h.statement);
                self.usize(h.later_statements);
                self.opt_usize(h.first_later_statement);
                self.usize(h.revisions.len());
                for r in h.revisions.iter() {
                    self.str(r);
                }
                self.usize(h.revision_count);
            }
            None => self.bool(false),
        }
    }

    fn finding(&mut self, f: &Finding) {
        self.str(f.rule.as_str());
        self.0.push(f.severity as u8);
        self.place(&Place {
            file: f.file.clone(),
            span: (f.line, f.column, f.end_line, f.end_column),
            revision: f.revision.clone(),
            migration_file: f.migration_file.clone(),
            migration_line: f.migration_line,
        });
        self.usize(f.statement);
        self.str(&f.message);
        self.opt_str(f.duration);
        self.usize(f.related.len());
        for r in &f.related {
            self.usize(*r);
        }
        self.bool(f.ignored);
        self.opt_str(f.ignore_reason.as_deref());
        self.str(&f.fingerprint);
        self.str(f.suggestion.rule.as_str());
        let vars = f.suggestion.vars.entries();
        self.usize(vars.len());
        for (k, v) in vars {
            self.str(k);
            self.str(v);
        }
    }
}

struct Decoder<'a> {
    r: &'a mut dyn Read,
    /// The last file and revision read: consecutive records share them.
    last_file: Option<Arc<str>>,
    last_revision: Option<Arc<str>>,
}

impl Decoder<'_> {
    fn byte(&mut self) -> io::Result<u8> {
        let mut b = [0u8];
        self.r.read_exact(&mut b)?;
        Ok(b[0])
    }
    fn usize(&mut self) -> io::Result<usize> {
        let mut v = 0usize;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            v |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(bad("number"));
            }
        }
    }
    fn bool(&mut self) -> io::Result<bool> {
        Ok(self.byte()? != 0)
    }
    fn string(&mut self) -> io::Result<String> {
        let n = self.usize()?;
        let mut buf = vec![0u8; n];
        self.r.read_exact(&mut buf)?;
        String::from_utf8(buf).map_err(|_| bad("text"))
    }
    fn opt_string(&mut self) -> io::Result<Option<String>> {
        Ok(if self.bool()? {
            Some(self.string()?)
        } else {
            None
        })
    }
    fn opt_usize(&mut self) -> io::Result<Option<usize>> {
        Ok(self.usize()?.checked_sub(1))
    }
    fn file(&mut self) -> io::Result<Arc<str>> {
        let s = self.string()?;
        Ok(match &self.last_file {
            Some(f) if **f == *s => f.clone(),
            _ => {
                let f: Arc<str> = s.into();
                self.last_file = Some(f.clone());
                f
            }
        })
    }
    fn revision(&mut self) -> io::Result<Option<Arc<str>>> {
        let Some(s) = self.opt_string()? else {
            return Ok(None);
        };
        Ok(Some(match &self.last_revision {
            Some(r) if **r == *s => r.clone(),
            _ => {
                let r: Arc<str> = s.into();
                self.last_revision = Some(r.clone());
                r
            }
        }))
    }
    fn qname(&mut self) -> io::Result<QName> {
        Ok(QName {
            schema: self.opt_string()?,
            name: self.string()?,
        })
    }
    fn mode(&mut self) -> io::Result<LockMode> {
        LockMode::ALL
            .get(self.byte()? as usize)
            .copied()
            .ok_or_else(|| bad("lock mode"))
    }

    fn place(&mut self) -> io::Result<Place> {
        Ok(Place {
            file: self.file()?,
            span: (self.usize()?, self.usize()?, self.usize()?, self.usize()?),
            revision: self.revision()?,
            migration_file: self.opt_string()?.map(Arc::from),
            migration_line: self.opt_usize()?,
        })
    }

    fn statement(&mut self) -> io::Result<StatementReport> {
        let index = self.usize()?;
        let Place {
            file,
            span: (line, column, end_line, end_column),
            revision,
            migration_file,
            migration_line,
        } = self.place()?;
        let sql = self.string()?;
        let parsed = self.bool()?;
        let kind = *kinds()
            .get(self.string()?.as_str())
            .ok_or_else(|| bad("statement kind"))?;
        let n = self.usize()?;
        let mut locks = Vec::with_capacity(n);
        for _ in 0..n {
            locks.push(LockClaim {
                relation: self.qname()?,
                mode: self.mode()?,
            });
        }
        let n = self.usize()?;
        let mut unresolved_locks = Vec::with_capacity(n);
        for _ in 0..n {
            unresolved_locks.push(UnresolvedLock {
                of: self.qname()?,
                role: intern(&self.string()?),
                what: intern(&self.string()?),
                mode: self.mode()?,
            });
        }
        let flags = self.byte()?;
        let lock_timeout = self.opt_string()?;
        let statement_timeout = self.opt_string()?;
        let held_until = if self.bool()? {
            let line = self.opt_usize()?;
            let statement = self.opt_usize()?;
            let later_statements = self.usize()?;
            let first_later_statement = self.opt_usize()?;
            let n = self.usize()?;
            let mut revisions = Vec::with_capacity(n);
            for _ in 0..n {
                revisions.push(Arc::from(self.string()?));
            }
            Some(Box::new(crate::model::HeldUntil {
                line,
                statement,
                later_statements,
                first_later_statement,
                revisions: revisions.into(),
                revision_count: self.usize()?,
            }))
        } else {
            None
        };
        Ok(StatementReport {
            index,
            file,
            line,
            column,
            end_line,
            end_column,
            revision,
            migration_file,
            migration_line,
            sql,
            parsed,
            kind,
            locks,
            unresolved_locks,
            locks_known: flags & 1 != 0,
            rewrite: flags & 2 != 0,
            scan: flags & 4 != 0,
            empties: flags & 8 != 0,
            slow: flags & 16 != 0,
            in_transaction: flags & 32 != 0,
            lock_timeout,
            statement_timeout,
            held_until,
        })
    }

    fn finding(&mut self) -> io::Result<Finding> {
        let rule: RuleId = self.string()?.parse().map_err(|_| bad("rule"))?;
        let severity = match self.byte()? {
            0 => Severity::Info,
            1 => Severity::Warning,
            2 => Severity::Error,
            _ => return Err(bad("severity")),
        };
        let Place {
            file,
            span: (line, column, end_line, end_column),
            revision,
            migration_file,
            migration_line,
        } = self.place()?;
        let statement = self.usize()?;
        let message = self.string()?;
        let duration = self.opt_string()?.map(|d| intern(&d));
        let n = self.usize()?;
        let mut related = Vec::with_capacity(n);
        for _ in 0..n {
            related.push(self.usize()?);
        }
        let ignored = self.bool()?;
        let ignore_reason = self.opt_string()?;
        let fingerprint = self.string()?;
        let srule: RuleId = self.string()?.parse().map_err(|_| bad("rule"))?;
        let n = self.usize()?;
        let mut vars = Vars::new();
        for _ in 0..n {
            let k = intern(&self.string()?);
            vars.insert(k, self.string()?);
        }
        Ok(Finding {
            rule,
            severity,
            file,
            line,
            column,
            end_line,
            end_column,
            revision,
            migration_file,
            migration_line,
            statement,
            message,
            duration,
            related,
            ignored,
            ignore_reason,
            fingerprint,
            suggestion: LazySuggestion { rule: srule, vars },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeldUntil;

    fn statement(index: usize) -> StatementReport {
        StatementReport {
            index,
            file: "upgrade.sql".into(),
            line: 10 + index,
            column: 3,
            end_line: 11 + index,
            end_column: 200,
            revision: Some("ae10".into()),
            migration_file: Some("versions/ae10_x.py".into()),
            migration_line: Some(0),
            sql: format!(
                "ALTER TABLE \"a.b\" ADD COLUMN c{index} text; -- ✓ {}",
                "x".repeat(300)
            ),
            parsed: true,
            kind: StatementKind::Entry(crate::kb::Key::ALL[index % crate::kb::Key::ALL.len()]),
            locks: vec![LockClaim {
                relation: QName {
                    schema: Some("s".into()),
                    name: "a.b".into(),
                },
                mode: LockMode::ALL[index % 8],
            }],
            unresolved_locks: vec![UnresolvedLock {
                of: QName::new("t"),
                role: "children",
                what: "its partitions and inheritance children, if any",
                mode: LockMode::ShareLock,
            }],
            locks_known: index.is_multiple_of(2),
            rewrite: true,
            scan: false,
            empties: index.is_multiple_of(3),
            slow: true,
            in_transaction: true,
            lock_timeout: Some("5s".into()),
            statement_timeout: None,
            held_until: (index % 2 == 1).then(|| {
                Box::new(HeldUntil {
                    line: Some(900),
                    statement: None,
                    later_statements: 1 << 40,
                    first_later_statement: Some(index + 1),
                    revisions: vec![Arc::from("ae10"), Arc::from("bf20")].into(),
                    revision_count: 7,
                })
            }),
        }
    }

    fn finding(st: &StatementReport, severity: Severity) -> Finding {
        let mut vars = Vars::new();
        vars.insert("table", "a.b".into());
        vars.insert("column", "c ✓".into());
        Finding {
            rule: RuleId::ALL[st.index % RuleId::ALL.len()],
            severity,
            file: st.file.clone(),
            line: st.line,
            column: st.column,
            end_line: st.end_line,
            end_column: st.end_column,
            revision: st.revision.clone(),
            migration_file: None,
            migration_line: Some(3),
            statement: st.index,
            message: "holds \"ACCESS EXCLUSIVE\"\nuntil COMMIT".into(),
            duration: Some("minutes"),
            related: vec![1, 300, 70000],
            ignored: true,
            ignore_reason: Some("accepted".into()),
            fingerprint: "f".repeat(64),
            suggestion: LazySuggestion {
                rule: RuleId::ALL[0],
                vars,
            },
        }
    }

    /// Everything a record holds comes back, in order, from memory and from the file.
    #[test]
    fn records_come_back_whole_and_in_order() {
        for limit in [usize::MAX, 0, 4096] {
            let mut spool = Spool {
                limit,
                ..Spool::default()
            };
            let written: Vec<(StatementReport, Vec<Finding>)> = (0..200)
                .map(|i| {
                    let st = statement(i);
                    let fs = (0..i % 3)
                        .map(|k| finding(&st, [Severity::Error, Severity::Info][k % 2]))
                        .collect();
                    (st, fs)
                })
                .collect();
            for (st, fs) in &written {
                spool.push(st, fs);
            }
            assert_eq!(spool.file.is_some(), limit != usize::MAX, "limit {limit}");
            let mut read = Vec::new();
            spool.drain(|r| read.push(r)).unwrap();
            assert_eq!(read.len(), written.len());
            for (r, (st, fs)) in read.iter().zip(&written) {
                let json = |v: &dyn erased::Json| v.json();
                assert_eq!(json(&r.statement), json(st), "limit {limit}");
                assert_eq!(r.findings.len(), fs.len());
                for (a, b) in r.findings.iter().zip(fs) {
                    assert_eq!(json(a), json(b), "limit {limit}");
                    assert_eq!(a.suggestion.vars, b.suggestion.vars);
                }
            }
            assert_eq!(spool.len, 0);
            // Empty afterwards, and usable again.
            spool.push(&written[5].0, &[]);
            let mut again = Vec::new();
            spool.drain(|r| again.push(r.statement.index)).unwrap();
            assert_eq!(again, vec![5]);
        }
    }

    mod erased {
        pub trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }
}
