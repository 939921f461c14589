//! `kontor check`: the watchdog's checks run once, for external monitors.

use anyhow::{Result, anyhow};
use kontor_ops::monitor::Finding;
use kontor_ops::monitor::checks::Database;
use kontor_storage::{ConnectOptions, Store};
use std::process::ExitCode;
use std::sync::Arc;

use super::backup::backup_config;
use super::cloud::connect_directory;
use super::{blob_store, installation_blob_store};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::monitoring::{backup_check, blob_store_check, print_findings};

/// `kontor check`: the watchdog's checks once, one line per finding, exit code 2 on a problem.
pub(super) async fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<ExitCode> {
    let CheckArgs {
        cloud,
        tls_cert,
        monitor,
        backup,
    } = args;
    let mut findings = Vec::new();
    let database = if *cloud {
        connect_directory(global).await.map(Database::Cloud)
    } else {
        match &global.database {
            Some(url) => Store::connect_unmigrated(
                url,
                ConnectOptions {
                    schema: Some(global.schema.clone()),
                    max_connections: 2,
                },
            )
            .await
            .map(Database::Store)
            .map_err(|e| anyhow!(e)),
            None if !global.data_dir.join("kontor.db").is_file() => Err(anyhow!(
                "no database in {} (wrong --data-dir?)",
                global.data_dir.display()
            )),
            None => Store::connect_unmigrated(
                &kontor_storage::db::sqlite_url_for_dir(&global.data_dir),
                ConnectOptions {
                    schema: None,
                    max_connections: 2,
                },
            )
            .await
            .map(Database::Store)
            .map_err(|e| anyhow!(e)),
        }
    };
    let database = match database {
        Ok(db) => Some(db),
        Err(e) => {
            findings.push(Finding::problem(
                "database",
                format!("database unreachable: {e:#}"),
            ));
            None
        }
    };
    let backup = backup_check(backup_config(backup)?.as_ref(), database.as_ref())?;
    let blobs = if *cloud {
        blob_store(global)?
    } else {
        installation_blob_store(global)?
    };
    let mut checks = monitor.checks(database, Some(&global.data_dir), tls_cert.as_deref(), None)?;
    checks.extend(backup.map(|b| b as Arc<dyn kontor_ops::monitor::Check>));
    checks.extend(blob_store_check(blobs.as_ref(), None));
    findings
        .extend(kontor_ops::monitor::run_all(&checks, std::time::Duration::from_secs(20)).await);
    Ok(print_findings(&findings))
}
