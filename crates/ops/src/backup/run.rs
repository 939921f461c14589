//! One backup run: take the lease, make the files, upload them to every target, apply
//! retention where the upload succeeded, record the run and emit the metrics.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use kontor_storage::Store;
use kontor_storage::tenants::{Directory, TenantPool, TenantState};
use sqlx::Row;

use super::crypto::Sealer;
use super::error::{BackupError, Result};
use super::manifest::{BackupId, BackupKind, FORMAT, FileEntry, MANIFEST, Manifest, Skipped};
use super::records::{Claim, Records, RunRecord, RunResult, TargetOutcome, host_name};
use super::{BackupConfig, files, logical, retention, sqlite};

/// What is backed up.
#[derive(Clone)]
pub enum Source {
    /// A single installation on SQLite: the database file (and its store, for the records).
    Sqlite { store: Store, path: PathBuf },
    /// A single installation on PostgreSQL (its schema).
    Postgres { store: Store },
    /// A cloud installation: every tenant through its own role, plus the control data.
    Cloud { directory: Directory },
}

impl Source {
    /// Where this source's runs are recorded.
    pub fn records(&self) -> Result<Records> {
        match self {
            Source::Sqlite { store, .. } | Source::Postgres { store } => {
                Ok(Records::for_store(store))
            }
            Source::Cloud { directory } => Records::for_control(
                directory.control_pool().clone(),
                &directory.installation().control_schema(),
            ),
        }
    }

    fn kind(&self) -> BackupKind {
        match self {
            Source::Sqlite { .. } => BackupKind::Sqlite,
            Source::Postgres { .. } => BackupKind::Postgres,
            Source::Cloud { .. } => BackupKind::Cloud,
        }
    }
}

/// Backs up now (refused while another run is alive).
pub async fn run_now(
    source: &Source,
    config: &BackupConfig,
    now: DateTime<Utc>,
) -> Result<RunRecord> {
    let (records, id) = claim_now(source, now).await?;
    Ok(execute(source, config, &records, id, now).await)
}

/// The lease for a run now, whatever the schedule; [`BackupError::Busy`] while another run is
/// alive.
async fn claim_now(source: &Source, now: DateTime<Utc>) -> Result<(Records, BackupId)> {
    let records = source.records()?;
    let id = BackupId::new(now);
    match records.claim(&id, now, None, &host_name()).await? {
        Claim::Claimed => Ok((records, id)),
        Claim::Busy { id, started_at } => Err(BackupError::Busy { id, started_at }),
        Claim::NotDue { .. } => unreachable!("no schedule given"),
    }
}

/// Claims a run now and backs up in the background; returns the new run's id at once.
/// While another run is alive nothing starts: [`BackupError::Busy`] names that run.
pub async fn start_now(
    source: &Source,
    config: &BackupConfig,
    now: DateTime<Utc>,
) -> Result<String> {
    let (records, id) = claim_now(source, now).await?;
    let (source, config, started) = (source.clone(), config.clone(), id.to_string());
    tokio::spawn(async move {
        let run = execute(&source, &config, &records, id, now).await;
        tracing::info!(backup = %run.id, result = run.result.as_str(), "backup started from the settings page or API finished");
    });
    Ok(started)
}

/// Backs up if the last run is older than `config.every` and no other instance is at it.
pub async fn run_if_due(
    source: &Source,
    config: &BackupConfig,
    now: DateTime<Utc>,
) -> Result<Option<RunRecord>> {
    let records = source.records()?;
    let id = BackupId::new(now);
    match records
        .claim(&id, now, Some(config.every), &host_name())
        .await?
    {
        Claim::Claimed => Ok(Some(execute(source, config, &records, id, now).await)),
        Claim::Busy { .. } | Claim::NotDue { .. } => Ok(None),
    }
}

/// A file made for the backup, waiting in the staging folder.
struct Staged {
    entry: FileEntry,
    path: PathBuf,
}

