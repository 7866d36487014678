//! One input (a file or stdin): its text, its name, and byte offset → 1-based line/column.
//! Reading refuses what cannot be SQL (invalid UTF-8, NUL bytes) with the file and byte offset.

use anyhow::{Result, bail};
use std::path::Path;

/// An input document. Offsets everywhere in pgrisk are byte offsets into `text`.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
    /// Byte offset where each line starts. `\n`, `\r\n` and a lone `\r` all end a line.
    line_starts: Vec<usize>,
    /// Length of a leading UTF-8 byte-order mark (0 or 3); it is not counted as a column.
    bom: usize,
}

/// 1-based line and column (column counted in characters, as editors show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Source {
    /// Validates `bytes` as SQL text: UTF-8, no NUL byte, not empty.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source> {
        // What Windows PowerShell 5 writes for `alembic upgrade head --sql > out.sql`.
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            bail!(
                "{name}:1:1: input is UTF-16 (byte-order mark at byte offset 0), not UTF-8; convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)"
            );
        }
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            let pos = line_col_of_bytes(&bytes, at);
            bail!(
                "{name}:{}:{}: input contains a NUL byte at byte offset {at}; this is not a SQL text file",
                pos.line,
                pos.column
            );
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let pos = line_col_of_bytes(err.as_bytes(), at);
                bail!(
                    "{name}:{}:{}: input is not valid UTF-8 at byte offset {at}; convert it to UTF-8 first",
                    pos.line,
                    pos.column
                );
            }
        };
        if text.trim_start_matches('\u{feff}').trim().is_empty() {
            bail!(
                "{name}: input is empty; expected the SQL printed by `alembic upgrade ... --sql`"
            );
        }
        Ok(Source::new(name, text))
    }

    pub fn read_file(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| anyhow::anyhow!("{name}: cannot read file: {e}"))?;
        Source::from_bytes(&name, bytes)
    }

    /// A source from text that is already known to be valid (tests, DO bodies, fixtures).
    pub fn new(name: &str, text: String) -> Source {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let line_starts = line_starts(text.as_bytes());
        Source {
            name: name.to_string(),
            text,
            line_starts,
            bom,
        }
    }

    /// Where SQL starts (after a byte-order mark).
    pub fn content_start(&self) -> usize {
        self.bom
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let mut start = self.line_starts[line_idx];
        if line_idx == 0 {
            start = start.max(self.bom).min(offset);
        }
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// Byte offset of the start of each line after `offset` and before `end`.
    pub fn line_starts_between(
        &self,
        offset: usize,
        end: usize,
    ) -> impl Iterator<Item = usize> + '_ {
        let first = self.line_starts.partition_point(|&s| s <= offset);
        self.line_starts[first..]
            .iter()
            .copied()
            .take_while(move |&s| s < end)
    }
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

fn line_col_of_bytes(bytes: &[u8], at: usize) -> Position {
    let starts = line_starts(&bytes[..at]);
    let line_start = *starts.last().unwrap_or(&0);
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    Position {
        line: starts.len(),
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_with_mixed_line_endings_and_bom() {
        let src = Source::new("t", "\u{feff}a\r\nbc\nd\re".to_string());
        assert_eq!(src.position(3), Position { line: 1, column: 1 });
        assert_eq!(src.position(6), Position { line: 2, column: 1 });
        assert_eq!(src.position(7), Position { line: 2, column: 2 });
        assert_eq!(src.position(9), Position { line: 3, column: 1 });
        assert_eq!(src.position(11), Position { line: 4, column: 1 });
    }

    #[test]
    fn columns_count_characters() {
        let src = Source::new("t", "-- é\nSELECT 'é'; x".to_string());
        let x = src.text.rfind('x').unwrap();
        assert_eq!(
            src.position(x),
            Position {
                line: 2,
                column: 13
            }
        );
    }

    #[test]
    fn refuses_nul_and_bad_utf8_with_offsets() {
        let err = Source::from_bytes("f.sql", b"SELECT 1;\nSEL\0".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.sql:2:4: input contains a NUL byte at byte offset 13; this is not a SQL text file"
        );
        let err = Source::from_bytes("f.sql", b"SELECT '\xff';".to_vec()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.sql:1:9: input is not valid UTF-8 at byte offset 8")
        );
        let err = Source::from_bytes("f.sql", b"\xff\xfeS\0E\0".to_vec()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.sql:1:1: input is UTF-16 (byte-order mark at byte offset 0)")
        );
        let err = Source::from_bytes("f.sql", b" \n\t".to_vec()).unwrap_err();
        assert!(err.to_string().starts_with("f.sql: input is empty"));
    }
}
