//! The backup part of the watchdog: is the newest signed backup on every target young
//! enough, can every target be written to, and does the newest backup on every target still
//! match its manifest (verified once a day)?
//!
//! The age is read from the targets themselves, not from the database's records of runs: a
//! target whose backups were deleted or replaced is a problem whatever the records say. Only
//! manifests signed with the installation's own signing key count.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::BackupConfig;
use super::error::{BackupError, Result};
use super::manifest::{BackupId, MANIFEST, Manifest};
use super::records::Records;
use super::signing::{self, VerifyKey};
use super::target::{Target, TargetSpec};
use crate::monitor::{BoxFuture, Check, Finding};

/// At most this many manifests (newest first) are read per target and look, so that a flood
/// of refused ones cannot make the check slow.
const MANIFESTS_PER_LOOK: usize = 10;

/// The newest backup on a target that is signed with the installation's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetState {
    pub target: String,
    /// Its id and when it was made (from the signed manifest).
    pub newest: Option<(BackupId, DateTime<Utc>)>,
    /// Complete backups newer than that one whose manifest is refused, and why.
    pub refused: Vec<(BackupId, String)>,
}

/// Manifests already read: per (target, id), when the backup was made or why it is refused.
type Seen = BTreeMap<(String, BackupId), std::result::Result<DateTime<Utc>, String>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads the manifest of `id` on `target` and checks its signature with `key` (only).
async fn signed_manifest(target: &Target, id: &BackupId, key: &VerifyKey) -> Result<Manifest> {
    let bytes = target
        .get_bytes(id, MANIFEST)
        .await?
        .ok_or_else(|| BackupError::Manifest {
            id: id.to_string(),
            target: target.name().to_string(),
            message: "missing".into(),
        })?;
    let manifest = Manifest::parse(&bytes, id, target.name())?;
    signing::check(&manifest, std::slice::from_ref(key), false, target.name())?;
    Ok(manifest)
}

/// The newest backup on `spec` signed with `key`'s signing key, and newer complete ones
/// whose manifest is refused. `seen` remembers manifests already read.
async fn newest_signed_with(
    spec: &TargetSpec,
    key: &VerifyKey,
    seen: Option<&Mutex<Seen>>,
) -> Result<TargetState> {
    let name = spec.name();
    let target = spec.open()?;
    let listed = target.list().await?;
    let mut state = TargetState {
        target: name.clone(),
        newest: None,
        refused: Vec::new(),
    };
    let complete: Vec<&BackupId> = listed
        .iter()
        .rev()
        .filter(|l| l.complete)
        .map(|l| &l.id)
        .take(MANIFESTS_PER_LOOK)
        .collect();
    for id in complete {
        let cache_key = (name.clone(), id.clone());
        let known = seen.and_then(|s| lock(s).get(&cache_key).cloned());
        let outcome = match known {
            Some(outcome) => outcome,
            None => {
                let outcome = match signed_manifest(&target, id, key).await {
                    Ok(m) => DateTime::parse_from_rfc3339(&m.created_at)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| format!("manifest: created_at: {e}")),
                    // A target that cannot be read now is not remembered as a refusal.
                    Err(e @ BackupError::Target { .. }) => return Err(e),
                    Err(e) => Err(e.to_string()),
                };
                if let Some(s) = seen {
                    lock(s).insert(cache_key, outcome.clone());
                }
                outcome
            }
        };
        match outcome {
            Ok(at) => {
                state.newest = Some((id.clone(), at));
                break;
            }
            Err(reason) => state.refused.push((id.clone(), reason)),
        }
    }
    if let Some(s) = seen {
        // Forget what is no longer on the target.
        lock(s).retain(|(t, id), _| t != &name || listed.iter().any(|l| &l.id == id));
    }
    Ok(state)
}

/// The newest signed backup on every target (`kontor backup runs`, the backups page).
pub async fn newest_signed(
    specs: &[TargetSpec],
    key: &VerifyKey,
) -> Vec<(String, Result<TargetState>)> {
    let mut states = Vec::new();
    for spec in specs {
        states.push((spec.name(), newest_signed_with(spec, key, None).await));
    }
    states
}

