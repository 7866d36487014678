//! Table sizes from production (`--stats FILE`, JSON or CSV: table, rows, bytes), so that a
//! verdict can follow size: rewriting a 50-row lookup table is not rewriting a 2-billion-row one.

use crate::facts::QName;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::Path;

/// Below this many bytes a rewrite, scan or index build under a blocking lock is brief (well
/// under a second at the ~100 MB/s a table rewrite or an index build runs at on ordinary
/// hardware): reported as info, not as an error.
pub const SMALL_BYTES: u64 = 16 * 1024 * 1024;

/// How long work that reads or writes `bytes` holds its lock, roughly, at 50–100 MB/s.
pub fn duration_class(bytes: u64) -> &'static str {
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b < 2_000 * MB => "seconds",
        b if b < 200_000 * MB => "minutes",
        _ => "hours",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSize {
    pub rows: u64,
    pub bytes: u64,
}

/// Sizes by table (`schema.table` and, for `public`, the bare name too).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    tables: HashMap<String, TableSize>,
}

impl Stats {
    pub fn get(&self, table: &QName) -> Option<TableSize> {
        self.tables.get(&table.key()).copied()
    }

    pub fn len(&self) -> usize {
        self.tables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    pub fn read(path: &Path) -> Result<Stats> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the table statistics", path.display()))?;
        Stats::parse(&text).with_context(|| format!("{}", path.display()))
    }

    /// JSON (`[{"table": …, "rows": …, "bytes": …}]`) or CSV with a `table,rows,bytes` header.
    pub fn parse(text: &str) -> Result<Stats> {
        let mut stats = Stats::default();
        let mut add = |table: &str, rows: u64, bytes: u64| {
            let name = match table.rsplit_once('.') {
                Some((schema, name)) => QName {
                    schema: Some(schema.to_string()),
                    name: name.to_string(),
                },
                None => QName::new(table),
            };
            stats.tables.insert(name.key(), TableSize { rows, bytes });
        };
        if text.trim_start().starts_with('[') {
            let rows: Vec<serde_json::Value> =
                serde_json::from_str(text).context("not a JSON array of {table, rows, bytes}")?;
            for (i, r) in rows.iter().enumerate() {
                let (Some(t), Some(n), Some(b)) =
                    (r["table"].as_str(), r["rows"].as_f64(), r["bytes"].as_f64())
                else {
                    bail!(
                        "entry {}: expected table (string), rows and bytes (numbers)",
                        i + 1
                    );
                };
                add(t, n.max(0.0) as u64, b.max(0.0) as u64);
            }
        } else {
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header = lines.next().context("empty")?;
            let cols: Vec<&str> = header.split(',').map(str::trim).collect();
            let at = |name: &str| cols.iter().position(|c| *c == name);
            let (Some(t), Some(n), Some(b)) = (at("table"), at("rows"), at("bytes")) else {
                bail!("line 1: expected the header table,rows,bytes");
            };
            for (i, line) in lines.enumerate() {
                let f: Vec<&str> = line
                    .split(',')
                    .map(|s| s.trim().trim_matches('"'))
                    .collect();
                let num = |k: usize| -> Result<u64> {
                    let v = f.get(k).copied().unwrap_or("");
                    v.parse::<f64>()
                        .map(|x| x.max(0.0) as u64)
                        .with_context(|| format!("line {}: {v:?} is not a number", i + 2))
                };
                let table = f.get(t).copied().unwrap_or("");
                add(table, num(n)?, num(b)?);
            }
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json() {
        let s = Stats::parse(
            "table,rows,bytes\npublic.orders,2000000000,900000000000\nlookup,50,8192\n",
        )
        .unwrap();
        assert_eq!(s.get(&QName::new("orders")).unwrap().rows, 2_000_000_000);
        assert_eq!(s.get(&QName::new("lookup")).unwrap().bytes, 8192);
        let s = Stats::parse(r#"[{"table": "app.events", "rows": 10, "bytes": 1e6}]"#).unwrap();
        let q = QName {
            schema: Some("app".into()),
            name: "events".into(),
        };
        assert_eq!(s.get(&q).unwrap().bytes, 1_000_000);
        assert!(Stats::parse("name,size\nx,1\n").is_err());
        assert_eq!(duration_class(8192), "seconds");
        assert_eq!(duration_class(900_000_000_000), "hours");
    }
}
