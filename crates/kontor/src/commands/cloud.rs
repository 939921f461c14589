//! Cloud mode's connection settings: the admin URL, the installation, the master secret and
//! the tenant directory built from them.

use anyhow::{Context, Result, anyhow, bail};
use kontor_storage::tenants::{Directory, Installation, MasterSecret, Provisioner};

use super::{blob_store, explain};
use crate::cli::GlobalArgs;

/// The master secret: KONTOR_MASTER_SECRET, or the file named by --master-secret-file.
pub(super) fn master_secret(global: &GlobalArgs) -> Result<MasterSecret> {
    if let Ok(secret) = std::env::var("KONTOR_MASTER_SECRET")
        && !secret.trim().is_empty()
    {
        return MasterSecret::new(secret.trim().as_bytes().to_vec())
            .map_err(|_| anyhow!("KONTOR_MASTER_SECRET must be at least 32 bytes long"));
    }
    match &global.master_secret_file {
        Some(path) => MasterSecret::from_file(path).map_err(explain),
        None => bail!(
            "cloud mode needs the master secret: --master-secret-file FILE (or KONTOR_MASTER_SECRET)"
        ),
    }
}

/// The --database URL, which cloud mode needs to be PostgreSQL.
pub(super) fn cloud_url(global: &GlobalArgs) -> Result<&str> {
    match global.database.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(url),
        _ => bail!("cloud mode needs PostgreSQL: --database postgres://… (or KONTOR_DATABASE_URL)"),
    }
}

/// The installation named by --installation, if one is named (else the database's default).
pub(super) fn installation(global: &GlobalArgs) -> Result<Option<Installation>> {
    global
        .installation
        .as_deref()
        .map(|name| Installation::new(name).map_err(|e| anyhow!("--installation {name:?}: {e}")))
        .transpose()
}

/// The operator's provisioner (--database is the admin URL) for --installation or the
/// database's default installation.
pub(super) async fn cloud_provisioner(global: &GlobalArgs) -> Result<Provisioner> {
    let url = cloud_url(global)?;
    let secret = master_secret(global)?;
    let provisioner = match installation(global)? {
        Some(installation) => Provisioner::connect(url, installation, secret).await,
        None => Provisioner::connect_default(url, secret).await,
    };
    Ok(provisioner
        .map_err(explain)?
        .with_blob_store(blob_store(global)?))
}

/// The tenant directory (control schema) of --installation or the database's default
/// installation, without the blob store.
pub(super) async fn connect_directory(global: &GlobalArgs) -> Result<Directory> {
    let url = cloud_url(global)?;
    let secret = master_secret(global)?;
    match installation(global)? {
        Some(installation) => Directory::connect(url, installation, secret).await,
        None => Directory::connect_default(url, secret).await,
    }
    .map_err(explain)
}

/// The tenant directory (control schema) with the installation's blob store.
pub(super) async fn cloud_directory(global: &GlobalArgs) -> Result<Directory> {
    let url = cloud_url(global)?;
    let blobs = blob_store(global)?;
    Ok(connect_directory(global)
        .await
        .with_context(|| {
            format!(
                "cannot reach the control schema at {}",
                kontor_storage::db::redact_url(url)
            )
        })?
        .with_blob_store(blobs))
}
