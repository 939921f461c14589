//! `kontor tenant`: create, list, suspend, resume, export, delete and migrate cloud tenants,
//! make API tokens for them, and print the SQL a superuser runs to harden the database.

use anyhow::{Context, Result, bail};
use std::process::ExitCode;

use super::cloud::{cloud_provisioner, cloud_url};
use super::users::new_token;
use super::{explain, read_password};
use crate::cli::{GlobalArgs, TenantCommand, TenantTokenCommand};

/// `kontor tenant …`, through the provisioner (--database is the admin URL).
pub(super) async fn run(global: &GlobalArgs, command: &TenantCommand) -> Result<ExitCode> {
    let url = cloud_url(global)?;
    let provisioner = cloud_provisioner(global).await.with_context(|| {
        format!(
            "cannot set up cloud mode in {}",
            kontor_storage::db::redact_url(url)
        )
    })?;
    if !matches!(command, TenantCommand::HardeningSql) {
        for gap in provisioner.hardening_gaps() {
            eprintln!("warning: {gap}");
        }
    }
    let code = match command {
        TenantCommand::Create {
            name,
            admin,
            display_name,
        } => {
            kontor_storage::tenants::validate_slug(name).map_err(explain)?;
            kontor_storage::check_username(admin).map_err(explain)?;
            let password = read_password()?;
            kontor_storage::users_check(admin, &password).map_err(explain)?;
            let started = std::time::Instant::now();
            let tenant = provisioner
                .create_with_admin(
                    name,
                    display_name.as_deref().unwrap_or(name),
                    admin,
                    &password,
                )
                .await
                .map_err(explain)?;
            eprintln!(
                "tenant {} created in {:.2} s (schema version {}), administrator {admin}",
                tenant.slug,
                started.elapsed().as_secs_f64(),
                tenant.schema_version
            );
            ExitCode::SUCCESS
        }
        TenantCommand::List => {
            for t in provisioner.list().await? {
                println!(
                    "{}\t{}\t{}\tv{}\t{}\t{}",
                    t.slug,
                    t.state.as_str(),
                    t.name,
                    t.schema_version,
                    t.created_at,
                    t.exported_at.as_deref().unwrap_or("-")
                );
            }
            ExitCode::SUCCESS
        }
        TenantCommand::Suspend { name } => {
            provisioner.suspend(name).await.map_err(explain)?;
            eprintln!("tenant {name} suspended");
            ExitCode::SUCCESS
        }
        TenantCommand::Resume { name } => {
            provisioner.resume(name).await.map_err(explain)?;
            eprintln!("tenant {name} active again");
            ExitCode::SUCCESS
        }
        TenantCommand::Export { name, out } => {
            let tenant = provisioner.get(name).await.map_err(explain)?;
            if tenant.state == kontor_storage::tenants::TenantState::Deleted {
                bail!("tenant {name} is deleted; nothing to export");
            }
            // A suspended tenant's role may not log in: let it in for the export only.
            let store = provisioner
                .open_tenant_for_export(&tenant)
                .await
                .map_err(explain)?;
            let zip = store.export_zip().await.map_err(explain);
            store.close().await;
            provisioner.end_export(&tenant).await.map_err(explain)?;
            let zip = zip?;
            std::fs::write(out, &zip).with_context(|| format!("cannot write {}", out.display()))?;
            provisioner.record_export(name).await.map_err(explain)?;
            eprintln!(
                "tenant {name} exported to {} ({} bytes)",
                out.display(),
                zip.len()
            );
            ExitCode::SUCCESS
        }
        TenantCommand::Delete { name, confirm } => {
            provisioner.delete(name, confirm).await.map_err(explain)?;
            eprintln!("tenant {name} deleted (schema and database role dropped)");
            ExitCode::SUCCESS
        }
        TenantCommand::Token(TenantTokenCommand::Create {
            tenant,
            name,
            user,
            role,
        }) => {
            let found = provisioner.get(tenant).await.map_err(explain)?;
            if found.state != kontor_storage::tenants::TenantState::Active {
                bail!("tenant {tenant} is {}, not active", found.state.as_str());
            }
            let store = provisioner.open_tenant(&found).await.map_err(explain)?;
            let token = new_token(&store, name, user.as_deref(), role.as_deref()).await;
            store.close().await;
            println!("{}", token?);
            ExitCode::SUCCESS
        }
        TenantCommand::HardeningSql => {
            println!("{}", provisioner.hardening_sql());
            ExitCode::SUCCESS
        }
        TenantCommand::Migrate => {
            let report = provisioner.migrate_all().await?;
            for slug in &report.migrated {
                println!("migrated\t{slug}");
            }
            for (slug, error) in &report.failed {
                println!("FAILED\t{slug}\t{error}");
            }
            eprintln!(
                "{} migrated, {} already current, {} failed (run again to resume)",
                report.migrated.len(),
                report.current,
                report.failed.len()
            );
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    };
    provisioner.close().await;
    Ok(code)
}
