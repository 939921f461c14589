//! `kontor restore`: a backup into a new data folder, schema or tenants, never over existing data.

use anyhow::{Context, Result, anyhow, bail};
use kontor_ops::backup as backups;
use std::process::ExitCode;

use super::backup::{UNSIGNED_WARNING, backup_targets, parse_id, read_identity};
use super::cloud::cloud_provisioner;
use crate::cli::{GlobalArgs, RestoreArgs};

/// `kontor restore`: into a new data folder or schema, or (--cloud) new tenants.
pub(super) async fn run(global: &GlobalArgs, args: &RestoreArgs) -> Result<ExitCode> {
    let RestoreArgs {
        id,
        identity,
        trust,
        to,
        tenant,
        cloud,
        backup,
    } = args;
    let targets = backup_targets(backup)?;
    let identity = read_identity(identity, trust)?;
    let id = parse_id(id)?;
    let report = if *cloud {
        let provisioner = cloud_provisioner(global)
            .await
            .context("restoring tenants needs the admin URL in --database")?;
        let pick: Vec<(String, String)> = match (tenant, to) {
            (Some(from), Some(to)) => vec![(from.clone(), to.clone())],
            (Some(from), None) => vec![(from.clone(), from.clone())],
            (None, Some(_)) => bail!("--to needs --tenant (which tenant of the backup)"),
            (None, None) => Vec::new(),
        };
        let report = backups::restore_tenants(&provisioner, &targets, &id, &identity, &pick).await;
        provisioner.close().await;
        report
    } else {
        let Some(to) = to else {
            bail!("--to is needed: a new data folder (SQLite) or a new schema (PostgreSQL)");
        };
        match global.database.as_deref() {
            Some(url) if url.starts_with("postgres") => {
                backups::restore_postgres(&targets, &id, &identity, url, to).await
            }
            _ => backups::restore_sqlite(&targets, &id, &identity, std::path::Path::new(to)).await,
        }
    }
    .map_err(|e| anyhow!("{e}"))?;
    if report.unsigned {
        eprintln!("{UNSIGNED_WARNING}");
    }
    for problem in &report.skipped_copies {
        eprintln!("warning: skipped a bad copy: {problem}");
    }
    println!(
        "restored {} from {} into {}",
        report.id,
        report.from,
        report.to.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
