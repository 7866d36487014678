//! Stable finding fingerprints: the same finding keeps its fingerprint when unrelated lines above
//! it move, so code-scanning and GitLab can tell a new finding from an old one that shifted.
//!
//! `fingerprint = hex(SHA-256(rule ␀ revision ␀ normalised SQL ␀ occurrence))`, where `revision`
//! is "" outside a revision, and `occurrence` (decimal, from 0) counts earlier findings of the
//! same rule, revision and normalised SQL in the same run, so repeats stay distinct.
//!
//! Normalisation (`normalize_sql`): comments (`--` and nested `/* */`) removed, runs of
//! whitespace made one space, leading and trailing space trimmed, ASCII letters lower-cased —
//! except inside string literals (`'…'`, `E'…'`), quoted identifiers (`"…"`) and dollar-quoted
//! bodies (`$tag$…$tag$`), which are kept exactly.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The statement text as the fingerprint sees it (see the module documentation).
pub fn normalize_sql(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut space = false;
    let mut i = 0;
    // Appends `s` verbatim, after a pending space.
    fn emit(out: &mut String, space: &mut bool, s: &str) {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push_str(s);
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            space = true;
            i += 1;
        } else if b[i..].starts_with(b"--") {
            i = memchr_nl(b, i);
            space = true;
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            space = true;
        } else if c == b'\'' || c == b'"' {
            // E'…' strings take backslash escapes; the E was already emitted (lower-cased).
            let escapes = c == b'\''
                && i > 0
                && matches!(b[i - 1], b'e' | b'E')
                && (i < 2 || !(b[i - 2].is_ascii_alphanumeric() || b[i - 2] == b'_'));
            let end = quoted_end(b, i, c, escapes);
            emit(&mut out, &mut space, &sql[i..end]);
            i = end;
        } else if c == b'$'
            && let Some(tag_len) = dollar_tag(&b[i..])
        {
            let tag = &b[i..i + tag_len];
            let body = i + tag_len;
            let end = find(&b[body..], tag).map_or(b.len(), |p| body + p + tag_len);
            emit(&mut out, &mut space, &sql[i..end]);
            i = end;
        } else {
            // Up to the next byte that starts something else; ASCII lower-cased.
            let start = i;
            i += 1;
            while i < b.len()
                && !matches!(b[i], b'\'' | b'"' | b'$' | b'-' | b'/')
                && !b[i].is_ascii_whitespace()
            {
                i += 1;
            }
            emit(&mut out, &mut space, &sql[start..i].to_ascii_lowercase());
        }
    }
    out
}

/// Index of the newline ending the line comment at `i` (or the end).
fn memchr_nl(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// End (exclusive) of the quoted text starting at `i` with `q`; doubled quotes stay inside.
fn quoted_end(b: &[u8], i: usize, q: u8, escapes: bool) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if escapes && b[j] == b'\\' {
            j += 2;
        } else if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// Length of the dollar-quote tag (`$$`, `$body$`) at the start of `b`, if it is one.
fn dollar_tag(b: &[u8]) -> Option<usize> {
    let mut j = 1;
    if b.get(1).is_some_and(|c| c.is_ascii_digit()) {
        return None; // $1: a parameter
    }
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        j += 1;
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Hands out fingerprints for one run, counting repeats of the same rule, revision and SQL.
#[derive(Default)]
pub struct Fingerprints {
    /// Findings so far per rule, revision and normalised SQL (the first 128 bits of the digest
    /// of the three: a key per distinct finding, kept small).
    seen: HashMap<u128, u32>,
}

impl Fingerprints {
    /// The fingerprint of the next finding of `rule` on a statement of `revision` whose text is
    /// `sql` (normalised here).
    pub fn next(&mut self, rule: &str, revision: Option<&str>, sql: &str) -> String {
        let mut h = Sha256::new();
        h.update(rule.as_bytes());
        h.update([0]);
        h.update(revision.unwrap_or("").as_bytes());
        h.update([0]);
        h.update(normalize_sql(sql).as_bytes());
        h.update([0]);
        let digest: [u8; 32] = h.clone().finalize().into();
        let key = u128::from_le_bytes(digest[..16].try_into().expect("16 bytes"));
        let n = self.seen.entry(key).or_insert(0);
        h.update(n.to_string().as_bytes());
        *n += 1;
        hex(&h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_sql(
                "ALTER  TABLE \"Orders\"\n  -- why\n  ADD COLUMN x text /* a /* b */ c */ DEFAULT 'A  B';"
            ),
            "alter table \"Orders\" add column x text default 'A  B';"
        );
        assert_eq!(
            normalize_sql("SELECT $Tag$ Keep  THIS $Tag$, E'It\\'S  X', $1 FROM T"),
            "select $Tag$ Keep  THIS $Tag$, e'It\\'S  X', $1 from t"
        );
        assert_eq!(normalize_sql("a - b / c"), "a - b / c");
        assert_eq!(normalize_sql("  x\t\t=\r\n1  "), "x = 1");
    }

    #[test]
    fn fingerprints_are_stable_and_count_repeats() {
        let mut f = Fingerprints::default();
        let a = f.next(
            "set-not-null",
            Some("ae10"),
            "ALTER TABLE t ALTER c SET NOT NULL",
        );
        let b = f.next(
            "set-not-null",
            Some("ae10"),
            "alter table t\n alter c set not null",
        );
        let c = f.next("set-not-null", None, "ALTER TABLE t ALTER c SET NOT NULL");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b, "a repeat gets the next occurrence");
        assert_ne!(a, c);
        let mut g = Fingerprints::default();
        assert_eq!(
            g.next(
                "set-not-null",
                Some("ae10"),
                "ALTER  TABLE t ALTER c SET NOT NULL"
            ),
            a
        );
        // Fixed value: the algorithm is part of the output contract.
        let mut h = Sha256::new();
        h.update(b"set-not-null\0ae10\0alter table t alter c set not null\x000");
        assert_eq!(a, hex(&h.finalize()));
    }
}
