//! Column types as PostgreSQL names them internally, and what changing one into another costs:
//! nothing (binary-coercible), a checked rewrite, a rewrite, or a conversion that can lose data.

use crate::kb::Key;
use serde::Serialize;
use std::fmt;

/// A column type: canonical name (`int4`, `varchar`, `numeric`, ...), type modifiers, array-ness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SqlType {
    /// Canonical name; the common ones are static (the catalog holds one per column).
    pub name: std::borrow::Cow<'static, str>,
    pub mods: Box<[i64]>,
    pub array: bool,
}

/// Canonical internal name of a type as written in SQL.
pub fn canonical(name: &str) -> &str {
    match name {
        "int" | "integer" | "int4" | "serial" | "serial4" => "int4",
        "bigint" | "int8" | "bigserial" | "serial8" => "int8",
        "smallint" | "int2" | "smallserial" | "serial2" => "int2",
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "boolean" | "bool" => "bool",
        "double precision" | "float8" | "float" => "float8",
        "real" | "float4" => "float4",
        "decimal" | "numeric" => "numeric",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "time without time zone" | "time" => "time",
        "time with time zone" | "timetz" => "timetz",
        "bit varying" | "varbit" => "varbit",
        other => other,
    }
}

impl SqlType {
    pub fn new(name: &str, mods: Vec<i64>, array: bool) -> SqlType {
        const KNOWN: &[&str] = &[
            "int2",
            "int4",
            "int8",
            "varchar",
            "bpchar",
            "text",
            "bool",
            "float4",
            "float8",
            "numeric",
            "timestamp",
            "timestamptz",
            "date",
            "time",
            "timetz",
            "interval",
            "json",
            "jsonb",
            "uuid",
            "bytea",
            "inet",
            "cidr",
            "bit",
            "varbit",
            "citext",
        ];
        let lower = name.to_ascii_lowercase();
        let canon = canonical(&lower);
        let name = match KNOWN.iter().find(|k| **k == canon) {
            Some(k) => std::borrow::Cow::Borrowed(*k),
            None => std::borrow::Cow::Owned(canon.to_string()),
        };
        SqlType {
            name,
            mods: mods.into_boxed_slice(),
            array,
        }
    }

    fn is_numeric_family(&self) -> bool {
        !self.array
            && matches!(
                &*self.name,
                "int2" | "int4" | "int8" | "numeric" | "float4" | "float8"
            )
    }

