//! Backups of the database and every stored file (see `kontor backup`, docs/backup.md).
//!
//! Files (logos, archived PDF and XML) live in the database's `blobs` table, so a consistent
//! copy of the database holds them too. Files kept in a blob store (`--blob-store s3://…`)
//! are fetched, checked and stored as one more sealed file (`files.bin.zst.age`,
//! `tenants/SLUG.files.zst.age`), so every backup is complete on its own. A backup is a folder `kontor-backups/ID/` on every
//! configured target with zstd-compressed, age-encrypted files and a `manifest.json` (written
//! last) listing each file's size and SHA-256 as stored:
//! - SQLite: `kontor.db.zst.age`, the database through SQLite's online backup API;
//! - PostgreSQL (one business): `rows.jsonl.zst.age`, the schema as rows in one snapshot;
//! - cloud: `control.jsonl.zst.age` (the tenants) and `tenants/SLUG.jsonl.zst.age` per
//!   tenant, each taken through the tenant's own role in its own snapshot, so one tenant can
//!   be restored alone.

mod crypto;
mod error;
mod files;
mod logical;
mod manifest;
mod records;
mod restore;
mod retention;
mod run;
mod schedule;
mod signing;
mod sqlite;
mod target;

pub mod check;

pub use check::{BackupCheck, TargetState, Verification, newest_signed, verify_stored};
pub use crypto::{Digest256, Identity, Recipient, generate as generate_identity};
pub use error::{BackupError, Result};
pub use manifest::{BackupId, BackupKind, FileEntry, Manifest, Skipped};
pub use records::{Claim, Records, RunRecord, RunResult, TargetOutcome};
pub use restore::{
    Listing, RestoreReport, list, restore_postgres, restore_sqlite, restore_tenants, verify,
};
pub use retention::plan as retention_plan;
pub use run::{Source, run_if_due, run_now, start_now};
pub use schedule::{emit_last_success, spawn_schedule};
pub use signing::{
    Authenticity, ManifestSignature, SigningKey, VerifyKey, generate as generate_signing_key,
};
pub use target::{Listed, Target, TargetSpec};

/// How backups are made.
#[derive(Debug, Clone)]
pub struct BackupConfig {
    pub targets: Vec<TargetSpec>,
    pub recipient: Recipient,
    /// Signs every manifest, so that verify and restore can tell the installation's backups
    /// from ones someone else put on a target.
    pub signing: SigningKey,
    /// How often the schedule backs up.
    pub every: chrono::Duration,
    /// How long backups are kept (the newest complete one always stays).
    pub keep: chrono::Duration,
}

impl BackupConfig {
    pub const DEFAULT_EVERY: chrono::Duration = chrono::Duration::hours(6);
    pub const DEFAULT_KEEP_DAYS: i64 = 30;

    /// Builds the configuration from its textual settings, naming the bad one.
    pub fn from_settings(
        targets: &[String],
        recipient: &str,
        signing: SigningKey,
        every: &str,
        keep_days: i64,
    ) -> Result<BackupConfig> {
        if targets.is_empty() {
            return Err(BackupError::config(
                "backup_target",
                "no target configured (--backup-target DIR or s3://BUCKET/PREFIX, repeatable)",
            ));
        }
        let targets = targets
            .iter()
            .map(|t| TargetSpec::parse(t))
            .collect::<Result<Vec<_>>>()?;
        let mut names: Vec<String> = targets.iter().map(|t| t.name()).collect();
        names.sort();
        names.dedup();
        if names.len() != targets.len() {
            return Err(BackupError::config(
                "backup_target",
                "the same target is named twice",
            ));
        }
        if !(1..=3650).contains(&keep_days) {
            return Err(BackupError::config(
                "backup_keep_days",
                "must be 1 to 3650 days",
            ));
        }
        Ok(BackupConfig {
            targets,
            recipient: Recipient::parse(recipient)?,
            signing,
            every: parse_interval(every)?,
            keep: chrono::Duration::days(keep_days),
        })
    }
}

/// Parses `90s`, `30m`, `6h`, `1d` (at least one minute).
pub fn parse_interval(text: &str) -> Result<chrono::Duration> {
    let text = text.trim();
    let bad = || {
        BackupError::config(
            "backup_every",
            format!("{text:?}: expected a number with s, m, h or d (e.g. 6h), at least 1m"),
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let d = match unit {
        "s" => chrono::Duration::seconds(n),
        "m" | "min" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(bad()),
    };
    if d < chrono::Duration::minutes(1) || d > chrono::Duration::days(366) {
        return Err(bad());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("6h").unwrap(), chrono::Duration::hours(6));
        assert_eq!(
            parse_interval("90s").unwrap(),
            chrono::Duration::seconds(90)
        );
        assert_eq!(parse_interval("1d").unwrap(), chrono::Duration::days(1));
        for bad in ["", "6", "h", "10s", "6x", "-1h"] {
            let err = parse_interval(bad).unwrap_err().to_string();
            assert!(err.starts_with("backup_every:"), "{bad}: {err}");
        }
    }

    #[test]
    fn settings_name_the_bad_one() {
        let (_, r) = generate_identity(chrono::Utc::now(), None);
        let r = r.to_string();
        let (text, _) = generate_signing_key(chrono::Utc::now());
        let k = SigningKey::parse(&text, "test").unwrap();
        assert!(BackupConfig::from_settings(&["/tmp".into()], &r, k.clone(), "6h", 30).is_ok());
        let e = BackupConfig::from_settings(&[], &r, k.clone(), "6h", 30).unwrap_err();
        assert!(e.to_string().starts_with("backup_target:"));
        let e =
            BackupConfig::from_settings(&["/tmp".into(), "/tmp".into()], &r, k.clone(), "6h", 30)
                .unwrap_err();
        assert!(e.to_string().starts_with("backup_target:"));
        let e =
            BackupConfig::from_settings(&["/tmp".into()], "nope", k.clone(), "6h", 30).unwrap_err();
        assert!(e.to_string().starts_with("backup_recipient:"));
        let e = BackupConfig::from_settings(&["/tmp".into()], &r, k.clone(), "6h", 0).unwrap_err();
        assert!(e.to_string().starts_with("backup_keep_days:"));
    }
}
