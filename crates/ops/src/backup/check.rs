//! The backup part of the watchdog: is the last complete backup on every target young
//! enough, and can every target be written to?

use chrono::{DateTime, Utc};

use super::records::Records;
use super::target::TargetSpec;
use crate::monitor::{BoxFuture, Check, Finding};

/// Findings (one pair per target):
/// - `backup_age:TARGET`: the last complete backup there is younger than `every + grace`;
/// - `backup_target:TARGET`: a probe object can be written, read back and deleted.
pub struct BackupCheck {
    records: Records,
    targets: Vec<TargetSpec>,
    allowed: chrono::Duration,
    clock: fn() -> DateTime<Utc>,
    /// When the watchdog started looking: the first backup gets [`BackupCheck::GRACE`] from
    /// here before its absence is a problem.
    since: DateTime<Utc>,
}

impl BackupCheck {
    /// Grace on top of the schedule before a backup counts as late.
    pub const GRACE: chrono::Duration = chrono::Duration::minutes(30);

    /// `records`: where runs are recorded (`Source::records()`); `every`: the schedule.
    pub fn new(records: Records, targets: Vec<TargetSpec>, every: chrono::Duration) -> BackupCheck {
        BackupCheck {
            records,
            targets,
            allowed: every + Self::GRACE,
            clock: Utc::now,
            since: Utc::now(),
        }
    }

    /// Another clock (tests).
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> BackupCheck {
        self.clock = clock;
        self
    }

    async fn look(&self) -> Vec<Finding> {
        let now = (self.clock)();
        let mut findings = Vec::new();
        let last = self.records.last_success_per_target().await;
        let first_pending = self.first_backup_pending(now).await;
        for spec in &self.targets {
            let name = spec.name();
            let key = format!("backup_age:{name}");
            match &last {
                Err(e) => findings.push(Finding::problem(
                    key,
                    format!("cannot read the backup records: {e}"),
                )),
                Ok(last) => match last.get(&name) {
                    None if first_pending => findings.push(Finding::ok(
                        key,
                        format!(
                            "no complete backup on {name} yet; the first one is under way (allowed: {} from start)",
                            human(Self::GRACE)
                        ),
                    )),
                    None => findings.push(Finding::problem(
                        key,
                        format!("no complete backup on {name} yet"),
                    )),
                    Some(at) => {
                        let age = now - *at;
                        let message = format!(
                            "last complete backup on {name} {} ago (allowed: {})",
                            human(age),
                            human(self.allowed)
                        );
                        findings.push(if age <= self.allowed {
                            Finding::ok(key, message)
                        } else {
                            Finding::problem(key, message)
                        });
                    }
                },
            }
            let key = format!("backup_target:{name}");
            let written = last.as_ref().ok().and_then(|l| l.get(&name)).copied();
            if let Err(e) = spec.check_mounted(written) {
                // No probe: it would create the folder on the disk underneath.
                findings.push(Finding::problem(key, e.to_string()));
                continue;
            }
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
        findings
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
