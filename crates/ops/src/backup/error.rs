//! What can go wrong in a backup, a verification or a restore; every error names the file,
//! target or setting it is about.

use std::path::PathBuf;

/// An error of the backup module.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A setting (flag, environment variable, identity file) is unusable.
    #[error("{field}: {message}")]
    Config { field: String, message: String },

    /// A target could not be opened, written, read or listed.
    #[error("backup target {target}: {message}")]
    Target { target: String, message: String },

    /// No configured target holds a complete backup with this id.
    #[error("backup {id} not found on any target ({targets})")]
    NotFound { id: String, targets: String },

    /// The backup has no manifest (an interrupted run) or the manifest cannot be read.
    #[error("backup {id} on {target}: manifest: {message}")]
    Manifest {
        id: String,
        target: String,
        message: String,
    },

    /// A stored file is shorter or longer than its manifest says.
    #[error(
        "backup {id} on {target}: file {file} is truncated or padded: {actual} bytes, the manifest says {expected}"
    )]
    Truncated {
        id: String,
        target: String,
        file: String,
        expected: u64,
        actual: u64,
    },

    /// A stored file's SHA-256 differs from its manifest's.
    #[error(
        "backup {id} on {target}: file {file} is corrupt: SHA-256 {actual}, the manifest says {expected}"
    )]
    Corrupt {
        id: String,
        target: String,
        file: String,
        expected: String,
        actual: String,
    },

    /// A stored file cannot be decrypted or decompressed, or its content is not what it
    /// should be (wrong identity, damaged, incomplete).
    #[error("backup {id}: file {file}: {message}")]
    Content {
        id: String,
        file: String,
        message: String,
    },

    /// A local file (staging, identity, restore destination) could not be used.
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },

    /// The restore destination is not fresh.
    #[error("restore destination {destination}: {message}")]
    Destination {
        destination: String,
        message: String,
    },

    /// The identity given cannot open this backup: it was encrypted to another key.
    #[error(
        "backup {id} is encrypted to {recipient}; the identity given is the key of {given}, not of that recipient (use the identity file that belongs to it)"
    )]
    WrongKey {
        id: String,
        recipient: String,
        given: String,
    },

    /// The manifest carries no signature: nothing shows that this installation made the
    /// backup (anyone who can write to a target can make one).
    #[error(
        "backup {id} on {target} is not signed, so nothing shows that your Kontor made it (whoever can write to a target can put a backup there). Backups made before Kontor signed them are refused unless you give --accept-unsigned, and then only if you know the backup is yours"
    )]
    Unsigned { id: String, target: String },

    /// The manifest's signature does not verify with the verify keys given.
    #[error("backup {id} on {target} is refused: its signature is not valid: {message}")]
    BadSignature {
        id: String,
        target: String,
        message: String,
    },

    /// The manifest is signed but no verify key was given to check it with.
    #[error(
        "backup {id} is signed, but no verify key was given to check it: use the identity file from `kontor backup keygen` (its kontor-backup-verify-key-… line) or give --verify-key"
    )]
    NoVerifyKey { id: String },

    /// Another instance is backing up right now.
    #[error("another backup is running (id {id}, started {started_at})")]
    Busy { id: String, started_at: String },

    /// The database refused something.
    #[error("database: {0}")]
    Database(String),
}

impl BackupError {
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        BackupError::Config {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn target(target: impl Into<String>, message: impl std::fmt::Display) -> Self {
        BackupError::Target {
            target: target.into(),
            message: message.to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, error: impl std::fmt::Display) -> Self {
        BackupError::Io {
            path: path.into(),
            message: error.to_string(),
        }
    }

    pub fn content(id: &str, file: &str, message: impl std::fmt::Display) -> Self {
        BackupError::Content {
            id: id.into(),
            file: file.into(),
            message: message.to_string(),
        }
    }

    pub fn destination(destination: impl std::fmt::Display, message: impl Into<String>) -> Self {
        BackupError::Destination {
            destination: destination.to_string(),
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Database(e.to_string())
    }
}

impl From<kontor_storage::StoreError> for BackupError {
    fn from(e: kontor_storage::StoreError) -> Self {
        BackupError::Database(e.to_string())
    }
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;
