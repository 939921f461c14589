//! Monitoring settings shared by `kontor serve` and `kontor check`: which checks run (also of
//! backups and the blob store), where alerts go, who may read `/metrics`, and when `/readyz`
//! says "not ready".

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use kontor_ops::backup::{self, BackupConfig};
use kontor_ops::monitor::checks::{
    BlobStoreCheck, CertificateCheck, Database, DatabaseCheck, DiskCheck, ErrorRateCheck,
    ReplicationCheck, RequestCounts,
};
use kontor_ops::monitor::disk::DiskThreshold;
use kontor_ops::monitor::{
    Check, Finding, Leadership, SmtpNotifier, Watchdog, WatchdogConfig, WebhookNotifier,
};
use kontor_server::TrustedProxy;
use kontor_server::monitoring::{MetricsAccess, Monitoring, ReadinessProbe};
use kontor_storage::Backend;
use kontor_storage::blobstore::BlobStore;

/// Watchdog, alert and `/metrics` options.
#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    /// Seconds between two runs of the watchdog's checks.
    #[arg(long, env = "KONTOR_CHECK_INTERVAL", default_value_t = 60)]
    pub check_interval: u64,
    /// Send alerts by e-mail to these addresses (comma-separated); needs --smtp-url.
    #[arg(
        long,
        env = "KONTOR_ALERT_EMAIL",
        value_delimiter = ',',
        requires = "smtp_url"
    )]
    pub alert_email: Vec<String>,
    /// Sender of alert e-mails.
    #[arg(long, env = "KONTOR_ALERT_FROM")]
    pub alert_from: Option<String>,
    /// SMTP server for alerts: smtp://HOST:25 (plain, e.g. a local relay),
    /// smtp://USER:PASS@HOST:587?tls=required (STARTTLS), smtps://USER:PASS@HOST:465.
    #[arg(long, env = "KONTOR_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// POST alerts as JSON to this URL (see docs/monitoring.md for the body).
    #[arg(long, env = "KONTOR_ALERT_WEBHOOK", hide_env_values = true)]
    pub alert_webhook: Option<String>,
    /// File with a shared secret: webhook calls then carry X-Kontor-Signature (HMAC-SHA256 of
    /// the body). KONTOR_ALERT_WEBHOOK_SECRET may hold the secret itself.
    #[arg(long, env = "KONTOR_ALERT_WEBHOOK_SECRET_FILE")]
    pub alert_webhook_secret_file: Option<PathBuf>,
    /// Remind about a problem that lasts this many hours (0: only when it starts and ends).
    #[arg(long, env = "KONTOR_ALERT_REPEAT_HOURS", default_value_t = 0)]
    pub alert_repeat_hours: u64,
    /// This instance's name in alerts (default: the host name).
    #[arg(long, env = "KONTOR_INSTANCE_NAME")]
    pub instance_name: Option<String>,
    /// A disk counts as full below this share of free space (percent) ...
    #[arg(long, env = "KONTOR_DISK_MIN_FREE_PERCENT", default_value_t = 5.0)]
    pub disk_min_free_percent: f64,
    /// ... or below this many MiB free. /readyz fails and the watchdog alerts.
    #[arg(long, env = "KONTOR_DISK_MIN_FREE_MB", default_value_t = 512)]
    pub disk_min_free_mb: u64,
    /// More folders whose disk space to watch (comma-separated), e.g. a backup disk.
    #[arg(long, env = "KONTOR_DISK_WATCH", value_delimiter = ',')]
    pub disk_watch: Vec<PathBuf>,
    /// PostgreSQL: alert when a standby is further behind than this many seconds.
    #[arg(long, env = "KONTOR_MAX_REPLICATION_LAG", default_value_t = 30)]
    pub max_replication_lag: u64,
    /// PostgreSQL: alert when fewer standbys than this are streaming (0: do not check).
    #[arg(long, env = "KONTOR_EXPECT_STANDBYS", default_value_t = 0)]
    pub expect_standbys: u32,
    /// Alert when the TLS certificate expires in fewer days than this.
    #[arg(long, env = "KONTOR_CERT_WARN_DAYS", default_value_t = 14)]
    pub cert_warn_days: u32,
    /// Alert when more than this percentage of requests in a check interval fail with 5xx.
    #[arg(long, env = "KONTOR_MAX_ERROR_PERCENT", default_value_t = 5.0)]
    pub max_error_percent: f64,
    /// Who may read /metrics without a token: addresses or networks (comma-separated),
    /// connecting directly (not through a trusted proxy). Default: loopback only.
    #[arg(long, env = "KONTOR_METRICS_ALLOW", value_delimiter = ',')]
    pub metrics_allow: Vec<TrustedProxy>,
    /// File with a bearer token (at least 32 characters) that also opens /metrics, from
    /// anywhere: `Authorization: Bearer TOKEN`.
    #[arg(long, env = "KONTOR_METRICS_TOKEN_FILE")]
    pub metrics_token_file: Option<PathBuf>,
}