async fn execute(
    source: &Source,
    config: &BackupConfig,
    records: &Records,
    id: BackupId,
    now: DateTime<Utc>,
) -> RunRecord {
    let started = Instant::now();
    let clock = move || now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    // The lease stays alive while the run takes long.
    let beat = {
        let (records, id) = (records.clone(), id.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                let _ = records.heartbeat(&id, clock()).await;
            }
        })
    };
    let mut record = RunRecord {
        id: id.clone(),
        started_at: now,
        finished_at: None,
        result: RunResult::Failed,
        size_bytes: 0,
        files: 0,
        targets: Vec::new(),
        error: None,
        host: host_name(),
    };
    // Where backups were completed before (to notice a disk that is no longer mounted).
    let written = records.last_success_per_target().await.unwrap_or_default();
    match produce_and_upload(source, config, &id, now, &clock, &written).await {
        Ok((manifest, outcomes)) => {
            let ok = outcomes.iter().filter(|o| o.ok).count();
            record.result = if ok == outcomes.len() {
                RunResult::Ok
            } else if ok > 0 {
                RunResult::Partial
            } else {
                RunResult::Failed
            };
            // A tenant that could not be read makes an otherwise complete run partial.
            if record.result == RunResult::Ok && manifest.skipped.iter().any(|s| s.failed) {
                record.result = RunResult::Partial;
            }
            record.size_bytes = manifest.total_size();
            record.files = manifest.files.len() as u64;
            if !manifest.skipped.is_empty() {
                record.error = Some(
                    manifest
                        .skipped
                        .iter()
                        .map(|s| format!("tenant {} not backed up: {}", s.tenant, s.reason))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            record.targets = outcomes;
        }
        Err(e) => {
            tracing::error!(backup = %id, error = %e, "backup failed");
            record.error = Some(e.to_string());
        }
    }
    beat.abort();
    record.finished_at = Some(clock());
    if let Err(e) = records.finish(&record).await {
        tracing::error!(backup = %id, error = %e, "cannot record the backup run");
    }
    super::schedule::emit_run(&record);
    for t in record.targets.iter().filter(|t| !t.ok) {
        tracing::error!(backup = %id, target = %t.target, error = t.error.as_deref().unwrap_or(""), "backup target failed");
    }
    tracing::info!(backup = %id, result = record.result.as_str(), bytes = record.size_bytes, seconds = started.elapsed().as_secs_f64(), "backup run finished");
    record
}

async fn produce_and_upload(
    source: &Source,
    config: &BackupConfig,
    id: &BackupId,
    now: DateTime<Utc>,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    written: &std::collections::BTreeMap<String, DateTime<Utc>>,
) -> Result<(Manifest, Vec<TargetOutcome>)> {
    let staging = tempfile::Builder::new()
        .prefix("kontor-backup-")
        .tempdir()
        .map_err(|e| {
            BackupError::io(
                std::env::temp_dir(),
                format!("cannot create a staging folder: {e}"),
            )
        })?;
    let (staged, schema_version, skipped) = produce(source, config, id, staging.path()).await?;
    let mut manifest = Manifest {
        format: FORMAT.into(),
        id: id.clone(),
        kind: source.kind(),
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        schema_version,
        recipient: config.recipient.to_string(),
        files: staged.iter().map(|s| s.entry.clone()).collect(),
        skipped,
        signature: None,
    };
    config.signing.sign(&mut manifest)?;
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Database(e.to_string()))?;
    let total = manifest.total_size();
    let uploads = config.targets.iter().map(|spec| {
        let (staged, manifest_bytes) = (&staged, manifest_bytes.clone());
        async move {
            let name = spec.name();
            let result = async {
                spec.check_mounted(written.get(&name).copied())?;
                let target = spec.open()?;
                for s in staged {
                    target.put_file(id, &s.entry.name, &s.path).await?;
                }
                // Last: a backup is complete once its manifest is there.
                target.put_bytes(id, MANIFEST, manifest_bytes).await?;
                Ok::<_, BackupError>(target)
            }
            .await;
            match result {
                Ok(target) => {
                    let (deleted, error) =
                        match retention::apply(&target, clock(), config.keep).await {
                            Ok(d) => (d.iter().map(|i| i.to_string()).collect(), None),
                            Err(e) => (Vec::new(), Some(format!("retention: {e}"))),
                        };
                    TargetOutcome {
                        target: name,
                        ok: true,
                        error,
                        bytes: total,
                        deleted,
                    }
                }
                Err(e) => TargetOutcome {
                    target: name,
                    ok: false,
                    error: Some(e.to_string()),
                    bytes: 0,
                    deleted: Vec::new(),
                },
            }
        }
    });
    let outcomes = join_all(uploads).await;
    Ok((manifest, outcomes))
}

/// The files file of a single installation.
const FILES: &str = "files.bin.zst.age";

/// Fetches the files kept in a blob store into one sealed file (none when there are none).
async fn stage_files(
    store: &Store,
    shas: &[String],
    config: &BackupConfig,
    staging: &Path,
    name: &str,
    tenant: Option<String>,
) -> Result<Option<Staged>> {
    if shas.is_empty() {
        return Ok(None);
    }
    let sealed = staging.join(name);
    let mut sealer = Sealer::create(&sealed, &config.recipient)?;
    let (files, bytes) = files::dump(store, shas, &mut sealer).await?;
    let digest = sealer.finish()?;
    tracing::info!(
        files,
        bytes,
        file = name,
        "backed up files kept in the blob store"
    );
    Ok(Some(Staged {
        entry: entry(name, digest, tenant),
        path: sealed,
    }))
}

fn entry(name: &str, digest: super::crypto::Digest256, tenant: Option<String>) -> FileEntry {
    FileEntry {
        name: name.into(),
        size: digest.size,
        sha256: digest.sha256,
        tenant,
    }
}

