//! What each subcommand does.

use anyhow::{Context, Result, anyhow, bail};
use kontor_storage::{Actor, ConnectOptions, Role, Store, StoreError};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::cli::{
    AuditCommand, BackupArgs, BackupCommand, BlobsCommand, CheckArgs, Cli, Command, GlobalArgs,
    RestoreArgs, ServeArgs, TenantCommand, TokenCommand, UserCommand,
};
use crate::monitoring::{print_findings, start_watchdog};
use kontor_ops::backup::{self as backups, BackupConfig, BackupId, Identity, Source};
use kontor_ops::monitor::checks::Database;
use kontor_ops::monitor::{Finding, Leadership};
use kontor_storage::blobstore::{BlobStore, BlobStoreSpec};
use kontor_storage::tenants::{Installation, MasterSecret, Provisioner};
use std::sync::Arc;

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KONTOR_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// The configured blob store (--blob-store), opened at its prefix, for the whole installation.
fn blob_store(global: &GlobalArgs) -> Result<Option<BlobStore>> {
    global.blob_store
        .as_deref()
        .map(|text| BlobStoreSpec::parse(text).and_then(|spec| spec.open()))
        .transpose()
        .map_err(|e| anyhow!("{e}"))
}

/// A single installation's part of the blob store: below its name (--installation).
fn installation_blob_store(global: &GlobalArgs) -> Result<Option<BlobStore>> {
    blob_store(global)?
        .map(|b| b.scoped(&global.installation))
        .transpose()
        .map_err(|e| anyhow!("--installation: {e}"))
}

async fn open(global: &GlobalArgs) -> Result<Store> {
    let blobs = installation_blob_store(global)?;
    Ok(open_database(global).await?.with_blob_store(blobs))
}

async fn open_database(global: &GlobalArgs) -> Result<Store> {
    match &global.database {
        Some(url) => {
            let options = ConnectOptions {
                schema: Some(global.schema.clone()),
                ..Default::default()
            };
            Store::connect(url, options).await.with_context(|| {
                format!(
                    "cannot open database {}",
                    kontor_storage::db::redact_url(url)
                )
            })
        }
        None => Store::open_dir(&global.data_dir)
            .await
            .with_context(|| format!("cannot open the database in {}", global.data_dir.display())),
    }
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    match &cli.command {
        Command::Serve(args) if args.cloud => serve_cloud(global, args).await,
        Command::Serve(args) => serve(global, args).await,
        Command::Check(args) => check(global, args).await,
        Command::Migrate => migrate(global).await,
        Command::User(command) => user(global, command).await,
        Command::Token(command) => token(global, command).await,
        Command::Audit(command) => audit(global, command).await,
        Command::Tenant(command) => tenant(global, command).await,
        Command::Backup(command) => backup(global, command).await,
        Command::Blobs(command) => blobs(global, command).await,
        Command::Restore(args) => restore(global, args).await,
    }
}

/// `kontor migrate`: opening the store applies pending migrations.
async fn migrate(global: &GlobalArgs) -> Result<ExitCode> {
    open(global).await?;
    println!(
        "database schema is current (version {})",
        kontor_storage::migrate::latest_version()
    );
    Ok(ExitCode::SUCCESS)
}