impl MonitorArgs {
    pub fn disk_threshold(&self) -> Result<DiskThreshold> {
        if !(0.0..=100.0).contains(&self.disk_min_free_percent) {
            bail!("--disk-min-free-percent must be between 0 and 100");
        }
        Ok(DiskThreshold {
            min_free_percent: self.disk_min_free_percent,
            min_free_bytes: self.disk_min_free_mb.saturating_mul(1024 * 1024),
        })
    }

    /// The folders whose disk space counts: the data folder (when it exists) and --disk-watch.
    fn disk_paths(&self, data_dir: Option<&Path>) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = data_dir
            .filter(|d| d.is_dir())
            .map(Path::to_path_buf)
            .into_iter()
            .collect();
        paths.extend(self.disk_watch.iter().cloned());
        paths
    }

    /// `/metrics` access and the extra `/readyz` conditions.
    pub fn monitoring(
        &self,
        data_dir: Option<&Path>,
        trusted_proxies: &[TrustedProxy],
    ) -> Result<Monitoring> {
        let mut metrics = MetricsAccess {
            trusted_proxies: trusted_proxies.to_vec(),
            ..MetricsAccess::default()
        };
        if !self.metrics_allow.is_empty() {
            metrics.allow = self.metrics_allow.clone();
        }
        if let Some(path) = &self.metrics_token_file {
            let token = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the metrics token from {}", path.display())
            })?;
            let token = token.trim();
            if token.len() < 32 {
                bail!(
                    "{}: the metrics token must be at least 32 characters",
                    path.display()
                );
            }
            metrics.token = Some(Arc::from(token));
        }
        let threshold = self.disk_threshold()?;
        let readiness: Vec<ReadinessProbe> = self
            .disk_paths(data_dir)
            .into_iter()
            .map(|path| {
                let probe: ReadinessProbe = Arc::new(move || threshold.check(&path).err());
                probe
            })
            .collect();
        Ok(Monitoring { metrics, readiness })
    }

    /// The built-in checks for this installation.
    pub fn checks(
        &self,
        database: Option<Database>,
        data_dir: Option<&Path>,
        tls_cert: Option<&Path>,
        request_counts: Option<RequestCounts>,
    ) -> Result<Vec<Arc<dyn Check>>> {
        let mut checks: Vec<Arc<dyn Check>> = Vec::new();
        if let Some(db) = database {
            if db.backend() == Backend::Postgres {
                checks.push(Arc::new(ReplicationCheck::new(
                    db.pool().clone(),
                    self.expect_standbys,
                    Duration::from_secs(self.max_replication_lag),
                )));
            }
            checks.insert(0, Arc::new(DatabaseCheck::new(db)));
        }
        let paths = self.disk_paths(data_dir);
        if !paths.is_empty() {
            checks.push(Arc::new(DiskCheck::new(paths, self.disk_threshold()?)));
        }
        if let Some(cert) = tls_cert {
            checks.push(Arc::new(CertificateCheck::new(
                cert.to_path_buf(),
                f64::from(self.cert_warn_days),
            )));
        }
        if let Some(counts) = request_counts {
            checks.push(Arc::new(ErrorRateCheck::new(
                counts,
                self.max_error_percent / 100.0,
                20,
            )));
        }
        Ok(checks)
    }

    /// The watchdog with these checks and the configured recipients.
    pub fn watchdog(
        &self,
        checks: Vec<Arc<dyn Check>>,
        leadership: Leadership,
    ) -> Result<Watchdog> {
        let instance = self
            .instance_name
            .clone()
            .unwrap_or_else(kontor_ops::monitor::watchdog::host_name);
        let mut watchdog = Watchdog::new(WatchdogConfig {
            interval: Duration::from_secs(self.check_interval.max(1)),
            repeat: (self.alert_repeat_hours > 0)
                .then(|| Duration::from_secs(self.alert_repeat_hours * 3600)),
            instance: instance.clone(),
            ..WatchdogConfig::default()
        });
        for check in checks {
            watchdog.add_shared_check(check);
        }
        watchdog.set_leadership(leadership);
        if !self.alert_email.is_empty() {
            let url = self
                .smtp_url
                .as_deref()
                .ok_or_else(|| anyhow!("--alert-email needs --smtp-url"))?;
            let from = self
                .alert_from
                .clone()
                .unwrap_or_else(|| format!("kontor@{instance}"));
            watchdog.add_notifier(SmtpNotifier::new(url, &from, &self.alert_email)?);
        }
        if let Some(url) = &self.alert_webhook {
            watchdog.add_notifier(WebhookNotifier::new(url, self.webhook_secret()?)?);
        }
        Ok(watchdog)
    }

    fn webhook_secret(&self) -> Result<Option<Vec<u8>>> {
        if let Ok(secret) = std::env::var("KONTOR_ALERT_WEBHOOK_SECRET")
            && !secret.trim().is_empty()
        {
            return Ok(Some(secret.trim().as_bytes().to_vec()));
        }
        match &self.alert_webhook_secret_file {
            Some(path) => {
                let secret = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the webhook secret from {}", path.display())
                })?;
                if secret.trim().len() < 16 {
                    bail!(
                        "{}: the webhook secret must be at least 16 characters",
                        path.display()
                    );
                }
                Ok(Some(secret.trim().as_bytes().to_vec()))
            }
            None => Ok(None),
        }
    }
}