/// Checks a stored backup without its identity: the manifest's signature with `key`, then
/// every file's size and SHA-256 as stored (the server cannot decrypt). Returns the number
/// of files.
pub async fn verify_stored(spec: &TargetSpec, id: &BackupId, key: &VerifyKey) -> Result<usize> {
    let target = spec.open()?;
    let manifest = signed_manifest(&target, id, key).await?;
    for file in &manifest.files {
        let digest = target.digest(id, &file.name).await?;
        if digest.size != file.size {
            return Err(BackupError::Truncated {
                id: id.to_string(),
                target: target.name().into(),
                file: file.name.clone(),
                expected: file.size,
                actual: digest.size,
            });
        }
        if digest.sha256 != file.sha256 {
            return Err(BackupError::Corrupt {
                id: id.to_string(),
                target: target.name().into(),
                file: file.name.clone(),
                expected: file.sha256.clone(),
                actual: digest.sha256,
            });
        }
    }
    Ok(manifest.files.len())
}

/// The last scheduled verification of a target's newest signed backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub id: BackupId,
    /// The number of files checked, or what was wrong.
    pub result: std::result::Result<usize, String>,
}

/// Findings (per target):
/// - `backup_age:TARGET`: the newest backup there signed with the installation's key is
///   younger than `every + grace` (and no newer one is refused);
/// - `backup_target:TARGET`: a probe object can be written, read back and deleted;
/// - `backup_verify:TARGET`: the last scheduled verification ([`BackupCheck::verify_due`])
///   found the newest signed backup whole (once one has run).
pub struct BackupCheck {
    records: Records,
    targets: Vec<TargetSpec>,
    verify_key: VerifyKey,
    allowed: chrono::Duration,
    clock: fn() -> DateTime<Utc>,
    /// When the watchdog started looking: the first backup gets [`BackupCheck::GRACE`] from
    /// here before its absence is a problem.
    since: DateTime<Utc>,
    seen: Mutex<Seen>,
    verified: Mutex<BTreeMap<String, Verification>>,
}

impl BackupCheck {
    /// Grace on top of the schedule before a backup counts as late.
    pub const GRACE: chrono::Duration = chrono::Duration::minutes(30);
    /// How often the newest backup on each target is verified.
    pub const VERIFY_EVERY: chrono::Duration = chrono::Duration::days(1);
    /// After a failed verification, the next try comes this much later.
    pub const VERIFY_RETRY: chrono::Duration = chrono::Duration::hours(1);

    /// `records`: where runs are recorded (`Source::records()`); `config`: the schedule, the
    /// targets and the signing key (whose verify key decides which backups count).
    pub fn new(records: Records, config: &BackupConfig) -> BackupCheck {
        BackupCheck {
            records,
            targets: config.targets.clone(),
            verify_key: config.signing.verify_key(),
            allowed: config.every + Self::GRACE,
            clock: Utc::now,
            since: Utc::now(),
            seen: Mutex::new(BTreeMap::new()),
            verified: Mutex::new(BTreeMap::new()),
        }
    }

    /// Another clock (tests).
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> BackupCheck {
        self.clock = clock;
        self
    }

    /// Verifies the newest signed backup on every target whose last verification is older
    /// than [`BackupCheck::VERIFY_EVERY`] (or failed more than [`BackupCheck::VERIFY_RETRY`]
    /// ago, or never ran); the next look reports the outcome as `backup_verify:TARGET`.
    /// Returns how many targets were verified.
    pub async fn verify_due(&self) -> usize {
        let mut done = 0;
        for spec in &self.targets {
            let name = spec.name();
            let now = (self.clock)();
            let due = match lock(&self.verified).get(&name) {
                None => true,
                Some(v) if v.result.is_ok() => now - v.at >= Self::VERIFY_EVERY,
                Some(v) => now - v.at >= Self::VERIFY_RETRY,
            };
            if !due {
                continue;
            }
            // Nothing signed there: the age finding says so.
            let Ok(TargetState {
                newest: Some((id, _)),
                ..
            }) = newest_signed_with(spec, &self.verify_key, Some(&self.seen)).await
            else {
                continue;
            };
            let result = verify_stored(spec, &id, &self.verify_key)
                .await
                .map_err(|e| e.to_string());
            match &result {
                Ok(files) => {
                    tracing::info!(target = %name, backup = %id, files, "backup verified")
                }
                Err(e) => {
                    tracing::error!(target = %name, backup = %id, error = %e, "backup verification failed")
                }
            }
            lock(&self.verified).insert(
                name,
                Verification {
                    at: (self.clock)(),
                    id,
                    result,
                },
            );
            done += 1;
        }
        done
    }

