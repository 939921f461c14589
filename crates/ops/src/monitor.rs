//! Health checks, metrics and alerts (see `kontor check`).
//!
//! Every area that can go wrong (database, replication, backups, certificate, disk, error
//! rate) contributes a [`Check`]. The watchdog runs all checks every minute and alerts on a
//! change of a finding's state; `kontor check` runs them once.

use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that checks can be kept as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One observation of a check. `key` is stable across runs (e.g. `backup_target:offsite`)
/// so that the watchdog can tell a new problem from one it has already alerted about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub key: String,
    pub ok: bool,
    /// What was seen, for people: "last backup 7 h ago (allowed: 6 h 30 min)".
    pub message: String,
}

impl Finding {
    pub fn ok(key: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            key: key.into(),
            ok: true,
            message: message.into(),
        }
    }

    pub fn problem(key: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            key: key.into(),
            ok: false,
            message: message.into(),
        }
    }
}

/// Something the watchdog and `kontor check` look at.
pub trait Check: Send + Sync {
    /// A short name for logs, e.g. "backups".
    fn name(&self) -> &str;

    /// Looks once; returns one finding per thing looked at (never panics, a failure to look
    /// is itself a problem finding).
    fn run(&self) -> BoxFuture<'_, Vec<Finding>>;
}