async fn user(global: &GlobalArgs, command: &UserCommand) -> Result<ExitCode> {
    let store = open(global).await?;
    match command {
        UserCommand::Add { name, role } => {
            let role = Role::parse(role).ok_or_else(|| {
                anyhow!("unknown role {role:?} (admin, accountant, sales, auditor)")
            })?;
            let password = read_password()?;
            let user = store
                .create_user(&Actor::cli(), name, &password, role)
                .await
                .map_err(explain)?;
            eprintln!(
                "user {} created with role {}",
                user.username,
                user.role.as_str()
            );
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                println!(
                    "{}\t{}\t{}",
                    u.username,
                    u.role.as_str(),
                    if u.active { "active" } else { "inactive" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(global: &GlobalArgs, command: &TokenCommand) -> Result<ExitCode> {
    let store = open(global).await?;
    let TokenCommand::Create { name, user, role } = command;
    let user = match user {
        Some(u) => store.user_by_name(u).await.map_err(explain)?,
        None => {
            let users = store.list_users().await?;
            match users.as_slice() {
                [only] => only.clone(),
                [] => bail!(
                    "there is no user yet; create one with `kontor user add NAME --role admin`"
                ),
                _ => bail!("there are several users; name one with --user"),
            }
        }
    };
    let role = role
        .as_deref()
        .map(|r| Role::parse(r).ok_or_else(|| anyhow!("unknown role {r:?}")))
        .transpose()?;
    let (_, secret) = store
        .create_token(&Actor::cli(), user.id, name, role)
        .await
        .map_err(explain)?;
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

async fn audit(global: &GlobalArgs, command: &AuditCommand) -> Result<ExitCode> {
    let store = open(global).await?;
    match command {
        AuditCommand::Verify => {
            let report = store.audit_verify().await?;
            if report.ok() {
                println!(
                    "audit log intact: {} entries, hash chain verified",
                    report.entries
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!("audit log NOT intact ({} entries checked):", report.entries);
                for p in &report.problems {
                    println!("  - {p}");
                }
                Ok(ExitCode::from(2))
            }
        }
    }
}

/// Turns a field error into a sentence for the terminal.
fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid { field, message } => anyhow!("{field} {message}"),
        other => anyhow!(other),
    }
}

fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            bail!("the passwords do not match");
        }
        Ok(first)
    } else {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("cannot read the password from standard input")?;
        let password = input.lines().next().unwrap_or("").to_string();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        Ok(password)
    }
}

/// How `kontor serve` is reached.
struct ServeOptions {
    listen: std::net::SocketAddr,
    tls: Option<kontor_server::tls::TlsFiles>,
    http_redirect: Option<std::net::SocketAddr>,
    trusted_proxies: Vec<kontor_server::TrustedProxy>,
    reload_every: std::time::Duration,
}

impl ServeOptions {
    fn from_args(args: &ServeArgs) -> ServeOptions {
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(kontor_server::tls::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        };
        ServeOptions {
            listen: args.listen,
            tls,
            http_redirect: args.http_redirect,
            trusted_proxies: args.trusted_proxy.clone(),
            reload_every: std::time::Duration::from_secs(args.tls_reload_seconds.max(1)),
        }
    }
}

/// The watchdog's lock: a file next to SQLite, an advisory lock in PostgreSQL.
fn single_leadership(global: &GlobalArgs, store: &Store) -> Leadership {
    match store.backend() {
        kontor_storage::Backend::Sqlite => Leadership::file(global.data_dir.join("watchdog.lock")),
        kontor_storage::Backend::Postgres => {
            Leadership::postgres(store.pool().clone(), format!("schema:{}", global.schema))
        }
    }
}

async fn serve(global: &GlobalArgs, args: &ServeArgs) -> Result<ExitCode> {
    let store = open(global).await?;
    let options = ServeOptions::from_args(args);
    let ServeArgs {
        monitor, backup, ..
    } = args;
    let backup_config = backup_config(backup)?;
    let mut monitoring = monitor.monitoring(Some(&global.data_dir), &options.trusted_proxies)?;
    let database = Database::Store(store.clone());
    let mut checks = monitor.checks(
        Some(database.clone()),
        Some(&global.data_dir),
        options.tls.as_ref().map(|t| t.cert.as_path()),
        Some(Arc::new(kontor_server::monitoring::request_counts)),
    )?;
    checks.extend(backup_check(backup_config.as_ref(), Some(&database))?);
    checks.extend(blob_store_check(store.blob_store(), Some(&mut monitoring)));
    let watchdog = monitor.watchdog(checks, single_leadership(global, &store))?;
    let users = store.user_count().await?;
    let listen = options.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let where_ = match &global.database {
        Some(url) => kontor_storage::db::redact_url(url),
        None => global.data_dir.join("kontor.db").display().to_string(),
    };
    eprintln!("Kontor läuft auf / is running on {scheme}://{addr}  (database: {where_})");
    if let Some(b) = store.blob_store() {
        eprintln!("New files go to the blob store {}", b.name());
    }
    if users == 0 {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "kontor".into());
        let dir = if global.database.is_some() {
            String::new()
        } else {
            format!(" --data-dir {}", global.data_dir.display())
        };
        eprintln!(
            "Noch kein Benutzer / no user yet. Open {scheme}://{addr}/ in a browser to set up Kontor"
        );
        eprintln!("(company profile and the first administrator). Or, in a second terminal:");
        eprintln!(
            "  {exe}{dir} user add NAME --role admin    (asks for a password, at least 12 characters)"
        );
        eprintln!(
            "  {exe}{dir} token create my-token         (prints the token for 'Authorization: Bearer …')"
        );
    }
    let mut backup_status: Option<Arc<dyn kontor_web::backup_status::BackupStatus>> = None;
    if let Some(config) = backup_config {
        let source = single_source(global, store.clone())?;
        eprintln!(
            "Backups every {} to {} target(s), kept {} days",
            backup.backup_every,
            config.targets.len(),
            backup.backup_keep_days
        );
        backup_status = Some(Arc::new(crate::backup_page::OpsBackups {
            source: source.clone(),
            config: config.clone(),
            every: backup.backup_every.clone(),
            keep_days: backup.backup_keep_days,
        }));
        backups::spawn_schedule(source, config);
    }
    // Issued documents whose PDF was not archived (a crash between issue and archive) are
    // archived in the background, so that serving starts at once.
    let sweep = store.clone();
    tokio::spawn(async move {
        match kontor_web::archive::archive_missing(&sweep, "pdf").await {
            Ok(0) => {}
            Ok(n) => tracing::info!(documents = n, "archived missing PDFs"),
            Err(e) => tracing::warn!(error = %e, "cannot archive missing PDFs"),
        }
    });
    let transport = kontor_server::Transport {
        tls: options.tls.is_some(),
        trusted_proxies: options.trusted_proxies,
    };
    start_watchdog(watchdog, monitor.check_interval);
    let mut state = kontor_server::AppState::new(store).with_monitoring(monitoring);
    if let Some(b) = backup_status {
        state = state.with_backups(b);
    }
    let router = kontor_server::app_with(state, transport);
    match options.tls {
        None => kontor_server::serve_router(router, listener).await?,
        Some(files) => {
            let redirect = match options.http_redirect {
                Some(at) => Some(
                    tokio::net::TcpListener::bind(at)
                        .await
                        .with_context(|| format!("cannot listen on {at} (--http-redirect)"))?,
                ),
                None => None,
            };
            if let Some(r) = &redirect {
                eprintln!(
                    "Plain HTTP on http://{} redirects to HTTPS",
                    r.local_addr()?
                );
            }
            kontor_server::serve_tls(
                router,
                listener.into_std()?,
                files,
                redirect,
                options.reload_every,
            )
            .await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The master secret: KONTOR_MASTER_SECRET, or the file named by --master-secret-file.
fn master_secret(global: &GlobalArgs) -> Result<MasterSecret> {
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

fn cloud_url(global: &GlobalArgs) -> Result<&str> {
    match global.database.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(url),
        _ => bail!("cloud mode needs PostgreSQL: --database postgres://… (or KONTOR_DATABASE_URL)"),
    }
}

fn installation(global: &GlobalArgs) -> Result<Installation> {
    Installation::new(&global.installation)
        .map_err(|e| anyhow!("--installation {:?}: {}", global.installation, e))
}

async fn serve_cloud(global: &GlobalArgs, args: &ServeArgs) -> Result<ExitCode> {
    let ServeArgs {
        listen,
        base_domain,
        tenant_pool,
        max_open_tenants,
        tenant_idle_secs,
        operator_token_file,
        trusted_proxy,
        monitor,
        backup,
        ..
    } = args;
    let backup_config = backup_config(backup)?;
    let url = cloud_url(global)?;
    let blobs = blob_store(global)?;
    let directory = kontor_storage::tenants::Directory::connect(
        url,
        installation(global)?,
        master_secret(global)?,
    )
    .await
    .with_context(|| {
        format!(
            "cannot reach the control schema at {} (run `kontor tenant list` with the admin URL once to set it up)",
            kontor_storage::db::redact_url(url)
        )
    })?
    .with_blob_store(blobs.clone());
    if *tenant_pool == 0 || *max_open_tenants == 0 {
        bail!("--tenant-pool and --max-open-tenants must be at least 1");
    }
    let mut monitoring = monitor.monitoring(Some(&global.data_dir), trusted_proxy)?;
    let blob_check = blob_store_check(blobs.as_ref(), Some(&mut monitoring));
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
    };
    let database = Database::Cloud(directory.clone());
    let mut checks = monitor.checks(
        Some(database.clone()),
        Some(&global.data_dir),
        None,
        Some(Arc::new(kontor_server::monitoring::request_counts)),
    )?;
    checks.extend(backup_check(backup_config.as_ref(), Some(&database))?);
    checks.extend(blob_check);
    let leadership = Leadership::postgres(
        directory.pool().clone(),
        format!("installation:{}", global.installation),
    );
    let watchdog = monitor.watchdog(checks, leadership)?;
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
            let provisioner = Provisioner::connect(url, installation(global)?, master_secret(global)?)
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
    if let Some(backup_config) = backup_config {
        eprintln!(
            "Backups of every tenant every {} to {} target(s), kept {} days",
            backup.backup_every,
            backup_config.targets.len(),
            backup.backup_keep_days
        );
        backups::spawn_schedule(
            Source::Cloud {
                directory: directory.clone(),
            },
            backup_config,
        );
    }
    start_watchdog(watchdog, monitor.check_interval);
    let cloud = kontor_server::cloud::Cloud::new(directory, config);
    kontor_server::serve_app(kontor_server::cloud::app(cloud, operator), listener).await?;
    Ok(ExitCode::SUCCESS)
}

async fn tenant(global: &GlobalArgs, command: &TenantCommand) -> Result<ExitCode> {
    let url = cloud_url(global)?;
    let provisioner = Provisioner::connect(url, installation(global)?, master_secret(global)?)
        .await
        .map_err(explain)
        .with_context(|| {
            format!(
                "cannot set up cloud mode in {}",
                kontor_storage::db::redact_url(url)
            )
        })?
        .with_blob_store(blob_store(global)?);
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

/// `kontor check`: the watchdog's checks once, one line per finding, exit code 2 on a problem.
async fn check(global: &GlobalArgs, args: &CheckArgs) -> Result<ExitCode> {
    let CheckArgs {
        cloud,
        tls_cert,
        monitor,
        backup,
    } = args;
    let mut findings = Vec::new();
    let database = if *cloud {
        let url = cloud_url(global)?;
        kontor_storage::tenants::Directory::connect(url, installation(global)?, master_secret(global)?)
            .await
            .map(Database::Cloud)
            .map_err(|e| anyhow!(e))
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
    checks.extend(backup);
    checks.extend(blob_store_check(blobs.as_ref(), None));
    findings
        .extend(kontor_ops::monitor::run_all(&checks, std::time::Duration::from_secs(20)).await);
    Ok(print_findings(&findings))
}

// ---------------------------------------------------------------------------------------------
// Backups
// ---------------------------------------------------------------------------------------------

/// The backup settings, if backups are configured (a target and a recipient).
fn backup_config(args: &BackupArgs) -> Result<Option<BackupConfig>> {
    match (args.backup_target.is_empty(), &args.backup_recipient) {
        (true, None) => Ok(None),
        (false, None) => bail!(
            "--backup-target is set but --backup-recipient is not (the age public key; see `kontor backup keygen`)"
        ),
        (true, Some(_)) => bail!("--backup-recipient is set but no --backup-target"),
        (false, Some(recipient)) => Ok(Some(
            BackupConfig::from_settings(
                &args.backup_target,
                recipient,
                &args.backup_every,
                args.backup_keep_days,
            )
            .map_err(|e| anyhow!("{e}"))?,
        )),
    }
}

fn backup_targets(args: &BackupArgs) -> Result<Vec<backups::TargetSpec>> {
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
fn sqlite_path(global: &GlobalArgs) -> std::path::PathBuf {
    match global.database.as_deref() {
        Some(url) if url.starts_with("sqlite:") => {
            let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
            std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest))
        }
        _ => global.data_dir.join("kontor.db"),
    }
}

/// The watchdog's look at backups (age of the last complete one, targets writable), when
/// backups are configured.
fn backup_check(
    config: Option<&BackupConfig>,
    database: Option<&Database>,
) -> Result<Option<Arc<dyn kontor_ops::monitor::Check>>> {
    let (Some(config), Some(database)) = (config, database) else {
        return Ok(None);
    };
    let records = match database {
        Database::Store(store) => backups::Records::for_store(store),
        Database::Cloud(directory) => backups::Records::for_control(
            directory.control_pool().clone(),
            &directory.installation().control_schema(),
        )
        .map_err(|e| anyhow!("{e}"))?,
    };
    Ok(Some(Arc::new(backups::BackupCheck::new(
        records,
        config.targets.clone(),
        config.every,
    ))))
}

fn single_source(global: &GlobalArgs, store: Store) -> Result<Source> {
    Ok(match store.backend() {
        kontor_storage::Backend::Sqlite => Source::Sqlite {
            store,
            path: sqlite_path(global),
        },
        kontor_storage::Backend::Postgres => Source::Postgres { store },
    })
}

async fn cloud_directory(global: &GlobalArgs) -> Result<kontor_storage::tenants::Directory> {
    let url = cloud_url(global)?;
    let blobs = blob_store(global)?;
    Ok(
        kontor_storage::tenants::Directory::connect(url, installation(global)?, master_secret(global)?)
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

/// The watchdog's look at the blob store; its last result also decides `/readyz`.
fn blob_store_check(
    store: Option<&BlobStore>,
    monitoring: Option<&mut kontor_server::monitoring::Monitoring>,
) -> Option<Arc<dyn kontor_ops::monitor::Check>> {
    let check = kontor_ops::monitor::checks::BlobStoreCheck::new(store?.clone());
    if let Some(monitoring) = monitoring {
        monitoring.readiness.push(Arc::new(check.readiness()));
    }
    Some(Arc::new(check))
}

// ---------------------------------------------------------------------------------------------
// Files (blob store)
// ---------------------------------------------------------------------------------------------

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

async fn blobs(global: &GlobalArgs, command: &BlobsCommand) -> Result<ExitCode> {
    let (cloud, tenant) = match command {
        BlobsCommand::Move { cloud, tenant, .. } | BlobsCommand::Check { cloud, tenant } => {
            (*cloud, tenant.as_deref())
        }
    };
    if tenant.is_some() && !cloud {
        bail!("--tenant needs --cloud");
    }
    // (name for messages, scope in the blob store, store)
    let mut stores: Vec<(String, String, Store)> = Vec::new();
    if cloud {
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
            let scope = directory.installation().tenant_role(t.id);
            stores.push((format!("tenant {}", t.slug), scope, store));
        }
    } else {
        stores.push((
            "installation".into(),
            global.installation.clone(),
            open(global).await?,
        ));
    }
    let mut bad = 0;
    match command {
        BlobsCommand::Move { to, .. } if to == "database" => {
            for (name, _, store) in &stores {
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
        }
        BlobsCommand::Move { to, .. } => {
            let spec = BlobStoreSpec::parse(to).map_err(|e| anyhow!("--to: {e}"))?;
            let dest = spec.open().map_err(|e| anyhow!("--to: {e}"))?;
            for (name, scope, store) in &stores {
                let scoped = dest.scoped(scope).map_err(explain)?;
                let moved = store.move_blobs_to_store(&scoped).await;
                bad += print_move(name, &format!("to {}", scoped.name()), moved);
            }
            if bad == 0 {
                eprintln!("Start Kontor with --blob-store '{to}' from now on (KONTOR_BLOB_STORE).");
            }
        }
        BlobsCommand::Check { .. } => {
            for (name, _, store) in &stores {
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
        }
    }
    for (_, _, store) in &stores {
        store.close().await;
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn read_identity(path: &std::path::Path) -> Result<Identity> {
    Identity::from_file(path).map_err(|e| anyhow!("{e}"))
}

fn parse_id(id: &str) -> Result<BackupId> {
    BackupId::parse(id).map_err(|e| anyhow!("{e}"))
}

async fn backup(global: &GlobalArgs, command: &BackupCommand) -> Result<ExitCode> {
    match command {
        BackupCommand::Keygen { out } => {
            let (identity, recipient) = backups::generate_identity(chrono::Utc::now());
            match out {
                Some(path) => {
                    use std::io::Write;
                    #[cfg(unix)]
                    use std::os::unix::fs::OpenOptionsExt;
                    let mut options = std::fs::OpenOptions::new();
                    options.write(true).create_new(true);
                    #[cfg(unix)]
                    options.mode(0o600);
                    let mut file = options.open(path).with_context(|| {
                        format!("cannot create {} (it must not exist yet)", path.display())
                    })?;
                    file.write_all(identity.as_bytes())
                        .and_then(|_| file.sync_all())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "identity written to {}: keep it (and a copy) away from the server and the backup targets; it is needed to restore",
                        path.display()
                    );
                }
                None => print!("{identity}"),
            }
            println!("{recipient}");
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::List { backup } => {
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
        BackupCommand::Verify {
            id,
            identity,
            backup,
        } => {
            let targets = backup_targets(backup)?;
            let identity = read_identity(identity)?;
            let id = parse_id(id)?;
            let results = backups::verify(&targets, &id, &identity)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let mut bad = 0;
            for (target, result) in &results {
                match result {
                    Ok(m) => println!(
                        "ok\t{target}\t{} files, {} bytes, every checksum matches and every file decrypts",
                        m.files.len(),
                        m.total_size()
                    ),
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
        BackupCommand::Run { cloud, backup } => {
            let Some(config) = backup_config(backup)? else {
                bail!("no backup configured: give --backup-target and --backup-recipient");
            };
            let source = if *cloud {
                Source::Cloud {
                    directory: cloud_directory(global).await?,
                }
            } else {
                single_source(global, open(global).await?)?
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
        BackupCommand::Runs { cloud, limit } => {
            let records = if *cloud {
                Source::Cloud {
                    directory: cloud_directory(global).await?,
                }
                .records()
            } else {
                single_source(global, open(global).await?)?.records()
            }
            .map_err(|e| anyhow!("{e}"))?;
            for r in records
                .recent((*limit).clamp(1, 1000))
                .await
                .map_err(|e| anyhow!("{e}"))?
            {
                let targets: Vec<String> = r
                    .targets
                    .iter()
                    .map(|t| format!("{}={}", t.target, if t.ok { "ok" } else { "failed" }))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{} bytes\t{}\t{}",
                    r.id,
                    r.started_at.to_rfc3339(),
                    r.result.as_str(),
                    r.size_bytes,
                    targets.join(" "),
                    r.error.as_deref().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn restore(global: &GlobalArgs, args: &RestoreArgs) -> Result<ExitCode> {
    let RestoreArgs {
        id,
        identity,
        to,
        tenant,
        cloud,
        backup,
    } = args;
    let targets = backup_targets(backup)?;
    let identity = read_identity(identity)?;
    let id = parse_id(id)?;
    let report = if *cloud {
        let url = cloud_url(global)?;
        let provisioner = Provisioner::connect(url, installation(global)?, master_secret(global)?)
            .await
            .map_err(explain)
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
