//! `kontor backup` (keygen, list, verify, run, runs) and the backup settings that serve,
//! check and restore read too.

use anyhow::{Context, Result, anyhow, bail};
use kontor_ops::backup::{self as backups, BackupConfig, BackupId, Identity, Source};
use kontor_storage::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::cloud::cloud_directory;
use super::open;
use crate::cli::{BackupArgs, BackupCommand, GlobalArgs, TrustArgs};

/// `kontor backup …`: one function per subcommand.
pub(super) async fn run(global: &GlobalArgs, command: &BackupCommand) -> Result<ExitCode> {
    match command {
        BackupCommand::Keygen {
            out,
            signing_key_out,
        } => keygen(out.as_deref(), signing_key_out),
        BackupCommand::SigningKeygen { out } => signing_keygen(out),
        BackupCommand::List { backup } => list(backup).await,
        BackupCommand::Verify {
            id,
            identity,
            trust,
            backup,
        } => verify(id, identity, trust, backup).await,
        BackupCommand::Run { cloud, backup } => run_now(global, *cloud, backup).await,
        BackupCommand::Runs {
            cloud,
            limit,
            backup,
        } => runs(global, *cloud, *limit, backup).await,
    }
}

/// The backup settings, if backups are configured (a target and a recipient).
pub(super) fn backup_config(args: &BackupArgs) -> Result<Option<BackupConfig>> {
    match (args.backup_target.is_empty(), &args.backup_recipient) {
        (true, None) => Ok(None),
        (false, None) => bail!(
            "--backup-target is set but --backup-recipient is not (the age public key; see `kontor backup keygen`)"
        ),
        (true, Some(_)) => bail!("--backup-recipient is set but no --backup-target"),
        (false, Some(recipient)) => {
            let Some(signing) = &args.backup_signing_key else {
                bail!(
                    "--backup-signing-key is not set: every backup is signed, so that verify and restore can tell your backups from ones someone else put on a target. Create a key with `kontor backup signing-keygen --out FILE` (or `kontor backup keygen`) and add the verify key it prints to your identity file"
                );
            };
            let signing = backups::SigningKey::from_file(signing).map_err(|e| anyhow!("{e}"))?;
            Ok(Some(
                BackupConfig::from_settings(
                    &args.backup_target,
                    recipient,
                    signing,
                    &args.backup_every,
                    args.backup_keep_days,
                )
                .map_err(|e| anyhow!("{e}"))?,
            ))
        }
    }
}

/// The targets to read backups from (at least one).
pub(super) fn backup_targets(args: &BackupArgs) -> Result<Vec<backups::TargetSpec>> {
    if args.backup_target.is_empty() {
        bail!(
            "no backup target: --backup-target DIR or s3://BUCKET/PREFIX (or KONTOR_BACKUP_TARGETS)"
        );
    }
    args.backup_target
        .iter()
        .map(|t| backups::TargetSpec::parse(t).map_err(|e| anyhow!("{e}")))
        .collect()
}

/// The SQLite file behind the data folder (or a sqlite: URL).
fn sqlite_path(global: &GlobalArgs) -> PathBuf {
    match global.database.as_deref() {
        Some(url) if url.starts_with("sqlite:") => {
            let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
            PathBuf::from(rest.split('?').next().unwrap_or(rest))
        }
        _ => global.data_dir.join("kontor.db"),
    }
}

/// What a backup of the single business reads: the SQLite file, or its PostgreSQL schema.
pub(super) fn single_source(global: &GlobalArgs, store: Store) -> Source {
    match store.backend() {
        kontor_storage::Backend::Sqlite => Source::Sqlite {
            store,
            path: sqlite_path(global),
        },
        kontor_storage::Backend::Postgres => Source::Postgres { store },
    }
}

