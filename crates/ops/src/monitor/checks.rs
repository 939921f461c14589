//! The built-in checks: database, replication (PostgreSQL), disk space, TLS certificate expiry
//! and the share of server errors. Each also sets the gauges `/metrics` shows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kontor_storage::blobstore::BlobStore;
use kontor_storage::tenants::Directory;
use kontor_storage::{Backend, Store, StoreError};
use sqlx::{AnyPool, Row};

use super::disk::DiskThreshold;
use super::{BoxFuture, Check, Finding};

/// The database a watchdog looks at: one business's store, or cloud mode's control schema.
#[derive(Clone)]
pub enum Database {
    Store(Store),
    Cloud(Directory),
}

impl Database {
    pub fn pool(&self) -> &AnyPool {
        match self {
            Database::Store(s) => s.pool(),
            Database::Cloud(d) => d.pool(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Store(s) => s.backend(),
            Database::Cloud(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers and its schema is current.
    pub async fn ready(&self) -> Result<bool, StoreError> {
        match self {
            Database::Store(s) => s.ready().await,
            Database::Cloud(d) => d.ready().await,
        }
    }
}

/// Whether an error means the server could not be reached or is going away (rather than a
/// query failing): I/O, pool and protocol errors, and SQLSTATE classes 08 (connection
/// exception) and 57 (operator intervention, e.g. a shutdown).
fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57")),
        _ => false,
    }
}

/// Database reachable (answers within 3 s) and its migrations current. Key `database`.
pub struct DatabaseCheck {
    database: Database,
    timeout: Duration,
}

impl DatabaseCheck {
    pub fn new(database: Database) -> DatabaseCheck {
        DatabaseCheck {
            database,
            timeout: Duration::from_secs(3),
        }
    }
}

impl Check for DatabaseCheck {
    fn name(&self) -> &str {
        "database"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let finding = match tokio::time::timeout(self.timeout, self.database.ready()).await {
                Ok(Ok(true)) => Finding::ok("database", "database reachable, schema current"),
                Ok(Ok(false)) => Finding::problem(
                    "database",
                    "database schema is not current (run `kontor migrate` or `kontor tenant migrate`)",
                ),
                Ok(Err(e)) => Finding::problem("database", format!("database unreachable: {e}")),
                Err(_) => Finding::problem(
                    "database",
                    format!(
                        "database did not answer within {} s",
                        self.timeout.as_secs()
                    ),
                ),
            };
            metrics::gauge!("kontor_database_up").set(if finding.ok { 1.0 } else { 0.0 });
            vec![finding]
        })
    }
}

/// The blob store (S3 bucket) that holds files: a probe object written, read back and
/// deleted within the timeout. Key `blob_store`. The last result is also what `/readyz`
/// reports (see [`BlobStoreCheck::readiness`]): an instance that cannot reach its files is
/// not ready.
pub struct BlobStoreCheck {
    store: BlobStore,
    timeout: Duration,
    last_problem: Arc<Mutex<Option<String>>>,
}

impl BlobStoreCheck {
    pub fn new(store: BlobStore) -> BlobStoreCheck {
        BlobStoreCheck {
            store,
            timeout: Duration::from_secs(10),
            last_problem: Arc::new(Mutex::new(None)),
        }
    }

    /// The problem the last probe found, if any (`None` also before the first probe).
    pub fn readiness(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let last = self.last_problem.clone();
        move || last.lock().ok().and_then(|g| g.clone())
    }
}

impl Check for BlobStoreCheck {
    fn name(&self) -> &str {
        "blob_store"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let name = self.store.name();
            let finding = match tokio::time::timeout(self.timeout, self.store.probe()).await {
                Ok(Ok(())) => Finding::ok(
                    "blob_store",
                    format!("file store {name} reachable (probe written, read back, deleted)"),
                ),
                Ok(Err(e)) => {
                    Finding::problem("blob_store", format!("file store unreachable: {e}"))
                }
                Err(_) => Finding::problem(
                    "blob_store",
                    format!(
                        "file store {name} did not answer within {} s",
                        self.timeout.as_secs()
                    ),
                ),
            };
            if let Ok(mut last) = self.last_problem.lock() {
                *last = (!finding.ok).then(|| finding.message.clone());
            }
            metrics::gauge!("kontor_blob_store_up").set(if finding.ok { 1.0 } else { 0.0 });
            vec![finding]
        })
    }
}

