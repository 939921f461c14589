//! The watchdog: runs every check at an interval and alerts on a change of a finding's state —
//! once when a problem starts ("firing"), once when it ends ("resolved"), optionally a reminder
//! while it lasts. With several instances only the one holding the alert lock sends.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{AnyPool, Row};

use super::alert::{Alert, AlertStatus, Notifier, now_rfc3339};
use super::{Check, Finding, run_all};

/// How the watchdog runs.
#[derive(Debug, Clone)]
pub struct WatchdogConfig {
    /// Between two runs of all checks.
    pub interval: Duration,
    /// One check may take at most this long.
    pub check_timeout: Duration,
    /// Remind about a problem that is still there after this long (`None`: never).
    pub repeat: Option<Duration>,
    /// This instance's name in alerts (the host name by default).
    pub instance: String,
}

impl Default for WatchdogConfig {
    fn default() -> Self {
        WatchdogConfig {
            interval: Duration::from_secs(60),
            check_timeout: Duration::from_secs(20),
            repeat: None,
            instance: host_name(),
        }
    }
}

/// The machine's host name, or "kontor".
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kontor".into())
}

/// Which instance sends alerts when several watch the same installation.
pub struct Leadership {
    kind: LeaderKind,
    leading: bool,
}

enum LeaderKind {
    /// This instance always alerts (one instance, or tests).
    Alone,
    /// An exclusive lock on a file next to the SQLite database; the OS releases it when the
    /// process ends.
    File {
        path: PathBuf,
        held: Option<std::fs::File>,
    },
    /// A PostgreSQL session advisory lock, held on a connection of its own; the server releases
    /// it when that connection ends.
    Postgres {
        pool: AnyPool,
        name: String,
        held: Option<sqlx::AnyConnection>,
        /// The database refused the lock for lack of privilege (reported once).
        refused: bool,
    },
}

/// The advisory lock space of Kontor's watchdog (the second key is the installation's hash).
const LOCK_SPACE: i32 = 727_275;

impl Leadership {
    pub fn alone() -> Leadership {
        Leadership {
            kind: LeaderKind::Alone,
            leading: true,
        }
    }

    /// Lock file `path` (e.g. `DATA_DIR/watchdog.lock`).
    pub fn file(path: PathBuf) -> Leadership {
        Leadership {
            kind: LeaderKind::File { path, held: None },
            leading: false,
        }
    }

    /// Advisory lock named `name` (installation or schema) in the database of `pool`.
    pub fn postgres(pool: AnyPool, name: impl Into<String>) -> Leadership {
        Leadership {
            kind: LeaderKind::Postgres {
                pool,
                name: name.into(),
                held: None,
                refused: false,
            },
            leading: false,
        }
    }

    /// Whether this instance should send alerts now. An instance that led when the database
    /// became unreachable keeps leading until it answers again: someone must report the outage.
    pub async fn is_leader(&mut self) -> bool {
        let leading = self.leading;
        self.leading = match &mut self.kind {
            LeaderKind::Alone => true,
            LeaderKind::File { path, held } => {
                if held.is_none() {
                    *held = try_lock_file(path);
                }
                held.is_some()
            }
            LeaderKind::Postgres {
                pool,
                name,
                held,
                refused,
            } => {
                if let Some(conn) = held.as_mut() {
                    match sqlx::query("SELECT 1 AS one").fetch_one(&mut *conn).await {
                        Ok(_) => return true,
                        Err(e) => {
                            // The server restarts or is gone: keep reporting; take the lock
                            // again once it answers.
                            tracing::warn!(error = %e, "watchdog lost its lock connection");
                            *held = None;
                            return leading;
                        }
                    }
                }
                match try_lock_postgres(pool, name).await {
                    Ok(Some(conn)) => {
                        *held = Some(conn);
                        true
                    }
                    Ok(None) => false,
                    // The role may not take advisory locks (in cloud mode they are revoked from
                    // every role but Kontor's; see docs/cloud.md): better every instance alerts
                    // than none.
                    Err(e)
                        if e.as_database_error().and_then(|d| d.code()).as_deref()
                            == Some("42501") =>
                    {
                        if !*refused {
                            tracing::error!(error = %e, "the watchdog may not take its lock; every instance sends alerts");
                            *refused = true;
                        }
                        true
                    }
                    Err(_) => leading,
                }
            }
        };
        if self.leading != leading {
            tracing::info!(leading = self.leading, "watchdog alert leadership changed");
        }
        self.leading
    }
}

fn try_lock_file(path: &PathBuf) -> Option<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "cannot open the watchdog lock file"))
        .ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(_) => None,
    }
}

/// `Ok(Some)`: the lock is ours on this connection; `Ok(None)`: another instance has it;
/// `Err`: the database cannot be reached.
async fn try_lock_postgres(
    pool: &AnyPool,
    name: &str,
) -> Result<Option<sqlx::AnyConnection>, sqlx::Error> {
    let mut conn = tokio::time::timeout(Duration::from_secs(2), pool.acquire())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??
        .detach();
    let got: i64 = sqlx::query(
        "SELECT CAST(CASE WHEN pg_try_advisory_lock($1, hashtext($2)) THEN 1 ELSE 0 END AS BIGINT) AS got",
    )
    .bind(LOCK_SPACE)
    .bind(name)
    .fetch_one(&mut conn)
    .await?
    .try_get("got")?;
    Ok((got == 1).then_some(conn))
}