/// The identity (secret key and verify keys) in this file, with the verify keys and the
/// acceptance of unsigned backups given on the command line.
pub(super) fn read_identity(path: &Path, trust: &TrustArgs) -> Result<Identity> {
    let mut identity = Identity::from_file(path).map_err(|e| anyhow!("{e}"))?;
    for key in &trust.verify_key {
        identity =
            identity.with_verify_key(backups::VerifyKey::parse(key).map_err(|e| anyhow!("{e}"))?);
    }
    if identity.verify_keys().is_empty() && !trust.accept_unsigned {
        bail!(
            "{}: holds no verify key (kontor-backup-verify-key-…), which checks that a backup was made by your Kontor: add the line `kontor backup keygen` or `kontor backup signing-keygen` printed for it, or give --verify-key",
            path.display()
        );
    }
    Ok(identity.accepting_unsigned(trust.accept_unsigned))
}

/// Said when a backup without a signature was accepted.
pub(super) const UNSIGNED_WARNING: &str = "warning: this backup is not signed; it was accepted because of --accept-unsigned. Nothing shows that your Kontor made it";

/// Writes a new secret file (mode 600) that must not exist yet.
fn write_secret(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A backup id as `kontor backup list` prints it.
pub(super) fn parse_id(id: &str) -> Result<BackupId> {
    BackupId::parse(id).map_err(|e| anyhow!("{e}"))
}

/// `kontor backup keygen`: the signing key to --signing-key-out, the identity (with the
/// signing key's verify key) to --out or standard output, then the recipient.
fn keygen(out: Option<&Path>, signing_key_out: &Path) -> Result<ExitCode> {
    let now = chrono::Utc::now();
    if out == Some(signing_key_out) {
        bail!("--out and --signing-key-out must be two files: they go to different places");
    }
    if let Some(path) = out.filter(|p| p.exists()) {
        bail!("cannot create {} (it must not exist yet)", path.display());
    }
    let (signing, verify) = backups::generate_signing_key(now);
    let (identity, recipient) = backups::generate_identity(now, Some(&verify));
    write_secret(signing_key_out, &signing)?;
    eprintln!(
        "signing key written to {}: give it to the server (--backup-signing-key); it never goes to a backup target",
        signing_key_out.display()
    );
    match out {
        Some(path) => {
            write_secret(path, &identity)?;
            eprintln!(
                "identity written to {}: keep it (and a copy) away from the server and the backup targets; it is needed to restore, and its verify key checks that a backup is yours",
                path.display()
            );
        }
        None => print!("{identity}"),
    }
    println!("{recipient}");
    Ok(ExitCode::SUCCESS)
}

/// `kontor backup signing-keygen`: a signing key to --out; prints its verify key.
fn signing_keygen(out: &Path) -> Result<ExitCode> {
    let (signing, verify) = backups::generate_signing_key(chrono::Utc::now());
    write_secret(out, &signing)?;
    eprintln!(
        "signing key written to {}: give it to the server (--backup-signing-key). Add the verify key below to your identity file as a line of its own (or give it to verify and restore as --verify-key):",
        out.display()
    );
    println!("{verify}");
    Ok(ExitCode::SUCCESS)
}

/// `kontor backup list`: one line per backup; exit code 2 when a target could not be read.
async fn list(backup: &BackupArgs) -> Result<ExitCode> {
    let targets = backup_targets(backup)?;
    let (listings, errors) = backups::list(&targets).await;
    for l in &listings {
        let complete = l.copies.iter().filter(|c| c.1).count();
        let (kind, size, tenants) = match &l.manifest {
            Some(m) => (
                m.kind.as_str().to_string(),
                m.total_size().to_string(),
                m.files.iter().filter(|f| f.tenant.is_some()).count(),
            ),
            None => ("incomplete".into(), "-".into(), 0),
        };
        let tenants = if kind == "cloud" {
            format!("\t{tenants} tenants")
        } else {
            String::new()
        };
        println!(
            "{}\t{kind}\t{size} bytes\t{complete}/{} targets complete{tenants}",
            l.id,
            targets.len()
        );
    }
    for e in &errors {
        eprintln!("warning: {e}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `kontor backup verify`: every copy of a backup; exit code 2 when one is bad.
async fn verify(
    id: &str,
    identity: &Path,
    trust: &TrustArgs,
    backup: &BackupArgs,
) -> Result<ExitCode> {
    let targets = backup_targets(backup)?;
    let identity = read_identity(identity, trust)?;
    let id = parse_id(id)?;
    let results = backups::verify(&targets, &id, &identity)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mut bad = 0;
    for (target, result) in &results {
        match result {
            Ok(m) => {
                let signed = if m.signature.is_some() {
                    "signed by your key"
                } else {
                    "NOT SIGNED (accepted: --accept-unsigned)"
                };
                println!(
                    "ok\t{target}\t{} files, {} bytes, {signed}, every checksum matches and every file decrypts",
                    m.files.len(),
                    m.total_size()
                );
                if m.signature.is_none() {
                    eprintln!("{UNSIGNED_WARNING} ({target})");
                }
            }
            Err(e) => {
                bad += 1;
                println!("BAD\t{target}\t{e}");
            }
        }
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `kontor backup run`: a backup now; exit code 2 when a target failed, 1 when none got it.
async fn run_now(global: &GlobalArgs, cloud: bool, backup: &BackupArgs) -> Result<ExitCode> {
    let Some(config) = backup_config(backup)? else {
        bail!("no backup configured: give --backup-target and --backup-recipient");
    };
    let source = if cloud {
        Source::Cloud {
            directory: cloud_directory(global).await?,
        }
    } else {
        single_source(global, open(global).await?)
    };
    let record = backups::run_now(&source, &config, chrono::Utc::now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "{}\t{}\t{} bytes\t{} files",
        record.id,
        record.result.as_str(),
        record.size_bytes,
        record.files
    );
    for t in &record.targets {
        let state = if t.ok { "ok" } else { "FAILED" };
        let note = t.error.as_deref().unwrap_or("");
        let deleted = if t.deleted.is_empty() {
            String::new()
        } else {
            format!(" (retention deleted {})", t.deleted.join(", "))
        };
        println!("  {state}\t{}{deleted}\t{note}", t.target);
    }
    if let Some(e) = &record.error {
        eprintln!("{e}");
    }
    Ok(match record.result {
        backups::RunResult::Ok => ExitCode::SUCCESS,
        backups::RunResult::Partial => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    })
}

/// `kontor backup runs`: the recorded runs, newest first.
async fn runs(
    global: &GlobalArgs,
    cloud: bool,
    limit: i64,
    backup: &BackupArgs,
) -> Result<ExitCode> {
    let records = if cloud {
        Source::Cloud {
            directory: cloud_directory(global).await?,
        }
        .records()
    } else {
        single_source(global, open(global).await?).records()
    }
    .map_err(|e| anyhow!("{e}"))?;
    for r in records
        .recent(limit.clamp(1, 1000))
        .await
        .map_err(|e| anyhow!("{e}"))?
    {
        // Per target: ok or failed with the target's error, and what retention deleted there.
        let targets: Vec<String> = r
            .targets
            .iter()
            .map(|t| {
                let mut s = format!("{}={}", t.target, if t.ok { "ok" } else { "failed" });
                if let Some(e) = &t.error {
                    s.push_str(&format!(" ({e})"));
                }
                if !t.deleted.is_empty() {
                    s.push_str(&format!(" deleted {}", t.deleted.join(",")));
                }
                s
            })
            .collect();
        println!(
            "{}\t{}\t{}\t{} bytes\t{}\t{}",
            r.id,
            r.started_at.to_rfc3339(),
            r.result.as_str(),
            r.size_bytes,
            targets.join("; "),
            r.error.as_deref().unwrap_or("")
        );
    }
    // What the targets hold (not what the records say): the newest signed backup on each.
    if let Some(config) = backup_config(backup)? {
        let now = chrono::Utc::now();
        for (target, state) in
            backups::newest_signed(&config.targets, &config.signing.verify_key()).await
        {
            let line = match state {
                Ok(s) => {
                    let mut line = match &s.newest {
                        Some((id, at)) => format!(
                            "newest signed backup {id}, {} min old",
                            (now - *at).num_minutes().max(0)
                        ),
                        None => "no signed backup".to_string(),
                    };
                    for (id, why) in &s.refused {
                        line.push_str(&format!("; refused {id}: {why}"));
                    }
                    line
                }
                Err(e) => format!("cannot read: {e}"),
            };
            println!("target\t{target}\t{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
