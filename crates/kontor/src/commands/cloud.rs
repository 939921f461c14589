//! Cloud mode's connection settings: the admin URL, the installation, the master secret and
//! the tenant directory built from them.

use anyhow::{Context, Result, anyhow, bail};
use kontor_storage::tenants::{Directory, Installation, MasterSecret};

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

/// The installation named by --installation.
pub(super) fn installation(global: &GlobalArgs) -> Result<Installation> {
    Installation::new(&global.installation)
        .map_err(|e| anyhow!("--installation {:?}: {}", global.installation, e))
}

/// The tenant directory (control schema) with the installation's blob store.
pub(super) async fn cloud_directory(global: &GlobalArgs) -> Result<Directory> {
    let url = cloud_url(global)?;
    let blobs = blob_store(global)?;
    Ok(
        Directory::connect(url, installation(global)?, master_secret(global)?)
            .await
            .with_context(|| {
                format!(
                    "cannot reach the control schema at {}",
                    kontor_storage::db::redact_url(url)
                )
            })?
            .with_blob_store(blobs),
    )
}