    /// Runs [`BackupCheck::verify_due`] in the background: a few minutes after the start
    /// (so that it does not compete with a first backup), then every hour.
    pub fn spawn_verify_schedule(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(300)).await;
            loop {
                self.verify_due().await;
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        })
    }

    async fn look(&self) -> Vec<Finding> {
        let now = (self.clock)();
        let mut findings = Vec::new();
        let last = self.records.last_success_per_target().await;
        let first_pending = self.first_backup_pending(now).await;
        for spec in &self.targets {
            let name = spec.name();
            let key = format!("backup_age:{name}");
            let recorded = last.as_ref().ok().and_then(|l| l.get(&name)).copied();
            let state = tokio::time::timeout(
                std::time::Duration::from_secs(15),
                newest_signed_with(spec, &self.verify_key, Some(&self.seen)),
            )
            .await;
            findings.push(match state {
                Err(_) => Finding::problem(
                    key,
                    format!("{name}: no answer within 15 s when listing the backups"),
                ),
                Ok(Err(e)) => Finding::problem(key, format!("cannot read the backups: {e}")),
                Ok(Ok(state)) => self.age_finding(key, &name, &state, recorded, now, first_pending),
            });
            let key = format!("backup_target:{name}");
            if let Err(e) = spec.check_mounted(recorded) {
                // No probe: it would create the folder on the disk underneath.
                findings.push(Finding::problem(key, e.to_string()));
            } else {
                let probe = async { spec.open()?.probe().await };
                match tokio::time::timeout(std::time::Duration::from_secs(30), probe).await {
                    Ok(Ok(())) => findings.push(Finding::ok(key, format!("{name} is writable"))),
                    Ok(Err(e)) => findings.push(Finding::problem(key, e.to_string())),
                    Err(_) => findings.push(Finding::problem(
                        key,
                        format!("{name}: no answer within 30 s"),
                    )),
                }
            }
            if let Some(v) = lock(&self.verified).get(&name) {
                let key = format!("backup_verify:{name}");
                let ago = human(now - v.at);
                findings.push(match &v.result {
                    Ok(files) => Finding::ok(
                        key,
                        format!(
                            "backup {} on {name} verified {ago} ago: the signature and all {files} files (size, SHA-256) match",
                            v.id
                        ),
                    ),
                    Err(e) => Finding::problem(
                        key,
                        format!("the scheduled verification of backup {} on {name} failed {ago} ago: {e}", v.id),
                    ),
                });
            }
        }
        findings
    }

    fn age_finding(
        &self,
        key: String,
        name: &str,
        state: &TargetState,
        recorded: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        first_pending: bool,
    ) -> Finding {
        let refused = state
            .refused
            .iter()
            .map(|(id, why)| format!("{id}: {why}"))
            .collect::<Vec<_>>()
            .join("; ");
        match &state.newest {
            None if first_pending && state.refused.is_empty() => Finding::ok(
                key,
                format!(
                    "no signed backup on {name} yet; the first one is under way (allowed: {} from start)",
                    human(Self::GRACE)
                ),
            ),
            None => {
                let mut message = format!("no signed backup on {name}");
                if let Some(at) = recorded {
                    message.push_str(&format!(
                        ", although the records say one was completed there {} ago (deleted or replaced?)",
                        human(now - at)
                    ));
                }
                if !refused.is_empty() {
                    message.push_str(&format!("; refused: {refused}"));
                }
                Finding::problem(key, message)
            }
            Some((id, at)) => {
                let age = now - *at;
                let mut message = format!(
                    "newest signed backup on {name}: {id}, made {} ago (allowed: {})",
                    human(age),
                    human(self.allowed)
                );
                if !refused.is_empty() {
                    message.push_str(&format!("; newer ones are refused: {refused}"));
                }
                if age <= self.allowed && refused.is_empty() {
                    Finding::ok(key, message)
                } else {
                    Finding::problem(key, message)
                }
            }
        }
    }
}

impl BackupCheck {
    /// Whether the installation's first backup may still be under way: no run has finished
    /// yet and the watchdog started less than [`BackupCheck::GRACE`] ago. A new installation
    /// then does not alert moments before its first backup completes.
    async fn first_backup_pending(&self, now: DateTime<Utc>) -> bool {
        if now - self.since >= Self::GRACE {
            return false;
        }
        self.records.recent(5).await.is_ok_and(|runs| {
            runs.iter()
                .all(|r| r.result == super::records::RunResult::Running)
        })
    }
}

impl Check for BackupCheck {
    fn name(&self) -> &str {
        "backups"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(self.look())
    }
}

fn human(d: chrono::Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