    fn family(&self) -> &'static str {
        if self.array {
            return "array";
        }
        match &*self.name {
            "text" | "varchar" | "bpchar" | "citext" | "name" => "text",
            "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "money" => "number",
            "timestamp" | "timestamptz" | "date" | "time" | "timetz" | "interval" => "time",
            "json" | "jsonb" => "json",
            "bool" => "bool",
            "uuid" => "uuid",
            "bytea" => "bytea",
            "inet" | "cidr" => "net",
            "bit" | "varbit" => "bit",
            _ => "other",
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match &*self.name {
            "int4" => "integer",
            "int8" => "bigint",
            "int2" => "smallint",
            "bpchar" => "char",
            "bool" => "boolean",
            "float8" => "double precision",
            "float4" => "real",
            other => other,
        };
        f.write_str(shown)?;
        if !self.mods.is_empty() {
            let mods: Vec<String> = self.mods.iter().map(i64::to_string).collect();
            write!(f, "({})", mods.join(", "))?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// What `ALTER COLUMN ... TYPE` costs, from the old and the new type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeChange {
    /// Same type: nothing happens beyond the lock.
    Same,
    /// Binary-coercible: catalog only (varchar(n)→varchar(m≥n), varchar→text, numeric precision up, ...).
    Coercible,
    /// Values must be checked or converted: full rewrite, may fail on existing data
    /// (varchar(m<n), text→varchar(n), numeric scale change).
    Checked,
    /// Same kind of data in a wider or different representation: full rewrite (int→bigint, json→jsonb).
    Rewrite,
    /// Between incompatible kinds (text→integer, timestamp→boolean, ...): full rewrite, fails or
    /// loses data unless every value converts.
    Lossy,
    /// The old type is not known from the input: assume the worst (rewrite).
    Unknown,
}

impl TypeChange {
    pub fn key(self) -> Key {
        match self {
            TypeChange::Same | TypeChange::Coercible => Key::AlterTableAlterColumnTypeCoercible,
            TypeChange::Checked => Key::AlterTableAlterColumnTypeChecked,
            TypeChange::Rewrite | TypeChange::Lossy | TypeChange::Unknown => {
                Key::AlterTableAlterColumnType
            }
        }
    }
}

fn widens(old: &[i64], new: &[i64]) -> bool {
    // Unconstrained new type accepts everything; otherwise every modifier must not shrink.
    new.is_empty()
        || (!old.is_empty() && old.len() == new.len() && old.iter().zip(new).all(|(o, n)| n >= o))
}

/// Classifies a type change following `ATColumnChangeRequiresRewrite` (tablecmds.c): a
/// RelabelType (binary-coercible cast) or a length coercion that the type's support function
/// proves is a no-op needs no rewrite; anything else rewrites.
pub fn classify_change(old: Option<&SqlType>, new: &SqlType, has_using: bool) -> TypeChange {
    let Some(old) = old else {
        return TypeChange::Unknown;
    };
    if old == new {
        // A USING expression that is not the column itself is evaluated for every row.
        return if has_using {
            TypeChange::Rewrite
        } else {
            TypeChange::Same
        };
    }
    if old.array != new.array {
        return TypeChange::Lossy;
    }
    let (o, n) = (&*old.name, &*new.name);
    let checked_or = |ok: bool| {
        if ok {
            TypeChange::Coercible
        } else {
            TypeChange::Checked
        }
    };
    let change = match (o, n) {
        ("varchar", "varchar") => checked_or(widens(&old.mods, &new.mods)),
        ("varchar", "text") | ("text", "text") => TypeChange::Coercible,
        ("text", "varchar") => checked_or(new.mods.is_empty()),
        ("bpchar", "bpchar") if old.mods == new.mods => TypeChange::Same,
        ("bpchar", "bpchar") | ("bpchar", "varchar") | ("bpchar", "text") => TypeChange::Checked,
        ("varchar" | "text", "bpchar") => TypeChange::Checked,
        ("numeric", "numeric") => {
            // numeric_support: no rewrite when the scale is unchanged and precision does not shrink.
            let same_scale =
                old.mods.get(1).copied().unwrap_or(0) == new.mods.get(1).copied().unwrap_or(0);
            if new.mods.is_empty()
                || (same_scale && widens(&old.mods[..1.min(old.mods.len())], &new.mods[..1]))
            {
                TypeChange::Coercible
            } else {
                TypeChange::Checked
            }
        }
        ("varbit", "varbit") => checked_or(widens(&old.mods, &new.mods)),
        ("timestamp", "timestamp")
        | ("timestamptz", "timestamptz")
        | ("time", "time")
        | ("timetz", "timetz")
        | ("interval", "interval") => checked_or(widens(&old.mods, &new.mods)),
        ("cidr", "inet") => TypeChange::Coercible,
        ("text" | "varchar", "citext") | ("citext", "text" | "varchar") => TypeChange::Coercible,
        ("int2", "int4" | "int8") | ("int4", "int8") => TypeChange::Rewrite,
        ("int8", "int4" | "int2") | ("int4", "int2") => TypeChange::Checked,
        ("float4", "float8") => TypeChange::Rewrite,
        _ if old.is_numeric_family() && new.is_numeric_family() => TypeChange::Checked,
        ("json", "jsonb") | ("jsonb", "json") => TypeChange::Rewrite,
        ("timestamp", "timestamptz")
        | ("timestamptz", "timestamp")
        | ("date", "timestamp" | "timestamptz") => TypeChange::Rewrite,
        // Anything into text keeps every value (as its text form).
        (_, "text") => TypeChange::Rewrite,
        (_, "varchar") if new.mods.is_empty() => TypeChange::Rewrite,
        _ if old.family() == new.family() && old.family() != "other" => TypeChange::Rewrite,
        _ => TypeChange::Lossy,
    };
    if has_using && matches!(change, TypeChange::Same | TypeChange::Coercible) {
        // A USING expression is evaluated for every row.
        return TypeChange::Rewrite;
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, mods: &[i64]) -> SqlType {
        SqlType::new(name, mods.to_vec(), false)
    }

    #[test]
    fn a_using_expression_to_the_same_type_rewrites() {
        assert_eq!(
            classify_change(Some(&t("int4", &[])), &t("int4", &[]), true),
            TypeChange::Rewrite
        );
        assert_eq!(
            classify_change(Some(&t("int4", &[])), &t("int4", &[]), false),
            TypeChange::Same
        );
    }

    #[test]
    fn coercible_changes_need_no_rewrite() {
        assert_eq!(
            classify_change(Some(&t("varchar", &[50])), &t("varchar", &[100]), false),
            TypeChange::Coercible
        );
        assert_eq!(
            classify_change(Some(&t("varchar", &[50])), &t("varchar", &[]), false),
            TypeChange::Coercible
        );
        assert_eq!(
            classify_change(Some(&t("varchar", &[50])), &t("text", &[]), false),
            TypeChange::Coercible
        );
        assert_eq!(
            classify_change(
                Some(&t("numeric", &[10, 2])),
                &t("numeric", &[12, 2]),
                false
            ),
            TypeChange::Coercible
        );
        assert_eq!(
            classify_change(Some(&t("timestamp", &[3])), &t("timestamp", &[6]), false),
            TypeChange::Coercible
        );
    }

    #[test]
    fn other_changes_rewrite() {
        assert_eq!(
            classify_change(Some(&t("varchar", &[100])), &t("varchar", &[50]), false),
            TypeChange::Checked
        );
        assert_eq!(
            classify_change(Some(&t("text", &[])), &t("varchar", &[50]), false),
            TypeChange::Checked
        );
        assert_eq!(
            classify_change(Some(&t("integer", &[])), &t("bigint", &[]), false),
            TypeChange::Rewrite
        );
        assert_eq!(
            classify_change(
                Some(&t("numeric", &[10, 2])),
                &t("numeric", &[10, 4]),
                false
            ),
            TypeChange::Checked
        );
        assert_eq!(
            classify_change(Some(&t("varchar", &[20])), &t("integer", &[]), false),
            TypeChange::Lossy
        );
        assert_eq!(
            classify_change(Some(&t("timestamp", &[])), &t("boolean", &[]), false),
            TypeChange::Lossy
        );
        assert_eq!(
            classify_change(None, &t("text", &[]), false),
            TypeChange::Unknown
        );
        assert_eq!(
            classify_change(Some(&t("varchar", &[5])), &t("text", &[]), true),
            TypeChange::Rewrite
        );
    }
}
