//! The start-up `serve` and `serve --cloud` share: `/metrics` and `/readyz`, the watchdog with
//! its checks, and the backup schedule.

use anyhow::Result;
use kontor_ops::backup::{self as backups, BackupConfig, Source};
use kontor_ops::monitor::checks::Database;
use kontor_ops::monitor::{Leadership, Watchdog};
use kontor_server::monitoring::Monitoring;
use kontor_storage::blobstore::BlobStore;
use std::path::Path;
use std::sync::Arc;

use crate::cli::ServeArgs;
use crate::monitoring::{backup_check, blob_store_check, start_watchdog};

/// What differs between serving one business and serving the cloud's tenants.
pub(super) struct Served<'a> {
    /// The database the watchdog checks and the backup runs are recorded in.
    pub database: Database,
    /// The watchdog's lock: of several instances on one database, one checks and alerts.
    pub leadership: Leadership,
    /// What the scheduled backups read.
    pub backup_source: Source,
    /// Where new files go; the blob store's check also decides `/readyz`.
    pub blobs: Option<&'a BlobStore>,
    /// The TLS certificate whose expiry the watchdog checks.
    pub tls_cert: Option<&'a Path>,
    /// What the start-up message calls the backups ("Backups", "Backups of every tenant").
    pub backups_of: &'static str,
}

/// Monitoring, watchdog and backup schedule of a serving instance: set up from the command
/// line before it listens, so that a mistake stops it at once, and started with [`start`].
///
/// [`start`]: Startup::start
pub(super) struct Startup {
    monitoring: Monitoring,
    watchdog: Watchdog,
    check_interval: u64,
    schedule: Option<Schedule>,
    /// Verifies the newest backup on every target once a day (its outcome is a finding).
    backup_check: Option<Arc<backups::BackupCheck>>,
}

/// Scheduled backups: what is backed up, the settings, and the words for the message.
struct Schedule {
    source: Source,
    config: BackupConfig,
    every: String,
    keep_days: i64,
    of: &'static str,
}

/// What the web application gets from a started [`Startup`].
pub(super) struct Started {
    /// `/metrics` access and the `/readyz` conditions.
    pub monitoring: Monitoring,
    /// The scheduled backups' source and settings, when backups are configured.
    pub backups: Option<(Source, BackupConfig)>,
}

impl Startup {
    /// The monitoring and the watchdog's checks (built in ones, backups when `backup_config`
    /// is given, the blob store) for what `served` describes, from `args`' monitoring and
    /// backup options.
    pub(super) fn new(
        data_dir: &Path,
        args: &ServeArgs,
        backup_config: Option<BackupConfig>,
        served: Served<'_>,
    ) -> Result<Startup> {
        let ServeArgs {
            trusted_proxy,
            monitor,
            backup,
            ..
        } = args;
        let mut monitoring = monitor.monitoring(Some(data_dir), trusted_proxy)?;
        let mut checks = monitor.checks(
            Some(served.database.clone()),
            Some(data_dir),
            served.tls_cert,
            Some(Arc::new(kontor_server::monitoring::request_counts)),
        )?;
        let backup_check = backup_check(backup_config.as_ref(), Some(&served.database))?;
        checks.extend(
            backup_check
                .clone()
                .map(|c| c as Arc<dyn kontor_ops::monitor::Check>),
        );
        checks.extend(blob_store_check(served.blobs, Some(&mut monitoring)));
        let watchdog = monitor.watchdog(checks, served.leadership)?;
        let schedule = backup_config.map(|config| Schedule {
            source: served.backup_source,
            config,
            every: backup.backup_every.clone(),
            keep_days: backup.backup_keep_days,
            of: served.backups_of,
        });
        Ok(Startup {
            monitoring,
            watchdog,
            check_interval: monitor.check_interval,
            schedule,
            backup_check,
        })
    }

    /// Starts the backup schedule (when configured) and the watchdog, saying so on standard
    /// error.
    pub(super) fn start(self) -> Started {
        let scheduled = self.schedule.map(|s| {
            eprintln!(
                "{} every {} to {} target(s), kept {} days",
                s.of,
                s.every,
                s.config.targets.len(),
                s.keep_days
            );
            backups::spawn_schedule(s.source.clone(), s.config.clone());
            (s.source, s.config)
        });
        if let Some(check) = self.backup_check {
            check.spawn_verify_schedule();
        }
        start_watchdog(self.watchdog, self.check_interval);
        Started {
            monitoring: self.monitoring,
            backups: scheduled,
        }
    }
}