/// PostgreSQL streaming replication: on a primary, at least `expect_standbys` standbys
/// streaming and none further behind than `max_lag`; on a standby, its own replay delay.
/// Keys `replication_standbys` and `replication_lag`. Reading another session's replication
/// details needs the role to have `pg_monitor` (or be a superuser).
pub struct ReplicationCheck {
    pool: AnyPool,
    pub expect_standbys: u32,
    pub max_lag: Duration,
}

/// What the database says about replication.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplicationState {
    Primary {
        standbys: i64,
        synchronous: i64,
        /// Standbys whose details this role may not see.
        hidden: i64,
        lag_seconds: f64,
        lag_bytes: i64,
    },
    Standby {
        lag_seconds: f64,
    },
}

impl ReplicationCheck {
    pub fn new(pool: AnyPool, expect_standbys: u32, max_lag: Duration) -> ReplicationCheck {
        ReplicationCheck {
            pool,
            expect_standbys,
            max_lag,
        }
    }

    /// Asks the server once.
    pub async fn state(pool: &AnyPool) -> Result<ReplicationState, sqlx::Error> {
        let standby: i64 = sqlx::query(
            "SELECT CAST(CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS BIGINT) AS s",
        )
        .fetch_one(pool)
        .await?
        .try_get("s")?;
        if standby == 1 {
            // Caught up (everything received is replayed) counts as no delay; otherwise the age
            // of the last replayed transaction.
            let row = sqlx::query(
                "SELECT CAST(CASE \
                   WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
                   ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) \
                 END AS DOUBLE PRECISION) AS lag",
            )
            .fetch_one(pool)
            .await?;
            return Ok(ReplicationState::Standby {
                lag_seconds: row.try_get("lag")?,
            });
        }
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) FILTER (WHERE state = 'streaming') AS BIGINT) AS standbys, \
                    CAST(COUNT(*) FILTER (WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum')) AS BIGINT) AS sync, \
                    CAST(COUNT(*) FILTER (WHERE state IS NULL) AS BIGINT) AS hidden, \
                    CAST(COALESCE(MAX(EXTRACT(EPOCH FROM replay_lag)), 0) AS DOUBLE PRECISION) AS lag, \
                    CAST(COALESCE(MAX(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) AS BIGINT) AS lag_bytes \
             FROM pg_stat_replication",
        )
        .fetch_one(pool)
        .await?;
        Ok(ReplicationState::Primary {
            standbys: row.try_get("standbys")?,
            synchronous: row.try_get("sync")?,
            hidden: row.try_get("hidden")?,
            lag_seconds: row.try_get("lag")?,
            lag_bytes: row.try_get("lag_bytes")?,
        })
    }

    /// Judges a state against the thresholds.
    pub fn judge(&self, state: &ReplicationState) -> Vec<Finding> {
        let max = self.max_lag.as_secs_f64();
        match state {
            ReplicationState::Standby { lag_seconds } => {
                let message =
                    format!("standby replays {lag_seconds:.1} s behind (allowed {max:.0} s)");
                vec![if *lag_seconds <= max {
                    Finding::ok("replication_lag", message)
                } else {
                    Finding::problem("replication_lag", message)
                }]
            }
            ReplicationState::Primary {
                standbys,
                synchronous,
                hidden,
                lag_seconds,
                lag_bytes,
            } => {
                let mut findings = Vec::new();
                if self.expect_standbys > 0 {
                    let message = format!(
                        "{standbys} standby(s) streaming ({synchronous} synchronous), expected at least {}",
                        self.expect_standbys
                    );
                    findings.push(if *hidden > 0 {
                        Finding::problem(
                            "replication_standbys",
                            format!(
                                "{hidden} standby(s) connected but their state is hidden from this role: grant it pg_monitor"
                            ),
                        )
                    } else if *standbys >= i64::from(self.expect_standbys) {
                        Finding::ok("replication_standbys", message)
                    } else {
                        Finding::problem("replication_standbys", message)
                    });
                }
                let message = format!(
                    "standbys at most {lag_seconds:.1} s / {lag_bytes} bytes behind (allowed {max:.0} s)"
                );
                findings.push(if *lag_seconds <= max {
                    Finding::ok("replication_lag", message)
                } else {
                    Finding::problem("replication_lag", message)
                });
                findings
            }
        }
    }
}

