//! Rules over the Alembic project's files, which only the scripts show (`--alembic-dir`): a
//! migration without a real downgrade, and database passwords written into alembic.ini / env.py.

use super::{Draft, draft};
use crate::migrations::Script;
use crate::registry::RuleId;
use crate::suggest::Vars;

/// missing-downgrade: `downgrade()` missing, or only `pass` with no comment saying why. Its line:
/// the `def downgrade` line (1 when there is none).
pub fn missing_downgrade(script: &Script) -> Option<(usize, Draft)> {
    // Nothing to undo (a merge revision, an empty upgrade): an empty downgrade is right.
    if script.upgrade.as_ref().is_none_or(|u| u.is_noop) {
        return None;
    }
    let (line, what) = match &script.downgrade {
        None => (1, "has no downgrade()".to_string()),
        Some(f) if f.is_noop && f.comment.is_none() => (
            f.line as usize,
            "has a downgrade() that does nothing, with no comment saying why".to_string(),
        ),
        Some(_) => return None,
    };
    Some((
        line,
        draft(
            RuleId::MissingDowngrade,
            format!(
                "revision {} {what}: if the deploy goes wrong, `alembic downgrade` silently leaves its schema changes in place",
                script.revision
            ),
            Vars::from([("revision", script.revision.clone())]),
        ),
    ))
}

/// credentials-in-config: a database URL with a literal password in alembic.ini or env.py.
/// Returns the 1-based line of each; the password itself is never repeated.
pub fn credentials(file: &str, text: &str) -> Vec<(usize, Draft)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let Some(user) = url_with_password(line) else {
            continue;
        };
        out.push((
            i + 1,
            draft(
                RuleId::CredentialsInConfig,
                format!(
                    "{file} line {} holds a database URL with the password of {user:?} written out: it ends up in the repository and every clone of it (pgrisk does not repeat it); read it from the environment",
                    i + 1
                ),
                Vars::from([("file", file.to_string())]),
            ),
        ));
    }
    out
}

/// The user of a `scheme://user:password@host` URL in `line` whose password is a literal (not
/// `%(…)s` / `${…}` interpolation, not masked), if any.
fn url_with_password(line: &str) -> Option<String> {
    let at = line.find("://")?;
    let rest = &line[at + 3..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '/')
        .unwrap_or(rest.len());
    let auth = rest[..end].rsplit_once('@')?.0;
    let (user, password) = auth.split_once(':')?;
    let interpolated = password.contains("%(") || password.contains("${") || password.contains('{');
    let masked = password.is_empty() || password.chars().all(|c| c == '*');
    (!interpolated && !masked).then(|| user.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_passwords_are_found_and_interpolation_is_not() {
        let ini = "[alembic]\nsqlalchemy.url = postgresql://app:s3cret@db/app\n";
        let found = credentials("alembic.ini", ini);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        assert!(!found[0].1.message.contains("s3cret"));
        for ok in [
            "sqlalchemy.url = postgresql://app@db/app",
            "sqlalchemy.url = postgresql://app:%(DB_PASSWORD)s@db/app",
            "url = f\"postgresql://{user}:{password}@{host}/app\"",
            "# sqlalchemy.url = postgresql://app:old@db/app",
            "sqlalchemy.url = postgresql://app:***@db/app",
        ] {
            assert!(credentials("alembic.ini", ok).is_empty(), "{ok}");
        }
    }
}
