//! `kontor blobs`: move stored files between the database and a blob store, check every one.

use anyhow::{Result, anyhow, bail};
use kontor_storage::blobstore::BlobStoreSpec;
use kontor_storage::{Store, StoreError};
use std::process::ExitCode;

use super::cloud::cloud_directory;
use super::{explain, open};
use crate::cli::{BlobsCommand, GlobalArgs};

/// One store whose files are moved or checked.
struct Scope {
    /// Its name in messages: "installation" or "tenant SLUG".
    name: String,
    /// Its prefix in a blob store.
    prefix: String,
    store: Store,
}

/// `kontor blobs move` and `kontor blobs check`; exit code 2 when a file had a problem.
pub(super) async fn run(global: &GlobalArgs, command: &BlobsCommand) -> Result<ExitCode> {
    let (scopes, bad) = match command {
        BlobsCommand::Move { to, cloud, tenant } => {
            let scopes = scopes(global, *cloud, tenant.as_deref()).await?;
            let bad = if to == "database" {
                move_to_database(&scopes).await?
            } else {
                move_to_store(&scopes, to).await?
            };
            (scopes, bad)
        }
        BlobsCommand::Check { cloud, tenant } => {
            let scopes = scopes(global, *cloud, tenant.as_deref()).await?;
            let bad = check(&scopes).await;
            (scopes, bad)
        }
    };
    for scope in &scopes {
        scope.store.close().await;
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The installation's store, or (--cloud) every active tenant's or only --tenant's.
async fn scopes(global: &GlobalArgs, cloud: bool, tenant: Option<&str>) -> Result<Vec<Scope>> {
    if tenant.is_some() && !cloud {
        bail!("--tenant needs --cloud");
    }
    if !cloud {
        return Ok(vec![Scope {
            name: "installation".into(),
            prefix: super::installation_prefix(global).to_string(),
            store: open(global).await?,
        }]);
    }
    let mut scopes = Vec::new();
    let directory = cloud_directory(global).await?;
    let tenants = directory.list().await.map_err(explain)?;
    if let Some(t) = tenant
        && !tenants.iter().any(|x| x.slug == t)
    {
        bail!("--tenant: there is no tenant {t}");
    }
    for t in tenants
        .iter()
        .filter(|t| tenant.is_none_or(|want| want == t.slug))
    {
        if t.state != kontor_storage::tenants::TenantState::Active {
            eprintln!("tenant {}: skipped ({})", t.slug, t.state.as_str());
            continue;
        }
        let pool = kontor_storage::tenants::TenantPool {
            max_connections: 2,
            idle_timeout: std::time::Duration::from_secs(5),
        };
        let store = directory.open(t, pool).await.map_err(explain)?;
        scopes.push(Scope {
            name: format!("tenant {}", t.slug),
            prefix: directory.installation().tenant_role(t.id),
            store,
        });
    }
    Ok(scopes)
}

/// `kontor blobs move --to database`; returns the number of problems.
async fn move_to_database(scopes: &[Scope]) -> Result<usize> {
    let mut bad = 0;
    for Scope { name, store, .. } in scopes {
        let counts = store.blob_counts().await.map_err(explain)?;
        if counts.external > 0 && store.blob_store().is_none() {
            bail!(
                "{name}: {} file(s) are in a blob store; name it with --blob-store to move them back",
                counts.external
            );
        }
        let moved = store.move_blobs_to_database().await;
        bad += print_move(name, "into the database", moved);
    }
    Ok(bad)
}

/// `kontor blobs move --to s3://…`; returns the number of problems.
async fn move_to_store(scopes: &[Scope], to: &str) -> Result<usize> {
    let spec = BlobStoreSpec::parse(to).map_err(|e| anyhow!("--to: {e}"))?;
    let dest = spec.open().map_err(|e| anyhow!("--to: {e}"))?;
    let mut bad = 0;
    for Scope {
        name,
        prefix,
        store,
    } in scopes
    {
        let scoped = dest.scoped(prefix).map_err(explain)?;
        let moved = store.move_blobs_to_store(&scoped).await;
        bad += print_move(name, &format!("to {}", scoped.name()), moved);
    }
    if bad == 0 {
        eprintln!("Start Kontor with --blob-store '{to}' from now on (KONTOR_BLOB_STORE).");
    }
    Ok(bad)
}

/// Prints what a move of `name`'s files did; returns the number of problems.
fn print_move(
    name: &str,
    destination: &str,
    moved: std::result::Result<kontor_storage::blobs::MoveReport, StoreError>,
) -> usize {
    match moved {
        Ok(r) => {
            println!(
                "{name}: moved {} file(s), {} bytes, {destination}",
                r.moved, r.bytes
            );
            for p in &r.problems {
                println!("{name}: NOT MOVED: {p}");
            }
            r.problems.len()
        }
        Err(e) => {
            println!("{name}: FAILED (run it again to resume): {e}");
            1
        }
    }
}

/// `kontor blobs check`: every file read and its SHA-256 compared; returns the number of problems.
async fn check(scopes: &[Scope]) -> usize {
    let mut bad = 0;
    for Scope { name, store, .. } in scopes {
        match store.check_blobs().await {
            Ok(c) => {
                for p in &c.problems {
                    println!("PROBLEM\t{name}\t{p}");
                }
                bad += c.problems.len();
                println!(
                    "{}\t{name}\t{} file(s) checked, {} in the blob store, {} problem(s)",
                    if c.problems.is_empty() {
                        "OK"
                    } else {
                        "PROBLEM"
                    },
                    c.checked,
                    c.external,
                    c.problems.len()
                );
            }
            Err(e) => {
                bad += 1;
                println!("PROBLEM\t{name}\tcannot check: {e}");
            }
        }
    }
    bad
}