/// What the watchdog knows about one finding key.
struct KeyState {
    ok: bool,
    message: String,
    since: String,
    /// Per notifier: the state last delivered and when (`None`: nothing delivered yet).
    delivered: Vec<Option<(bool, Instant)>>,
}

/// What one run did (for tests and logs).
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub findings: Vec<Finding>,
    pub leader: bool,
    /// Alerts delivered, per notifier description.
    pub sent: Vec<(String, Vec<Alert>)>,
    pub failed: Vec<(String, String)>,
}

/// Runs checks and sends alerts (see the module documentation).
pub struct Watchdog {
    config: WatchdogConfig,
    checks: Vec<Arc<dyn Check>>,
    notifiers: Vec<Arc<dyn Notifier>>,
    leadership: Leadership,
    state: HashMap<String, KeyState>,
}

impl Watchdog {
    pub fn new(config: WatchdogConfig) -> Watchdog {
        Watchdog {
            config,
            checks: Vec::new(),
            notifiers: Vec::new(),
            leadership: Leadership::alone(),
            state: HashMap::new(),
        }
    }

    /// Adds a check: `watchdog.add_check(BackupCheck::new(..))`.
    pub fn add_check(&mut self, check: impl Check + 'static) -> &mut Watchdog {
        self.checks.push(Arc::new(check));
        self
    }

    /// Adds an already shared check (also used by `kontor check`).
    pub fn add_shared_check(&mut self, check: Arc<dyn Check>) -> &mut Watchdog {
        self.checks.push(check);
        self
    }

    pub fn add_notifier(&mut self, notifier: impl Notifier + 'static) -> &mut Watchdog {
        self.notifiers.push(Arc::new(notifier));
        self
    }

    pub fn set_leadership(&mut self, leadership: Leadership) -> &mut Watchdog {
        self.leadership = leadership;
        self
    }

    pub fn checks(&self) -> &[Arc<dyn Check>] {
        &self.checks
    }

    pub fn notifiers(&self) -> Vec<String> {
        self.notifiers.iter().map(|n| n.describe()).collect()
    }

    /// Runs every check once and sends the alerts due.
    pub async fn run_once(&mut self) -> RunReport {
        let findings = run_all(&self.checks, self.config.check_timeout).await;
        let now = now_rfc3339();
        let notifiers = self.notifiers.len();
        for f in &findings {
            metrics::gauge!("kontor_check_ok", "key" => f.key.clone()).set(if f.ok {
                1.0
            } else {
                0.0
            });
            match self.state.get_mut(&f.key) {
                None => {
                    if !f.ok {
                        tracing::warn!(key = %f.key, message = %f.message, "problem");
                    }
                    // A key first seen healthy needs no "resolved" message.
                    let delivered = if f.ok {
                        vec![Some((true, Instant::now())); notifiers]
                    } else {
                        vec![None; notifiers]
                    };
                    self.state.insert(
                        f.key.clone(),
                        KeyState {
                            ok: f.ok,
                            message: f.message.clone(),
                            since: now.clone(),
                            delivered,
                        },
                    );
                }
                Some(s) => {
                    if s.ok != f.ok {
                        if f.ok {
                            tracing::info!(key = %f.key, message = %f.message, "resolved");
                        } else {
                            tracing::warn!(key = %f.key, message = %f.message, "problem");
                        }
                        s.ok = f.ok;
                        s.since = now.clone();
                    }
                    s.message = f.message.clone();
                }
            }
        }
        let leader = self.leadership.is_leader().await;
        let mut report = RunReport {
            findings,
            leader,
            ..Default::default()
        };
        for (index, notifier) in self.notifiers.iter().enumerate() {
            let mut due: Vec<Alert> = Vec::new();
            for (key, s) in &self.state {
                let reminder = match s.delivered[index] {
                    Some((ok, _)) if ok != s.ok => false,
                    None => false,
                    Some((_, at)) => match self.config.repeat {
                        Some(every) if !s.ok && at.elapsed() >= every => true,
                        _ => continue,
                    },
                };
                due.push(Alert {
                    status: if s.ok {
                        AlertStatus::Resolved
                    } else {
                        AlertStatus::Firing
                    },
                    key: key.clone(),
                    message: s.message.clone(),
                    since: s.since.clone(),
                    reminder,
                });
            }
            if due.is_empty() {
                continue;
            }
            due.sort_by(|a, b| a.key.cmp(&b.key));
            let delivered = if !leader {
                // Another instance reports these; remember them as reported so that a later
                // change (or taking over the lock) sends only what is new.
                true
            } else {
                match notifier.send(&self.config.instance, &due).await {
                    Ok(()) => {
                        tracing::info!(to = %notifier.describe(), alerts = due.len(), "alert sent");
                        report.sent.push((notifier.describe(), due.clone()));
                        metrics::counter!("kontor_alerts_sent_total", "result" => "ok")
                            .increment(1);
                        true
                    }
                    Err(e) => {
                        tracing::warn!(to = %notifier.describe(), error = %e, "alert not delivered; retrying at the next run");
                        report.failed.push((notifier.describe(), e.to_string()));
                        metrics::counter!("kontor_alerts_sent_total", "result" => "failed")
                            .increment(1);
                        false
                    }
                }
            };
            if delivered {
                for alert in &due {
                    if let Some(s) = self.state.get_mut(&alert.key) {
                        s.delivered[index] = Some((s.ok, Instant::now()));
                    }
                }
            }
        }
        report
    }