async fn produce(
    source: &Source,
    config: &BackupConfig,
    id: &BackupId,
    staging: &Path,
) -> Result<(Vec<Staged>, i64, Vec<Skipped>)> {
    match source {
        Source::Sqlite { path, store } => {
            let copy = staging.join("kontor.db");
            let (from, to) = (path.clone(), copy.clone());
            tokio::task::spawn_blocking(move || sqlite::online_backup(&from, &to))
                .await
                .map_err(|e| BackupError::io(path, format!("backup thread: {e}")))??;
            let version = sqlite::schema_version(&copy).await?;
            // The copy's rows that point at a blob store: their bytes come along.
            let external = sqlite::external_files(&copy).await?;
            let name = "kontor.db.zst.age";
            let sealed = staging.join(name);
            let (recipient, from, to) = (config.recipient.clone(), copy.clone(), sealed.clone());
            let digest = tokio::task::spawn_blocking(move || {
                super::crypto::seal_file(&from, &to, &recipient)
            })
            .await
            .map_err(|e| BackupError::io(&copy, format!("encryption thread: {e}")))??;
            std::fs::remove_file(&copy).map_err(|e| BackupError::io(&copy, e))?;
            let mut staged = vec![Staged {
                entry: entry(name, digest, None),
                path: sealed,
            }];
            staged.extend(stage_files(store, &external, config, staging, FILES, None).await?);
            Ok((staged, version, Vec::new()))
        }
        Source::Postgres { store } => {
            let name = "rows.jsonl.zst.age";
            let sealed = staging.join(name);
            let mut sealer = Sealer::create(&sealed, &config.recipient)?;
            let dumped = logical::dump(store, &mut sealer).await?;
            let digest = sealer.finish()?;
            let version = kontor_storage::migrate::current_version(store.pool()).await?;
            let mut staged = vec![Staged {
                entry: entry(name, digest, None),
                path: sealed,
            }];
            staged.extend(
                stage_files(store, &dumped.external_files, config, staging, FILES, None).await?,
            );
            Ok((staged, version, Vec::new()))
        }
        Source::Cloud { directory } => {
            let mut staged = Vec::new();
            let mut skipped = Vec::new();
            // The control data: the tenants table, through the control role.
            let name = "control.jsonl.zst.age";
            let sealed = staging.join(name);
            let mut sealer = Sealer::create(&sealed, &config.recipient)?;
            let ctl = directory.installation().control_schema();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(to_jsonb(t) AS TEXT) AS j FROM {ctl}.tenants t ORDER BY id"
            )))
            .fetch_all(directory.control_pool())
            .await?;
            for row in &rows {
                sealer.write_all(row.try_get::<String, _>("j")?.as_bytes())?;
                sealer.write_all(b"\n")?;
            }
            staged.push(Staged {
                entry: entry(name, sealer.finish()?, None),
                path: sealed,
            });
            std::fs::create_dir_all(staging.join("tenants"))
                .map_err(|e| BackupError::io(staging, e))?;
            for tenant in directory.list().await? {
                match tenant.state {
                    TenantState::Active => {}
                    TenantState::Deleted => continue,
                    state => {
                        skipped.push(Skipped {
                            tenant: tenant.slug.clone(),
                            reason: format!("{} (its role cannot log in)", state.as_str()),
                            failed: false,
                        });
                        continue;
                    }
                }
                let name = format!("tenants/{}.jsonl.zst.age", tenant.slug);
                let sealed = staging.join(&name);
                let pool = TenantPool {
                    max_connections: 1,
                    idle_timeout: std::time::Duration::from_secs(5),
                };
                let files_name = format!("tenants/{}.files.zst.age", tenant.slug);
                let result = async {
                    let store = directory.open(&tenant, pool).await?;
                    let produced = async {
                        let mut sealer = Sealer::create(&sealed, &config.recipient)?;
                        let dumped = logical::dump(&store, &mut sealer).await?;
                        let digest = sealer.finish()?;
                        let files = stage_files(
                            &store,
                            &dumped.external_files,
                            config,
                            staging,
                            &files_name,
                            Some(tenant.slug.clone()),
                        )
                        .await?;
                        Ok::<_, BackupError>((digest, files))
                    }
                    .await;
                    store.close().await;
                    produced
                }
                .await;
                match result {
                    Ok((digest, files)) => {
                        staged.push(Staged {
                            entry: entry(&name, digest, Some(tenant.slug.clone())),
                            path: sealed,
                        });
                        staged.extend(files);
                    }
                    // One tenant that cannot be read does not stop the others' backups.
                    Err(e) => {
                        tracing::error!(backup = %id, tenant = %tenant.slug, error = %e, "cannot back up tenant");
                        skipped.push(Skipped {
                            tenant: tenant.slug.clone(),
                            reason: e.to_string(),
                            failed: true,
                        });
                    }
                }
            }
            Ok((staged, kontor_storage::migrate::latest_version(), skipped))
        }
    }
}
