//! Backups run by `kontor serve`: every instance looks once a minute whether a backup is due;
//! the lease in the runs table (see `records`) lets only one of them make it. Also the
//! Prometheus series about backups (the exporter is installed by the serving binary).

use chrono::Utc;

use super::BackupConfig;
use super::records::{Records, RunRecord, RunResult};
use super::run::{Source, run_if_due};

/// Seconds since the epoch of the last complete backup, per target.
pub const LAST_SUCCESS: &str = "kontor_backup_last_success_timestamp_seconds";
/// Runs by result (ok, partial, failed).
pub const RUNS: &str = "kontor_backup_runs_total";

/// Emits the series for a finished run.
pub fn emit_run(record: &RunRecord) {
    if record.result != RunResult::Running {
        metrics::counter!(RUNS, "result" => record.result.as_str()).increment(1);
    }
    if let Some(finished) = record.finished_at {
        for t in record.targets.iter().filter(|t| t.ok) {
            metrics::gauge!(LAST_SUCCESS, "target" => t.target.clone())
                .set(finished.timestamp() as f64);
        }
    }
}

/// Sets the last-success gauges from the records (at start, so a restarted instance does not
/// report "never").
pub async fn emit_last_success(records: &Records) -> super::Result<()> {
    for (target, at) in records.last_success_per_target().await? {
        metrics::gauge!(LAST_SUCCESS, "target" => target).set(at.timestamp() as f64);
    }
    Ok(())
}

/// How often an instance looks whether a backup is due.
const TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the schedule until the task is aborted.
pub fn spawn_schedule(source: Source, config: BackupConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match source.records() {
            Ok(records) => {
                if let Err(e) = emit_last_success(&records).await {
                    tracing::warn!(error = %e, "cannot read the backup records");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the backup records"),
        }
        loop {
            match run_if_due(&source, &config, Utc::now()).await {
                Ok(Some(record)) => {
                    tracing::info!(backup = %record.id, result = record.result.as_str(), "scheduled backup done")
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "cannot start the scheduled backup"),
            }
            tokio::time::sleep(TICK).await;
        }
    })
}
