//! What the settings page and `/api/v1/backups` show of backups, read from kontor-ops'
//! records of this installation (single business; the cloud's backups are the hoster's).

use kontor_app::backups::{
    BackupOverview, BackupRunView, BackupStatus, BackupTargetView, BoxFuture, Started,
};
use kontor_ops::backup::{self, BackupConfig, RunRecord, Source};

pub struct OpsBackups {
    pub source: Source,
    pub config: BackupConfig,
    /// The schedule as the operator wrote it (e.g. "6h").
    pub every: String,
    pub keep_days: i64,
}

fn view(run: RunRecord) -> BackupRunView {
    let ts =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    BackupRunView {
        id: run.id.to_string(),
        started_at: ts(run.started_at),
        finished_at: run.finished_at.map(ts),
        result: run.result.as_str().to_string(),
        // Each target holds the whole backup.
        size_bytes: run.size_bytes,
        targets: run
            .targets
            .into_iter()
            .map(|t| BackupTargetView {
                target: t.target,
                ok: t.ok,
                error: t.error,
                deleted: t.deleted,
            })
            .collect(),
        error: run.error,
    }
}

impl BackupStatus for OpsBackups {
    fn overview(&self, limit: i64) -> BoxFuture<'_, Result<BackupOverview, String>> {
        Box::pin(async move {
            let records = self.source.records().map_err(|e| e.to_string())?;
            let runs = records.recent(limit).await.map_err(|e| e.to_string())?;
            Ok(BackupOverview {
                hosted: false,
                every: self.every.clone(),
                keep_days: self.keep_days,
                targets: self.config.targets.iter().map(|t| t.name()).collect(),
                runs: runs.into_iter().map(view).collect(),
            })
        })
    }

    fn start(&self) -> BoxFuture<'_, Result<Started, String>> {
        Box::pin(async move {
            match backup::start_now(&self.source, &self.config, chrono::Utc::now()).await {
                Ok(id) => Ok(Started::Now { id }),
                Err(backup::BackupError::Busy { id, started_at }) => {
                    Ok(Started::Busy { id, started_at })
                }
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
