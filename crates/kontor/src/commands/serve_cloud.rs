//! `kontor serve --cloud`: many tenants, routed by host name or login, plus the operator API.

use anyhow::{Context, Result, anyhow, bail};
use kontor_ops::backup::Source;
use kontor_ops::monitor::Leadership;
use kontor_ops::monitor::checks::Database;
use kontor_storage::tenants::Provisioner;
use std::process::ExitCode;

use super::backup::backup_config;
use super::cloud::{cloud_url, connect_directory, master_secret};
use super::startup::{Served, Started, Startup};
use super::{blob_store, explain};
use crate::cli::{GlobalArgs, ServeArgs};

/// `kontor serve --cloud`: every tenant of the installation, each on its own database role.
pub(super) async fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<ExitCode> {
    let ServeArgs {
        listen,
        base_domain,
        tenant_pool,
        max_open_tenants,
        tenant_idle_secs,
        operator_token_file,
        trusted_proxy,
        backup,
        ..
    } = args;
    let backup_config = backup_config(backup)?;
    let templates = args.template_budget()?;
    let url = cloud_url(global)?;
    let blobs = blob_store(global)?;
    let directory = connect_directory(global).await.with_context(|| {
        format!(
            "cannot reach the control schema at {} (run `kontor tenant list` with the admin URL once to set it up)",
            kontor_storage::db::redact_url(url)
        )
    })?
    .with_blob_store(blobs.clone());
    if *tenant_pool == 0 || *max_open_tenants == 0 {
        bail!("--tenant-pool and --max-open-tenants must be at least 1");
    }
    let startup = Startup::new(
        &global.data_dir,
        args,
        backup_config,
        Served {
            database: Database::Cloud(directory.clone()),
            leadership: Leadership::postgres(
                directory.pool().clone(),
                format!("installation:{}", directory.installation().name()),
            ),
            backup_source: Source::Cloud {
                directory: directory.clone(),
            },
            blobs: blobs.as_ref(),
            tls_cert: None,
            backups_of: "Backups of every tenant",
        },
    )?;
    let listener = tokio::net::TcpListener::bind(*listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    eprintln!(
        "Kontor (cloud) läuft auf / is running on http://{}  (database: {}, at most {} connections to tenants)",
        listener.local_addr()?,
        kontor_storage::db::redact_url(url),
        *tenant_pool as usize * *max_open_tenants
    );
    let operator = match operator_token_file {
        Some(path) => {
            let token = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the operator token from {}", path.display())
            })?;
            let provisioner = Provisioner::connect(
                url,
                directory.installation().clone(),
                master_secret(global)?,
            )
            .await
            .map_err(explain)
            .context("the operator API needs the admin URL in --database")?
            .with_blob_store(blobs.clone());
            Some(
                kontor_server::operator::Operator::new(provisioner, &token).map_err(|_| {
                    anyhow!(
                        "{}: the operator token must be at least 32 characters",
                        path.display()
                    )
                })?,
            )
        }
        None => None,
    };
    let Started { monitoring, .. } = startup.start();
    let config = kontor_server::cloud::CloudConfig {
        base_domain: base_domain
            .as_deref()
            .map(|d| d.trim_matches('.').to_ascii_lowercase()),
        pool: kontor_storage::tenants::TenantPool {
            max_connections: *tenant_pool,
            idle_timeout: std::time::Duration::from_secs((*tenant_idle_secs).max(1)),
        },
        max_open_tenants: *max_open_tenants,
        idle_evict: std::time::Duration::from_secs((*tenant_idle_secs).max(1)),
        secure_cookies: false,
        transport: kontor_server::Transport {
            tls: false,
            trusted_proxies: trusted_proxy.clone(),
        },
        monitoring,
        templates,
        mailbox_tick: kontor_app::incoming::mailbox::schedule::TICK,
    };
    let cloud = kontor_server::cloud::Cloud::new(directory, config);
    kontor_server::Application::on(kontor_server::cloud::app(cloud, operator), listener)?
        .run_until_stopped()
        .await?;
    Ok(ExitCode::SUCCESS)
}
