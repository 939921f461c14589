//! A backup's id and its manifest: the list of its files with their sizes and SHA-256 as
//! stored. The manifest is written last, so a backup without one is an interrupted run.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};
use super::signing::ManifestSignature;

pub const FORMAT: &str = "kontor-backup/1";
pub const MANIFEST: &str = "manifest.json";

/// `20261126T222716Z-3fa9c1`: the time it was started (UTC, sorts as text) and a random
/// suffix so that two instances never collide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BackupId(String);

impl BackupId {
    pub fn new(at: DateTime<Utc>) -> BackupId {
        let suffix: u32 = rand::random::<u32>() & 0x00ff_ffff;
        BackupId(format!("{}-{suffix:06x}", at.format("%Y%m%dT%H%M%SZ")))
    }

    /// Accepts only well-formed ids (they become object paths).
    pub fn parse(text: &str) -> Result<BackupId> {
        let id = BackupId(text.trim().to_string());
        let ok = id.0.len() == 23
            && id.0.as_bytes()[16] == b'-'
            && id.0[17..].chars().all(|c| c.is_ascii_hexdigit())
            && id.created_at().is_some();
        if ok {
            Ok(id)
        } else {
            Err(BackupError::config(
                "id",
                format!("{text:?} is not a backup id (like 20261126T222716Z-3fa9c1)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// When the backup was started, read from the id.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        NaiveDateTime::parse_from_str(self.0.get(..16)?, "%Y%m%dT%H%M%SZ")
            .ok()
            .map(|t| t.and_utc())
    }
}

impl std::fmt::Display for BackupId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// The SQLite database file of a single installation (files are inside it).
    Sqlite,
    /// One PostgreSQL schema of a single installation, as rows.
    Postgres,
    /// A cloud installation: one file per tenant plus the control data.
    Cloud,
}

impl BackupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Sqlite => "sqlite",
            BackupKind::Postgres => "postgres",
            BackupKind::Cloud => "cloud",
        }
    }
}

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Name relative to the backup's folder, e.g. `tenants/acme.jsonl.zst.age`.
    pub name: String,
    /// Size as stored (encrypted).
    pub size: u64,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// The cloud tenant whose data this is, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// Something the backup does not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub tenant: String,
    pub reason: String,
    /// An error (not a state such as suspended): the run counts as partial.
    #[serde(default)]
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub id: BackupId,
    pub kind: BackupKind,
    pub created_at: String,
    /// The database schema version of the data (restores need the same version).
    pub schema_version: i64,
    /// The public key the files are encrypted to (to find the right identity).
    pub recipient: String,
    pub files: Vec<FileEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// The installation's signature over everything above (see `signing`); missing on
    /// backups made before Kontor signed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

impl Manifest {
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    pub fn parse(bytes: &[u8], id: &BackupId, target: &str) -> Result<Manifest> {
        let err = |message: String| BackupError::Manifest {
            id: id.to_string(),
            target: target.to_string(),
            message,
        };
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| err(format!("not valid: {e}")))?;
        if manifest.format != FORMAT {
            return Err(err(format!("unknown format {:?}", manifest.format)));
        }
        if &manifest.id != id {
            return Err(err(format!("belongs to backup {}", manifest.id)));
        }
        for f in &manifest.files {
            if !safe_name(&f.name) {
                return Err(err(format!("file name {:?} is not allowed", f.name)));
            }
        }
        Ok(manifest)
    }
}

/// File names inside a backup: relative, no `..`, plain characters.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 200
        && !name.starts_with('/')
        && name.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_parse_back() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T22:27:16Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = BackupId::new(t);
        assert!(id.as_str().starts_with("20261126T222716Z-"));
        assert_eq!(id.created_at(), Some(t));
        assert_eq!(BackupId::parse(id.as_str()).unwrap(), id);
        let later = BackupId::new(t + chrono::Duration::seconds(1));
        assert!(later > id);
        for bad in [
            "",
            "x",
            "20261126T222716Z-zzzzzz",
            "../../etc/passwd",
            "20261326T222716Z-000000",
        ] {
            assert!(BackupId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(safe_name("tenants/acme.jsonl.zst.age"));
        assert!(!safe_name("../x"));
        assert!(!safe_name("/x"));
        assert!(!safe_name("a//b"));
    }
}