fn record_replication(state: &ReplicationState) {
    match state {
        ReplicationState::Standby { lag_seconds } => {
            metrics::gauge!("kontor_replication_lag_seconds").set(*lag_seconds);
            metrics::gauge!("kontor_replication_is_standby").set(1.0);
        }
        ReplicationState::Primary {
            standbys,
            synchronous,
            lag_seconds,
            lag_bytes,
            ..
        } => {
            metrics::gauge!("kontor_replication_is_standby").set(0.0);
            metrics::gauge!("kontor_replication_lag_seconds").set(*lag_seconds);
            metrics::gauge!("kontor_replication_lag_bytes").set(*lag_bytes as f64);
            metrics::gauge!("kontor_replication_standbys").set(*standbys as f64);
            metrics::gauge!("kontor_replication_synchronous_standbys").set(*synchronous as f64);
        }
    }
}

impl Check for ReplicationCheck {
    fn name(&self) -> &str {
        "replication"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let asked =
                tokio::time::timeout(Duration::from_secs(3), ReplicationCheck::state(&self.pool))
                    .await
                    .unwrap_or(Err(sqlx::Error::PoolTimedOut));
            match asked {
                Ok(state) => {
                    record_replication(&state);
                    self.judge(&state)
                }
                // An unreachable database is the database check's finding; replication keeps
                // its last state until the server answers again.
                Err(e) if unreachable(&e) => Vec::new(),
                Err(e) => vec![Finding::problem(
                    "replication_lag",
                    format!("cannot read the replication state: {e}"),
                )],
            }
        })
    }
}

/// Free space of the given folders' file systems. Keys `disk:PATH`.
pub struct DiskCheck {
    paths: Vec<PathBuf>,
    threshold: DiskThreshold,
}

impl DiskCheck {
    pub fn new(paths: Vec<PathBuf>, threshold: DiskThreshold) -> DiskCheck {
        DiskCheck { paths, threshold }
    }
}

impl Check for DiskCheck {
    fn name(&self) -> &str {
        "disk"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let mut findings = Vec::new();
            for path in &self.paths {
                let key = format!("disk:{}", path.display());
                let (p, t) = (path.clone(), self.threshold);
                let result = tokio::task::spawn_blocking(move || t.check(&p))
                    .await
                    .unwrap_or_else(|e| Err(format!("disk check failed: {e}")));
                findings.push(match result {
                    Ok(usage) => Finding::ok(
                        key,
                        format!(
                            "{}: {} free ({:.1} %)",
                            path.display(),
                            super::disk::human_bytes(usage.free_bytes),
                            usage.free_percent()
                        ),
                    ),
                    Err(why) => Finding::problem(key, why),
                });
            }
            findings
        })
    }
}

/// Days until the TLS certificate (first in the PEM chain file) expires. Key `tls_certificate`.
pub struct CertificateCheck {
    path: PathBuf,
    pub warn_days: f64,
}

impl CertificateCheck {
    pub fn new(path: PathBuf, warn_days: f64) -> CertificateCheck {
        CertificateCheck { path, warn_days }
    }
}

/// The `notAfter` of the first certificate in a PEM file, as Unix seconds.
pub fn certificate_not_after(pem: &[u8]) -> Result<i64, String> {
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(pem).map_err(|e| format!("no PEM certificate: {e}"))?;
    let cert = pem
        .parse_x509()
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    Ok(cert.validity().not_after.timestamp())
}

impl Check for CertificateCheck {
    fn name(&self) -> &str {
        "tls_certificate"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let key = "tls_certificate";
            let pem = match tokio::fs::read(&self.path).await {
                Ok(pem) => pem,
                Err(e) => {
                    return vec![Finding::problem(
                        key,
                        format!("cannot read {}: {e}", self.path.display()),
                    )];
                }
            };
            let not_after = match certificate_not_after(&pem) {
                Ok(t) => t,
                Err(e) => {
                    return vec![Finding::problem(
                        key,
                        format!("{}: {e}", self.path.display()),
                    )];
                }
            };
            let days = (not_after - chrono::Utc::now().timestamp()) as f64 / 86_400.0;
            metrics::gauge!("kontor_tls_certificate_expiry_timestamp_seconds")
                .set(not_after as f64);
            metrics::gauge!("kontor_tls_certificate_days_left").set(days);
            let message = format!(
                "certificate {} expires in {days:.1} days (warning below {:.0})",
                self.path.display(),
                self.warn_days
            );
            vec![if days >= self.warn_days {
                Finding::ok(key, message)
            } else {
                Finding::problem(key, message)
            }]
        })
    }
}

