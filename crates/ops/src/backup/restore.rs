//! Listing, verifying and restoring backups. Nothing is written to the destination before
//! every needed file has been downloaded, matched against the manifest (size and SHA-256),
//! decrypted, decompressed and checked; a restore only goes into a fresh place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kontor_storage::tenants::{Provisioner, TenantState};
use kontor_storage::{ConnectOptions, Store};

use super::crypto::{Identity, open_file};
use super::error::{BackupError, Result};
use super::manifest::{BackupId, BackupKind, MANIFEST, Manifest};
use super::records::Records;
use super::target::{Target, TargetSpec};
use super::{files, logical, sqlite};

/// The files file of a single installation (see `files.rs`).
const FILES: &str = "files.bin.zst.age";

/// One backup as the targets hold it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub id: BackupId,
    /// (target, complete, bytes stored there)
    pub copies: Vec<(String, bool, u64)>,
    /// From the first complete copy.
    pub manifest: Option<Manifest>,
}

/// Every backup on every target (oldest first), and the targets that could not be listed.
pub async fn list(specs: &[TargetSpec]) -> (Vec<Listing>, Vec<BackupError>) {
    let mut found: BTreeMap<BackupId, Listing> = BTreeMap::new();
    let mut errors = Vec::new();
    for spec in specs {
        let result = async {
            let target = spec.open()?;
            let listed = target.list().await?;
            Ok::<_, BackupError>((target, listed))
        }
        .await;
        let (target, listed) = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for l in listed {
            let entry = found.entry(l.id.clone()).or_insert(Listing {
                id: l.id.clone(),
                copies: Vec::new(),
                manifest: None,
            });
            entry
                .copies
                .push((target.name().to_string(), l.complete, l.size));
            if l.complete && entry.manifest.is_none() {
                match read_manifest(&target, &l.id).await {
                    Ok(m) => entry.manifest = Some(m),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    (found.into_values().collect(), errors)
}

async fn read_manifest(target: &Target, id: &BackupId) -> Result<Manifest> {
    let bytes = target
        .get_bytes(id, MANIFEST)
        .await?
        .ok_or_else(|| BackupError::Manifest {
            id: id.to_string(),
            target: target.name().to_string(),
            message:
                "missing: the run was interrupted or is still writing; this copy is incomplete"
                    .into(),
        })?;
    Manifest::parse(&bytes, id, target.name())
}

/// A copy that passed every check, with its plaintext files in a private staging folder.
pub struct Verified {
    pub target: String,
    pub manifest: Manifest,
    staging: tempfile::TempDir,
    /// plaintext path per file name
    plain: BTreeMap<String, PathBuf>,
    /// the row dumps' summaries per file name
    dumps: BTreeMap<String, logical::DumpSummary>,
}

impl Verified {
    /// The plaintext of a file if the backup has it.
    fn plain_if_any(&self, name: &str) -> Option<&Path> {
        self.plain.get(name).map(|p| p.as_path())
    }

    fn plain(&self, name: &str) -> Result<&Path> {
        self.plain.get(name).map(|p| p.as_path()).ok_or_else(|| {
            BackupError::content(self.manifest.id.as_str(), name, "not part of this backup")
        })
    }
}

/// Downloads, matches, decrypts and checks the files `wanted` selects (all when `None`).
async fn fetch_verified(
    target: &Target,
    id: &BackupId,
    identity: &Identity,
    staging_in: Option<&Path>,
    wanted: &dyn Fn(&super::manifest::FileEntry) -> bool,
) -> Result<Verified> {
    let manifest = read_manifest(target, id).await?;
    // Signed by the installation (checked with the operator's verify key, never one the
    // target names), or unsigned and accepted on request: before anything is downloaded.
    identity.check(&manifest, target.name())?;
    // The manifest names its recipient: a wrong key is said as such, not as damaged files.
    let given: Vec<String> = identity
        .recipients()
        .iter()
        .map(ToString::to_string)
        .collect();
    if !given.contains(&manifest.recipient) {
        return Err(BackupError::WrongKey {
            id: id.to_string(),
            recipient: manifest.recipient.clone(),
            given: given.join(", "),
        });
    }
    let staging = match staging_in {
        Some(dir) => tempfile::Builder::new()
            .prefix(".kontor-restore-")
            .tempdir_in(dir),
        None => tempfile::Builder::new().prefix("kontor-verify-").tempdir(),
    }
    .map_err(|e| {
        BackupError::io(
            staging_in.unwrap_or(&std::env::temp_dir()),
            format!("cannot create a staging folder: {e}"),
        )
    })?;
    let mut plain = BTreeMap::new();
    let mut dumps = BTreeMap::new();
    for (n, file) in manifest.files.iter().filter(|f| wanted(f)).enumerate() {
        let sealed = staging.path().join(format!("sealed-{n}"));
        let digest = target.get_file(id, &file.name, &sealed).await?;
        if digest.size != file.size {
            return Err(BackupError::Truncated {
                id: id.to_string(),
                target: target.name().into(),
                file: file.name.clone(),
                expected: file.size,
                actual: digest.size,
            });
        }
        if digest.sha256 != file.sha256 {
            return Err(BackupError::Corrupt {
                id: id.to_string(),
                target: target.name().into(),
                file: file.name.clone(),
                expected: file.sha256.clone(),
                actual: digest.sha256,
            });
        }
        let out_path = staging.path().join(format!("plain-{n}"));
        {
            let (sealed, out_path, name, id_text, identity) = (
                sealed.clone(),
                out_path.clone(),
                file.name.clone(),
                id.to_string(),
                identity.clone(),
            );
            // Decrypting is CPU work: off the async workers.
            tokio::task::spawn_blocking(move || {
                let mut out = std::io::BufWriter::new(
                    std::fs::File::create(&out_path).map_err(|e| BackupError::io(&out_path, e))?,
                );
                open_file(&sealed, &identity, &mut out, &id_text, &name)?;
                std::io::Write::flush(&mut out).map_err(|e| BackupError::io(&out_path, e))
            })
            .await
            .map_err(|e| {
                BackupError::content(id.as_str(), &file.name, format!("decryption thread: {e}"))
            })??;
        }
        std::fs::remove_file(&sealed).map_err(|e| BackupError::io(&sealed, e))?;
        // The content itself.
        let content_err =
            |e: BackupError| BackupError::content(id.as_str(), &file.name, e.to_string());
        if files::is_files_name(&file.name) {
            let (path, ids, name) = (out_path.clone(), id.to_string(), file.name.clone());
            tokio::task::spawn_blocking(move || files::check(&path, &ids, &name))
                .await
                .map_err(|e| {
                    BackupError::content(id.as_str(), &file.name, format!("check thread: {e}"))
                })??;
        } else if file.name.ends_with(".db.zst.age") {
            sqlite::integrity_check(&out_path)
                .await
                .map_err(content_err)?;
        } else if file.name.starts_with("tenants/") || file.name.starts_with("rows.") {
            let (path, ids, name) = (out_path.clone(), id.to_string(), file.name.clone());
            let summary = tokio::task::spawn_blocking(move || logical::check(&path, &ids, &name))
                .await
                .map_err(|e| {
                    BackupError::content(id.as_str(), &file.name, format!("check thread: {e}"))
                })??;
            dumps.insert(file.name.clone(), summary);
        } else if file.name.starts_with("control.") {
            control_rows(&out_path, id.as_str(), &file.name)?;
        }
        plain.insert(file.name.clone(), out_path);
    }
    Ok(Verified {
        target: target.name().to_string(),
        manifest,
        staging,
        plain,
        dumps,
    })
}

/// The tenants rows of a control file.
fn control_rows(path: &Path, id: &str, name: &str) -> Result<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| BackupError::io(path, e))?;
    text.lines()
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .filter(|v| v.get("slug").is_some_and(|s| s.is_string()))
                .ok_or_else(|| {
                    BackupError::content(id, name, format!("line {} is not a tenant row", n + 1))
                })
        })
        .collect()
}