    /// Runs until the task is dropped or aborted, every `interval`.
    pub fn spawn(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(self.config.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                self.run_once().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::BoxFuture;
    use crate::monitor::alert::AlertError;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    struct Toggle(Arc<AtomicBool>);
    impl Check for Toggle {
        fn name(&self) -> &str {
            "toggle"
        }
        fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
            let ok = self.0.load(Ordering::SeqCst);
            Box::pin(async move {
                vec![if ok {
                    Finding::ok("toggle", "fine")
                } else {
                    Finding::problem("toggle", "broken")
                }]
            })
        }
    }

    #[derive(Clone, Default)]
    struct Recorder {
        sent: Arc<Mutex<Vec<Alert>>>,
        fail: Arc<AtomicBool>,
    }
    impl Notifier for Recorder {
        fn describe(&self) -> String {
            "recorder".into()
        }
        fn send<'a>(
            &'a self,
            _: &'a str,
            alerts: &'a [Alert],
        ) -> BoxFuture<'a, Result<(), AlertError>> {
            Box::pin(async move {
                if self.fail.load(Ordering::SeqCst) {
                    return Err(AlertError::Webhook("down".into()));
                }
                self.sent.lock().unwrap().extend_from_slice(alerts);
                Ok(())
            })
        }
    }

    fn statuses(r: &Recorder) -> Vec<(AlertStatus, bool)> {
        r.sent
            .lock()
            .unwrap()
            .iter()
            .map(|a| (a.status, a.reminder))
            .collect()
    }

    #[tokio::test]
    async fn fires_once_resolves_once_and_retries_failed_deliveries() {
        let healthy = Arc::new(AtomicBool::new(true));
        let recorder = Recorder::default();
        let mut w = Watchdog::new(WatchdogConfig::default());
        w.add_check(Toggle(healthy.clone()))
            .add_notifier(recorder.clone());
        w.run_once().await;
        assert!(
            statuses(&recorder).is_empty(),
            "healthy at start: nothing to say"
        );
        healthy.store(false, Ordering::SeqCst);
        w.run_once().await;
        w.run_once().await;
        assert_eq!(
            statuses(&recorder),
            [(AlertStatus::Firing, false)],
            "deduplicated"
        );
        healthy.store(true, Ordering::SeqCst);
        recorder.fail.store(true, Ordering::SeqCst);
        let report = w.run_once().await;
        assert_eq!(report.failed.len(), 1);
        recorder.fail.store(false, Ordering::SeqCst);
        w.run_once().await;
        w.run_once().await;
        assert_eq!(
            statuses(&recorder),
            [(AlertStatus::Firing, false), (AlertStatus::Resolved, false)]
        );
    }

    #[tokio::test]
    async fn reminds_while_a_problem_lasts_and_followers_stay_silent() {
        let healthy = Arc::new(AtomicBool::new(false));
        let recorder = Recorder::default();
        let mut w = Watchdog::new(WatchdogConfig {
            repeat: Some(Duration::from_millis(50)),
            ..Default::default()
        });
        w.add_check(Toggle(healthy.clone()))
            .add_notifier(recorder.clone());
        w.run_once().await;
        w.run_once().await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        w.run_once().await;
        assert_eq!(
            statuses(&recorder),
            [(AlertStatus::Firing, false), (AlertStatus::Firing, true)]
        );

        // Two instances on one lock file: only the first sends.
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("watchdog.lock");
        let (first, second) = (Recorder::default(), Recorder::default());
        let mut a = Watchdog::new(WatchdogConfig::default());
        a.add_check(Toggle(healthy.clone()))
            .add_notifier(first.clone())
            .set_leadership(Leadership::file(lock.clone()));
        let mut b = Watchdog::new(WatchdogConfig::default());
        b.add_check(Toggle(healthy.clone()))
            .add_notifier(second.clone())
            .set_leadership(Leadership::file(lock));
        assert!(a.run_once().await.leader);
        assert!(!b.run_once().await.leader);
        assert_eq!(statuses(&first).len(), 1);
        assert!(statuses(&second).is_empty());
        // The leader ends; the follower takes over and does not repeat what was reported.
        drop(a);
        assert!(b.run_once().await.leader);
        assert!(statuses(&second).is_empty());
        healthy.store(true, Ordering::SeqCst);
        b.run_once().await;
        assert_eq!(statuses(&second), [(AlertStatus::Resolved, false)]);
    }
}
