//! The table of backup runs, and the lease that lets only one instance back up at a time:
//! a run's row is inserted as `running` inside a write-locked transaction (SQLite: BEGIN
//! IMMEDIATE; PostgreSQL: a lock on the table itself) after checking that no other run is
//! alive; its heartbeat keeps it alive, a run silent for [`STALE`] counts as interrupted.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use kontor_storage::{Backend, Store};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

use super::error::{BackupError, Result};
use super::manifest::{BackupId, Manifest};

/// A running backup whose heartbeat is older than this is considered dead.
pub const STALE: chrono::Duration = chrono::Duration::minutes(15);
/// After a failed run the next try comes after at most this long (or `every`, if shorter).
pub const RETRY_AFTER_FAILURE: chrono::Duration = chrono::Duration::minutes(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    Running,
    /// Every target has the backup.
    Ok,
    /// At least one target has it, at least one failed.
    Partial,
    /// No target has it (or it could not be made).
    Failed,
}

impl RunResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RunResult::Running => "running",
            RunResult::Ok => "ok",
            RunResult::Partial => "partial",
            RunResult::Failed => "failed",
        }
    }
    fn parse(s: &str) -> RunResult {
        match s {
            "running" => RunResult::Running,
            "ok" => RunResult::Ok,
            "partial" => RunResult::Partial,
            _ => RunResult::Failed,
        }
    }
}

/// How one target fared in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOutcome {
    pub target: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub bytes: u64,
    /// Backups deleted there by retention after this run.
    #[serde(default)]
    pub deleted: Vec<String>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: BackupId,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub result: RunResult,
    pub size_bytes: u64,
    pub files: u64,
    pub targets: Vec<TargetOutcome>,
    pub error: Option<String>,
    pub host: String,
}

/// The outcome of trying to take the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Claimed,
    /// The last run was recent enough; `next` is when the next one is due.
    NotDue {
        next: DateTime<Utc>,
    },
    /// Another run is alive.
    Busy {
        id: String,
        started_at: String,
    },
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| BackupError::Database(format!("backup_runs: time {s:?}: {e}")))
}

/// This machine's name, for the records.
pub fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Where the runs are recorded.
#[derive(Clone)]
pub struct Records {
    pool: AnyPool,
    backend: Backend,
    table: String,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Records({})", self.table)
    }
}

const COLUMNS: &str =
    "id, started_at, heartbeat_at, finished_at, result, size_bytes, files, targets, error, host";

impl Records {
    /// The store's own table (SQLite, or a single installation's PostgreSQL schema).
    pub fn for_store(store: &Store) -> Records {
        Records {
            pool: store.pool().clone(),
            backend: store.backend(),
            table: "backup_runs".into(),
        }
    }

    /// A cloud installation's control schema (through the control role).
    pub fn for_control(pool: AnyPool, control_schema: &str) -> Result<Records> {
        if !kontor_storage::db::is_safe_identifier(control_schema) {
            return Err(BackupError::config(
                "installation",
                "not a plain identifier",
            ));
        }
        Ok(Records {
            pool,
            backend: Backend::Postgres,
            table: format!("{control_schema}.backup_runs"),
        })
    }