/// Verifies every copy of backup `id` (every file, every target holding it). Returns one
/// result per copy; an error names the target and the bad file.
pub async fn verify(
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
) -> Result<Vec<(String, Result<Manifest>)>> {
    let mut results = Vec::new();
    for spec in specs {
        let target = match spec.open() {
            Ok(t) => t,
            Err(e) => {
                results.push((spec.name(), Err(e)));
                continue;
            }
        };
        let held = match target.list().await {
            Ok(l) => l.into_iter().any(|l| &l.id == id),
            Err(e) => {
                results.push((spec.name(), Err(e)));
                continue;
            }
        };
        if !held {
            continue;
        }
        let outcome = fetch_verified(&target, id, identity, None, &|_| true)
            .await
            .map(|v| v.manifest);
        results.push((spec.name(), outcome));
    }
    if results.is_empty() {
        return Err(not_found(specs, id));
    }
    Ok(results)
}

fn not_found(specs: &[TargetSpec], id: &BackupId) -> BackupError {
    BackupError::NotFound {
        id: id.to_string(),
        targets: specs
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The first copy (in target order) that passes every check for the wanted files; the
/// problems of the copies tried before are returned too.
async fn first_good_copy(
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
    staging_in: Option<&Path>,
    wanted: &dyn Fn(&super::manifest::FileEntry) -> bool,
) -> Result<(Verified, Vec<BackupError>)> {
    let mut problems = Vec::new();
    for spec in specs {
        let target = match spec.open() {
            Ok(t) => t,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        match target.list().await {
            Ok(l) if l.iter().any(|l| &l.id == id) => {}
            Ok(_) => continue,
            Err(e) => {
                problems.push(e);
                continue;
            }
        }
        match fetch_verified(&target, id, identity, staging_in, wanted).await {
            Ok(v) => return Ok((v, problems)),
            Err(e) => {
                tracing::warn!(target = %spec.name(), error = %e, "this copy of the backup is not usable");
                problems.push(e);
            }
        }
    }
    match problems.len() {
        0 => Err(not_found(specs, id)),
        1 => Err(problems.remove(0)),
        _ => Err(BackupError::content(
            id.as_str(),
            "(every copy)",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

/// The manifest of backup `id` from the first target whose copy is complete and passes the
/// signature check; otherwise the problems seen.
async fn trusted_manifest(
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
) -> Result<Manifest> {
    let mut problems = Vec::new();
    for spec in specs {
        let result = async {
            let target = spec.open()?;
            let held = target
                .list()
                .await?
                .into_iter()
                .any(|l| &l.id == id && l.complete);
            if !held {
                return Ok(None);
            }
            let manifest = read_manifest(&target, id).await?;
            identity.check(&manifest, target.name())?;
            Ok::<_, BackupError>(Some(manifest))
        }
        .await;
        match result {
            Ok(Some(manifest)) => return Ok(manifest),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    match problems.len() {
        0 => Err(not_found(specs, id)),
        1 => Err(problems.remove(0)),
        _ => Err(BackupError::content(
            id.as_str(),
            "(every copy)",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub id: BackupId,
    /// The target whose copy was restored.
    pub from: String,
    /// Where it went (a folder, a schema, tenants).
    pub to: Vec<String>,
    /// Problems with copies on other targets that were skipped.
    pub skipped_copies: Vec<String>,
    /// The backup had no signature and was restored because unsigned backups were accepted.
    pub unsigned: bool,
}

/// Restores a SQLite backup into a new data folder (missing or empty).
pub async fn restore_sqlite(
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
    to: &Path,
) -> Result<RestoreReport> {
    let fresh = match std::fs::read_dir(to) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(BackupError::destination(to.display(), e.to_string())),
    };
    if !fresh {
        return Err(BackupError::destination(
            to.display(),
            "is not empty; restore into a new folder",
        ));
    }
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| BackupError::destination(parent.display(), e.to_string()))?;
    let (verified, problems) =
        first_good_copy(specs, id, identity, Some(parent), &|_| true).await?;
    let unsigned = verified.manifest.signature.is_none();
    if verified.manifest.kind != BackupKind::Sqlite {
        return Err(BackupError::destination(
            to.display(),
            format!(
                "backup {id} is a {} backup; this restores SQLite ones",
                verified.manifest.kind.as_str()
            ),
        ));
    }
    let db = verified.plain("kontor.db.zst.age")?;
    let version = sqlite::schema_version(db).await?;
    if version > kontor_storage::migrate::latest_version() {
        return Err(BackupError::content(
            id.as_str(),
            "kontor.db.zst.age",
            format!("schema version {version} is newer than this Kontor's"),
        ));
    }
    std::fs::create_dir_all(to)
        .map_err(|e| BackupError::destination(to.display(), e.to_string()))?;
    let dest = to.join("kontor.db");
    std::fs::rename(db, &dest)
        .map_err(|e| BackupError::destination(dest.display(), e.to_string()))?;
    // Files that were kept in a blob store go into the restored database.
    let store = Store::open_dir(to).await?;
    let filled = async {
        files::restore_into(&store, verified.plain_if_any(FILES), id.as_str(), FILES).await?;
        Records::for_store(&store)
            .close_restored(&verified.manifest)
            .await
    }
    .await;
    store.close().await;
    filled?;
    drop(verified.staging);
    Ok(RestoreReport {
        id: id.clone(),
        from: verified.target,
        to: vec![to.display().to_string()],
        skipped_copies: problems.iter().map(|p| p.to_string()).collect(),
        unsigned,
    })
}

/// Restores a single installation's PostgreSQL backup into a new schema (which must not exist).
pub async fn restore_postgres(
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
    url: &str,
    schema: &str,
) -> Result<RestoreReport> {
    if !kontor_storage::db::is_safe_identifier(schema) {
        return Err(BackupError::destination(
            schema,
            "a schema name is lowercase letters, digits and _",
        ));
    }
    let (verified, problems) = first_good_copy(specs, id, identity, None, &|_| true).await?;
    let unsigned = verified.manifest.signature.is_none();
    if verified.manifest.kind != BackupKind::Postgres {
        return Err(BackupError::destination(
            schema,
            format!(
                "backup {id} is a {} backup; this restores single PostgreSQL ones",
                verified.manifest.kind.as_str()
            ),
        ));
    }
    let name = "rows.jsonl.zst.age";
    let summary = verified
        .dumps
        .get(name)
        .ok_or_else(|| BackupError::content(id.as_str(), name, "missing"))?
        .clone();
    if schema_exists(url, schema).await? {
        return Err(BackupError::destination(
            schema,
            "the schema exists already; restore into a new one",
        ));
    }
    newer_than_this_build(&summary, id, name)?;
    // At the backup's own version, so an older backup loads as it was; then the migrations
    // since bring it up to date as an upgrade would.
    let store = Store::connect_at(
        url,
        ConnectOptions {
            schema: Some(schema.to_string()),
            max_connections: 2,
        },
        summary.schema_version,
    )
    .await?;
    let loaded = async {
        logical::load(&store, verified.plain(name)?, &summary, id.as_str(), name).await?;
        kontor_storage::migrate::run(store.pool(), store.backend()).await?;
        files::restore_into(&store, verified.plain_if_any(FILES), id.as_str(), FILES).await?;
        Records::for_store(&store)
            .close_restored(&verified.manifest)
            .await
    }
    .await;
    store.close().await;
    loaded?;
    Ok(RestoreReport {
        id: id.clone(),
        from: verified.target,
        to: vec![schema.to_string()],
        skipped_copies: problems.iter().map(|p| p.to_string()).collect(),
        unsigned,
    })
}

/// A row dump from a newer Kontor cannot be loaded by this one.
fn newer_than_this_build(summary: &logical::DumpSummary, id: &BackupId, name: &str) -> Result<()> {
    if summary.schema_version > kontor_storage::migrate::latest_version() {
        return Err(BackupError::content(
            id.as_str(),
            name,
            format!(
                "schema version {} is newer than this Kontor's ({}); restore with that Kontor or a newer one",
                summary.schema_version,
                kontor_storage::migrate::latest_version()
            ),
        ));
    }
    Ok(())
}

async fn schema_exists(url: &str, schema: &str) -> Result<bool> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1")
            .bind(schema)
            .fetch_one(&pool)
            .await?
            .try_get("n")?;
    pool.close().await;
    Ok(n > 0)
}

/// Restores tenants of a cloud backup as new tenants of the provisioner's installation:
/// `pick` lists (tenant in the backup, new slug); empty means every tenant under its own
/// slug. Every new slug must be free. A tenant whose load fails is suspended and named.
pub async fn restore_tenants(
    provisioner: &Provisioner,
    specs: &[TargetSpec],
    id: &BackupId,
    identity: &Identity,
    pick: &[(String, String)],
) -> Result<RestoreReport> {
    // The manifest first (from a copy that passes the signature check), to know what to
    // fetch; the files are checked against the manifest of the copy they come from.
    let manifest = trusted_manifest(specs, id, identity).await?;
    if manifest.kind != BackupKind::Cloud {
        return Err(BackupError::destination(
            "tenants",
            format!(
                "backup {id} is a {} backup; this restores cloud ones",
                manifest.kind.as_str()
            ),
        ));
    }
    let in_backup: Vec<String> = manifest
        .files
        .iter()
        .filter(|f| f.name.ends_with(".jsonl.zst.age"))
        .filter_map(|f| f.tenant.clone())
        .collect();
    let pairs: Vec<(String, String)> = if pick.is_empty() {
        in_backup.iter().map(|t| (t.clone(), t.clone())).collect()
    } else {
        pick.to_vec()
    };
    for (from, to) in &pairs {
        if !in_backup.contains(from) {
            return Err(BackupError::destination(
                to,
                format!(
                    "backup {id} has no tenant {from} (it has: {})",
                    in_backup.join(", ")
                ),
            ));
        }
        kontor_storage::tenants::validate_slug(to)
            .map_err(|e| BackupError::destination(to, e.to_string()))?;
        if provisioner.find(to).await?.is_some() {
            return Err(BackupError::destination(
                to,
                "a tenant with this name exists already; restore into a new one",
            ));
        }
    }
    let wanted_files: Vec<String> = pairs
        .iter()
        .flat_map(|(from, _)| {
            [
                format!("tenants/{from}.jsonl.zst.age"),
                format!("tenants/{from}.files.zst.age"),
            ]
        })
        .collect();
    let wanted = |f: &super::manifest::FileEntry| {
        f.name.starts_with("control.") || wanted_files.contains(&f.name)
    };
    let (verified, problems) = first_good_copy(specs, id, identity, None, &wanted).await?;
    let unsigned = verified.manifest.signature.is_none();
    let control = control_rows(
        verified.plain("control.jsonl.zst.age")?,
        id.as_str(),
        "control.jsonl.zst.age",
    )?;
    let mut done = Vec::new();
    for (from, to) in &pairs {
        let file = format!("tenants/{from}.jsonl.zst.age");
        let summary = verified
            .dumps
            .get(&file)
            .ok_or_else(|| BackupError::content(id.as_str(), &file, "missing"))?
            .clone();
        let display_name = control
            .iter()
            .find(|r| r.get("slug").and_then(|s| s.as_str()) == Some(from.as_str()))
            .and_then(|r| r.get("name").and_then(|n| n.as_str()))
            .unwrap_or(from)
            .to_string();
        newer_than_this_build(&summary, id, &file)?;
        // Created at the backup's version, loaded, then migrated like an upgrade.
        let tenant = provisioner
            .create_at(to, &display_name, summary.schema_version)
            .await?;
        let loaded = async {
            let store = provisioner
                .open_tenant_at(&tenant, summary.schema_version)
                .await?;
            let rows =
                logical::load(&store, verified.plain(&file)?, &summary, id.as_str(), &file).await;
            store.close().await;
            rows?;
            provisioner.migrate_tenant(&tenant).await?;
            let store = provisioner.open_tenant(&tenant).await?;
            let files_name = format!("tenants/{from}.files.zst.age");
            let result = async {
                files::restore_into(
                    &store,
                    verified.plain_if_any(&files_name),
                    id.as_str(),
                    &files_name,
                )
                .await
            }
            .await;
            store.close().await;
            result.map(|_| ())
        }
        .await;
        if let Err(e) = loaded {
            // Nobody may work in a half-made tenant: lock it and say so.
            let _ = provisioner.suspend(to).await;
            return Err(BackupError::destination(
                to,
                format!(
                    "restoring failed, the new tenant is suspended (delete it after an export): {e}"
                ),
            ));
        }
        let was = control
            .iter()
            .find(|r| r.get("slug").and_then(|s| s.as_str()) == Some(from.as_str()))
            .and_then(|r| r.get("state").and_then(|s| s.as_str()))
            .and_then(TenantState::parse);
        if was == Some(TenantState::Suspended) {
            provisioner.suspend(to).await?;
        }
        done.push(format!("{from} -> {to}"));
    }
    Ok(RestoreReport {
        id: id.clone(),
        from: verified.target,
        to: done,
        skipped_copies: problems.iter().map(|p| p.to_string()).collect(),
        unsigned,
    })
}