/// The watchdog's look at backups (age of the newest signed one on every target, targets
/// writable, the scheduled verification's outcome), when backups are configured.
pub fn backup_check(
    config: Option<&BackupConfig>,
    database: Option<&Database>,
) -> Result<Option<Arc<backup::BackupCheck>>> {
    let (Some(config), Some(database)) = (config, database) else {
        return Ok(None);
    };
    let records = match database {
        Database::Store(store) => backup::Records::for_store(store),
        Database::Cloud(directory) => backup::Records::for_control(
            directory.control_pool().clone(),
            &directory.installation().control_schema(),
        )
        .map_err(|e| anyhow!("{e}"))?,
    };
    Ok(Some(Arc::new(backup::BackupCheck::new(records, config))))
}

/// The watchdog's look at the blob store; its last result also decides `/readyz`.
pub fn blob_store_check(
    store: Option<&BlobStore>,
    monitoring: Option<&mut Monitoring>,
) -> Option<Arc<dyn Check>> {
    let check = BlobStoreCheck::new(store?.clone());
    if let Some(monitoring) = monitoring {
        monitoring.readiness.push(Arc::new(check.readiness()));
    }
    Some(Arc::new(check))
}

/// Starts the watchdog of a serving instance and says where its alerts go.
pub fn start_watchdog(watchdog: Watchdog, interval: u64) {
    // The recorder first: the watchdog's first run (at once) records gauges.
    kontor_server::monitoring::install();
    let to = watchdog.notifiers();
    if to.is_empty() {
        eprintln!(
            "Watchdog: {} checks every {interval} s, no alert recipients (--alert-email, --alert-webhook)",
            watchdog.checks().len()
        );
    } else {
        eprintln!(
            "Watchdog: {} checks every {interval} s, alerts to {}",
            watchdog.checks().len(),
            to.join("; ")
        );
    }
    watchdog.spawn();
}

/// Prints findings one per line (`OK`/`PROBLEM`, key, message); the exit code is 0 when all
/// are healthy and 2 otherwise.
pub fn print_findings(findings: &[Finding]) -> ExitCode {
    for f in findings {
        println!(
            "{}\t{}\t{}",
            if f.ok { "OK" } else { "PROBLEM" },
            f.key,
            f.message
        );
    }
    if findings.iter().all(|f| f.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