    /// Takes the lease for a new run `id` if no other run is alive and (with `every`) the
    /// last run is at least that old. Runs left `running` with an old heartbeat are marked
    /// failed ("interrupted") on the way.
    pub async fn claim(
        &self,
        id: &BackupId,
        now: DateTime<Utc>,
        every: Option<chrono::Duration>,
        host: &str,
    ) -> Result<Claim> {
        let table = &self.table;
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if self.backend == Backend::Postgres {
            // A table lock rather than an advisory lock: only roles that may write the table can
            // take it, so in cloud mode no tenant can hold it and stop every backup.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"
            )))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET result = 'failed', finished_at = heartbeat_at, error = 'interrupted (no heartbeat)' \
             WHERE result = 'running' AND heartbeat_at < $1"
        )))
        .bind(ts(now - STALE))
        .execute(&mut *tx)
        .await?;
        if let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, started_at FROM {table} WHERE result = 'running' ORDER BY started_at DESC LIMIT 1"
        )))
        .fetch_optional(&mut *tx)
        .await?
        {
            tx.rollback().await?;
            return Ok(Claim::Busy {
                id: row.try_get("id")?,
                started_at: row.try_get("started_at")?,
            });
        }
        if let Some(every) = every
            && let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT started_at, result FROM {table} ORDER BY started_at DESC LIMIT 1"
            )))
            .fetch_optional(&mut *tx)
            .await?
        {
            let last = parse_ts(&row.try_get::<String, _>("started_at")?)?;
            let result = RunResult::parse(&row.try_get::<String, _>("result")?);
            let wait = if result == RunResult::Failed {
                every.min(RETRY_AFTER_FAILURE)
            } else {
                every
            };
            if now < last + wait {
                tx.rollback().await?;
                return Ok(Claim::NotDue { next: last + wait });
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (id, started_at, heartbeat_at, result, host) VALUES ($1, $2, $2, 'running', $3)"
        )))
        .bind(id.as_str())
        .bind(ts(now))
        .bind(host)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Claim::Claimed)
    }

    /// Shows that the run is alive.
    pub async fn heartbeat(&self, id: &BackupId, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET heartbeat_at = $2 WHERE id = $1 AND result = 'running'",
            self.table
        )))
        .bind(id.as_str())
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Writes the outcome of a run.
    pub async fn finish(&self, run: &RunRecord) -> Result<()> {
        let targets = serde_json::to_string(&run.targets)
            .map_err(|e| BackupError::Database(e.to_string()))?;
        let finished = run.finished_at.unwrap_or_else(Utc::now);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET finished_at = $2, heartbeat_at = $2, result = $3, size_bytes = $4, files = $5, targets = $6, error = $7 WHERE id = $1",
            self.table
        )))
        .bind(run.id.as_str())
        .bind(ts(finished))
        .bind(run.result.as_str())
        .bind(run.size_bytes as i64)
        .bind(run.files as i64)
        .bind(targets)
        .bind(run.error.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// After a restore. A backup copies its own run record while it runs, so the restored data
    /// holds the run it came from as `running`. That run completed (it is the backup just
    /// restored): it is closed as ok, dated by its manifest. Any other run the copy shows as
    /// running belonged to the old installation and is closed as interrupted. Without this,
    /// the restored installation would refuse backups until the stale lease ran out, and its
    /// history would later call the backup it came from failed.
    pub async fn close_restored(&self, manifest: &Manifest) -> Result<()> {
        let finished = parse_ts(&manifest.created_at).unwrap_or_else(|_| Utc::now());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET result = 'ok', finished_at = $2, heartbeat_at = $2, size_bytes = $3, files = $4, error = NULL \
             WHERE id = $1 AND result = 'running'",
            self.table
        )))
        .bind(manifest.id.as_str())
        .bind(ts(finished))
        .bind(manifest.total_size() as i64)
        .bind(manifest.files.len() as i64)
        .execute(&self.pool)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET result = 'failed', finished_at = heartbeat_at, \
             error = 'interrupted (running when the backup that was restored was made)' \
             WHERE result = 'running'",
            self.table
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest runs first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<RunRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {} ORDER BY started_at DESC LIMIT $1",
            self.table
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let targets: String = r.try_get("targets")?;
                let finished: Option<String> = r.try_get("finished_at")?;
                Ok(RunRecord {
                    id: BackupId::parse(&r.try_get::<String, _>("id")?)?,
                    started_at: parse_ts(&r.try_get::<String, _>("started_at")?)?,
                    finished_at: finished.as_deref().map(parse_ts).transpose()?,
                    result: RunResult::parse(&r.try_get::<String, _>("result")?),
                    size_bytes: r.try_get::<i64, _>("size_bytes")? as u64,
                    files: r.try_get::<i64, _>("files")? as u64,
                    targets: serde_json::from_str(&targets)
                        .map_err(|e| BackupError::Database(format!("backup_runs.targets: {e}")))?,
                    error: r.try_get("error")?,
                    host: r.try_get("host")?,
                })
            })
            .collect()
    }

    /// When each target last received a complete backup (from the newest 500 runs).
    pub async fn last_success_per_target(&self) -> Result<BTreeMap<String, DateTime<Utc>>> {
        let mut last = BTreeMap::new();
        for run in self.recent(500).await? {
            let Some(finished) = run.finished_at else {
                continue;
            };
            for t in run.targets.iter().filter(|t| t.ok) {
                last.entry(t.target.clone())
                    .and_modify(|at: &mut DateTime<Utc>| *at = (*at).max(finished))
                    .or_insert(finished);
            }
        }
        Ok(last)
    }
}
