//! Health checks, metrics and alerts (see `kontor check`).
//!
//! Every area that can go wrong (database, replication, backups, certificate, disk, error
//! rate) contributes a [`Check`]. The watchdog runs all checks every minute and alerts on a
//! change of a finding's state; `kontor check` runs them once.

pub mod alert;
pub mod checks;
pub mod disk;
pub mod watchdog;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use alert::{Alert, AlertStatus, Notifier, SmtpNotifier, WebhookNotifier};
pub use watchdog::{Leadership, Watchdog, WatchdogConfig};

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

/// Runs every check once, concurrently (as `kontor check` does), each bounded by `timeout`;
/// a check that does not answer in time is itself a problem. Findings keep the checks' order.
pub async fn run_all(checks: &[Arc<dyn Check>], timeout: Duration) -> Vec<Finding> {
    let mut runs = tokio::task::JoinSet::new();
    for (index, check) in checks.iter().enumerate() {
        let check = Arc::clone(check);
        runs.spawn(async move {
            let findings = match tokio::time::timeout(timeout, check.run()).await {
                Ok(findings) => findings,
                Err(_) => vec![Finding::problem(
                    check.name(),
                    format!(
                        "check {} did not answer within {} s",
                        check.name(),
                        timeout.as_secs()
                    ),
                )],
            };
            (index, findings)
        });
    }
    let mut results: Vec<(usize, Vec<Finding>)> = Vec::new();
    while let Some(done) = runs.join_next().await {
        match done {
            Ok(result) => results.push(result),
            Err(e) => results.push((
                usize::MAX,
                vec![Finding::problem("watchdog", format!("a check failed: {e}"))],
            )),
        }
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().flat_map(|(_, f)| f).collect()
}
