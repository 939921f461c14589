//! Backups as the business sees them: the schedule, the targets and the newest runs, and
//! starting one now. This crate does not make backups itself: `kontor serve` hands it a
//! [`BackupStatus`] (backed by kontor-ops) when backups are configured; a cloud tenant gets
//! [`Hosted`], because the operator backs up every tenant.

use kontor_domain::ErrorCode;
use std::future::Future;
use std::pin::Pin;

use kontor_storage::Actor;

use crate::{App, Error, Result};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// The backup schedule and the newest runs, ready to show.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BackupOverview {
    /// A cloud tenant: the installation's operator backs up every tenant; nothing to show or
    /// start here.
    pub hosted: bool,
    /// E.g. "6h".
    pub every: String,
    pub keep_days: i64,
    /// Target names (no credentials).
    pub targets: Vec<String>,
    /// Newest first.
    pub runs: Vec<BackupRunView>,
}

/// One recorded run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupRunView {
    pub id: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running, ok, partial or failed.
    pub result: String,
    pub size_bytes: u64,
    pub targets: Vec<BackupTargetView>,
    pub error: Option<String>,
}

/// How one target fared in a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupTargetView {
    pub target: String,
    pub ok: bool,
    pub error: Option<String>,
    /// The ids of the backups retention deleted there after this run.
    pub deleted: Vec<String>,
}

/// Reads the backup records and starts a backup (implemented by `kontor serve`).
pub trait BackupStatus: Send + Sync {
    /// The schedule and the newest `limit` runs.
    fn overview(&self, limit: i64) -> BoxFuture<'_, Result<BackupOverview, String>>;
    /// Starts a backup in the background now, unless a run (of any instance) is still going.
    fn start(&self) -> BoxFuture<'_, Result<Started, String>>;
    /// Whether backups are the operator's business (cloud tenants).
    fn hosted(&self) -> bool {
        false
    }
}

/// What asking for a backup now did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// The run `id` started and goes on in the background.
    Now { id: String },
    /// Nothing started: run `id`, started at `started_at` (RFC 3339), is still going.
    Busy { id: String, started_at: String },
}

/// A cloud tenant's view: the operator backs up the whole installation (`kontor backup run
/// --cloud`, one part per tenant), so a tenant neither sees the operator's targets nor starts
/// runs.
pub struct Hosted;

impl BackupStatus for Hosted {
    fn overview(&self, _limit: i64) -> BoxFuture<'_, Result<BackupOverview, String>> {
        Box::pin(async {
            Ok(BackupOverview {
                hosted: true,
                ..BackupOverview::default()
            })
        })
    }

    fn start(&self) -> BoxFuture<'_, Result<Started, String>> {
        Box::pin(async { Err("the operator of this installation runs its backups".to_string()) })
    }

    fn hosted(&self) -> bool {
        true
    }
}

/// The backup operations of one business.
pub struct Backups<'a> {
    pub(crate) app: &'a App,
}

impl Backups<'_> {
    /// Whether backups are set up for this installation at all.
    pub fn configured(&self) -> bool {
        self.app.backups.is_some()
    }

    fn status(&self) -> Result<&dyn BackupStatus> {
        self.app.backups.as_deref().ok_or_else(|| {
            Error::refused(
                ErrorCode::BackupsNotConfigured,
                "backups are not set up for this installation (kontor serve --backup-recipient … --backup-target …)",
            )
        })
    }

    /// The schedule and the newest `limit` runs.
    pub async fn overview(&self, limit: i64) -> Result<BackupOverview> {
        self.status()?
            .overview(limit)
            .await
            .map_err(|e| Error::internal(ErrorCode::Internal, format!("backup records: {e}")))
    }

    /// Starts a backup in the background now and records who asked for it.
    /// Starts a backup now and returns its id; refused (409) while another run is going, with
    /// that run's id.
    pub async fn start(&self, actor: &Actor) -> Result<String> {
        let status = self.status()?;
        if status.hosted() {
            return Err(Error::refused(
                ErrorCode::Hosted,
                "the operator of this installation runs its backups",
            ));
        }
        let started = status.start().await.map_err(|e| {
            Error::internal(ErrorCode::Internal, format!("cannot start a backup: {e}"))
        })?;
        let id = match started {
            Started::Now { id } => id,
            Started::Busy { id, started_at } => {
                return Err(Error::refused(
                    ErrorCode::BackupRunning,
                    format!("backup {id} is still running (started {started_at})"),
                ));
            }
        };
        self.app
            .store
            .security_event(
                actor,
                "backup_started",
                "business",
                serde_json::json!({ "backup": id }),
            )
            .await?;
        Ok(id)
    }
}
