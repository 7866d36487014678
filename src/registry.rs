//! The rule registry: every rule id, once, with its severity (the one its `rules/<id>.md` states).
//! Ignore directives and configuration parse names through it, so an unknown name is an error.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

macro_rules! rules {
    ($($name:ident = $id:literal, $severity:ident;)*) => {
        /// A rule, by the id its document and its findings carry.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($name,)*
        }

        impl RuleId {
            /// Every rule, in documentation order.
            pub const ALL: &[RuleId] = &[$(RuleId::$name),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$name => $id,)*
                }
            }

            /// The severity its document states; a rule reports less only where its document says when.
            pub fn severity(self) -> Severity {
                match self {
                    $(RuleId::$name => Severity::$severity,)*
                }
            }
        }
    };
}

rules! {
    SyntaxError = "syntax-error", Error;
    NonSqlText = "non-sql-text", Warning;
    PsqlMetaCommand = "psql-meta-command", Info;
    UnknownStatement = "unknown-statement", Warning;
    OpaqueCode = "opaque-code", Warning;
    UnsupportedOnVersion = "unsupported-on-version", Error;
    StatementFails = "statement-fails", Error;
    ConcurrentlyInTransaction = "concurrently-in-transaction", Error;
    CreateIndexConcurrentlyPartitioned = "create-index-concurrently-partitioned", Error;
    CreateIndexBlocksWrites = "create-index-blocks-writes", Error;
    DropIndexBlocksAccess = "drop-index-blocks-access", Warning;
    ReindexBlocksWrites = "reindex-blocks-writes", Error;
    AddColumnVolatileDefault = "add-column-volatile-default", Error;
    AddColumnGeneratedStored = "add-column-generated-stored", Error;
    AddColumnSerialOrIdentity = "add-column-serial-or-identity", Error;
    AddColumnNotNullWithoutDefault = "add-column-not-null-without-default", Error;
    SetNotNull = "set-not-null", Error;
    AddCheckConstraint = "add-check-constraint", Error;
    AddForeignKey = "add-foreign-key", Error;
    AddUniqueConstraint = "add-unique-constraint", Error;
    AddExclusionConstraint = "add-exclusion-constraint", Error;
    DomainConstraintScan = "domain-constraint-scan", Error;
    AlterColumnType = "alter-column-type", Error;
    TypeChangeDataLoss = "type-change-data-loss", Error;
    RenameTable = "rename-table", Warning;
    RenameColumn = "rename-column", Warning;
    DropColumn = "drop-column", Warning;
    DropTable = "drop-table", Warning;
    DropAndAddSameColumn = "drop-and-add-same-column", Error;
    TruncateTable = "truncate-table", Warning;
    TableRewrite = "table-rewrite", Error;
    EnumValueInTransaction = "enum-value-in-transaction", Error;
    AttachPartition = "attach-partition", Warning;
    DefaultPartitionScan = "default-partition-scan", Error;
    DetachPartition = "detach-partition", Error;
    DetachConcurrentlyWithDefault = "detach-concurrently-with-default", Error;
    RefreshMatviewBlocksReads = "refresh-matview-blocks-reads", Warning;
    MissingLockTimeout = "missing-lock-timeout", Warning;
    LockHeldAcrossStatements = "lock-held-across-statements", Error;
    UnbatchedBackfill = "unbatched-backfill", Error;
    UnnamedConstraint = "unnamed-constraint", Info;
    CredentialsInSql = "credentials-in-sql", Error;
    NestedTransaction = "nested-transaction", Warning;
    PreferTimestamptz = "prefer-timestamptz", Info;
    PreferBigintId = "prefer-bigint-id", Info;
    PreferIdentity = "prefer-identity", Info;
    PreferJsonb = "prefer-jsonb", Info;
    PreferTextOverChar = "prefer-text-over-char", Info;
    InvalidIgnore = "invalid-ignore", Warning;
    UnusedIgnore = "unused-ignore", Info;
    MissingDowngrade = "missing-downgrade", Warning;
    CredentialsInConfig = "credentials-in-config", Error;
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown rule name, with the names that exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "no rule named {:?} (`pgrisk rules` lists them)", self.0)
    }
}

impl std::error::Error for UnknownRule {}

impl FromStr for RuleId {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<RuleId, UnknownRule> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for r in RuleId::ALL {
            assert_eq!(r.as_str().parse::<RuleId>(), Ok(*r));
        }
        assert!("set-not-nul".parse::<RuleId>().is_err());
    }
}