/// Counts of requests and server errors (5xx) since start, as the HTTP layer keeps them.
pub type RequestCounts = Arc<dyn Fn() -> (u64, u64) + Send + Sync>;

/// The share of 5xx answers among the requests since the last run. Key `error_rate`.
pub struct ErrorRateCheck {
    counts: RequestCounts,
    last: Mutex<Option<(u64, u64)>>,
    /// At most this share of answers may be server errors (0.05 = 5 %).
    pub max_share: f64,
    /// Fewer requests than this in an interval say nothing.
    pub min_requests: u64,
}

impl ErrorRateCheck {
    pub fn new(counts: RequestCounts, max_share: f64, min_requests: u64) -> ErrorRateCheck {
        ErrorRateCheck {
            counts,
            last: Mutex::new(None),
            max_share,
            min_requests,
        }
    }
}

impl Check for ErrorRateCheck {
    fn name(&self) -> &str {
        "error_rate"
    }

    fn run(&self) -> BoxFuture<'_, Vec<Finding>> {
        Box::pin(async move {
            let (total, errors) = (self.counts)();
            let previous = self
                .last
                .lock()
                .map(|mut last| last.replace((total, errors)))
                .unwrap_or_default();
            let (requests, failed) = match previous {
                Some((t, e)) => (total.saturating_sub(t), errors.saturating_sub(e)),
                None => (total, errors),
            };
            let share = if requests == 0 {
                0.0
            } else {
                failed as f64 / requests as f64
            };
            let message = format!(
                "{failed} of {requests} requests failed with a server error ({:.1} %, allowed {:.1} %)",
                share * 100.0,
                self.max_share * 100.0
            );
            vec![if requests >= self.min_requests && share > self.max_share {
                Finding::problem("error_rate", message)
            } else {
                Finding::ok("error_rate", message)
            }]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[tokio::test]
    async fn error_rate_over_the_last_interval_only() {
        let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let source = counts.clone();
        let check = ErrorRateCheck::new(
            Arc::new(move || {
                (
                    source.0.load(Ordering::SeqCst),
                    source.1.load(Ordering::SeqCst),
                )
            }),
            0.1,
            10,
        );
        counts.0.store(100, Ordering::SeqCst);
        counts.1.store(5, Ordering::SeqCst);
        assert!(check.run().await[0].ok, "5 % is allowed");
        counts.0.store(120, Ordering::SeqCst);
        counts.1.store(15, Ordering::SeqCst);
        let f = &check.run().await[0];
        assert!(!f.ok && f.message.contains("10 of 20"), "{f:?}");
        counts.0.store(125, Ordering::SeqCst);
        counts.1.store(20, Ordering::SeqCst);
        assert!(check.run().await[0].ok, "too few requests to judge");
    }

    #[tokio::test]
    async fn replication_judged_against_thresholds() {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .connect_lazy("postgres://127.0.0.1:1/x")
            .unwrap();
        let check = ReplicationCheck::new(pool, 1, Duration::from_secs(30));
        let primary = |standbys, hidden, lag| ReplicationState::Primary {
            standbys,
            synchronous: standbys,
            hidden,
            lag_seconds: lag,
            lag_bytes: 0,
        };
        let f = check.judge(&primary(1, 0, 2.0));
        assert!(f.iter().all(|f| f.ok), "{f:?}");
        let f = check.judge(&primary(0, 0, 0.0));
        assert!(!f[0].ok && f[0].key == "replication_standbys", "{f:?}");
        let f = check.judge(&primary(1, 1, 0.0));
        assert!(!f[0].ok && f[0].message.contains("pg_monitor"), "{f:?}");
        let f = check.judge(&primary(1, 0, 45.0));
        assert!(!f[1].ok && f[1].key == "replication_lag", "{f:?}");
        let f = check.judge(&ReplicationState::Standby { lag_seconds: 31.0 });
        assert!(!f[0].ok, "{f:?}");
    }
}
