//! `kontor serve` for one business: the web application on its store, over HTTP or HTTPS.

use anyhow::{Context, Result};
use kontor_ops::monitor::Leadership;
use kontor_ops::monitor::checks::Database;
use kontor_storage::Store;
use std::process::ExitCode;
use std::sync::Arc;

use super::backup::{backup_config, single_source};
use super::open;
use super::startup::{Served, Started, Startup};
use crate::cli::{GlobalArgs, ServeArgs};

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

/// `kontor serve` for one business (SQLite or a PostgreSQL schema).
pub(super) async fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<ExitCode> {
    let store = open(global).await?;
    let options = ServeOptions::from_args(args);
    let templates = args.template_budget()?;
    let startup = Startup::new(
        &global.data_dir,
        args,
        backup_config(&args.backup)?,
        Served {
            database: Database::Store(store.clone()),
            leadership: single_leadership(global, &store),
            backup_source: single_source(global, store.clone()),
            blobs: store.blob_store(),
            tls_cert: options.tls.as_ref().map(|t| t.cert.as_path()),
            backups_of: "Backups",
        },
    )?;
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
        let code = kontor_app::App::new(store.clone())
            .users()
            .setup_code()
            .await?
            .unwrap_or_default();
        eprintln!(
            "Noch kein Benutzer / no user yet. Open {scheme}://{addr}/ in a browser to set up Kontor"
        );
        eprintln!("(company profile and the first administrator) with the setup code");
        eprintln!();
        eprintln!("    Einrichtungscode / setup code: {code}");
        eprintln!();
        eprintln!("(`{exe}{dir} user setup-code` shows it again). Or, in a second terminal:");
        eprintln!(
            "  {exe}{dir} user add NAME --role admin    (asks for a password, at least 12 characters)"
        );
        eprintln!(
            "  {exe}{dir} token create my-token         (prints the token for 'Authorization: Bearer …')"
        );
    }
    let Started {
        monitoring,
        backups,
    } = startup.start();
    let mut backup_status: Option<Arc<dyn kontor_app::backups::BackupStatus>> = None;
    if let Some((source, config)) = backups {
        backup_status = Some(Arc::new(crate::backup_page::OpsBackups {
            source,
            config,
            every: args.backup.backup_every.clone(),
            keep_days: args.backup.backup_keep_days,
        }));
    }
    let mut app =
        kontor_app::App::new(store).with_template_budget(&templates, templates.instance_turns());
    if let Some(b) = backup_status {
        app = app.with_backups(b);
    }
    // Issued documents whose PDF was not archived (a crash between issue and archive) are
    // archived in the background, so that serving starts at once.
    let sweep = app.clone();
    tokio::spawn(async move {
        match kontor_app::documents::archive_missing(&sweep, "pdf").await {
            Ok(0) => {}
            Ok(n) => tracing::info!(documents = n, "archived missing PDFs"),
            Err(e) => tracing::warn!(error = %e, "cannot archive missing PDFs"),
        }
    });
    // Received invoices by mail: the mailbox is read every `interval_minutes` of its settings
    // (nothing happens while none is set up); the task ends with the process.
    kontor_app::incoming::mailbox::schedule::spawn(app.clone());
    let transport = kontor_server::Transport {
        tls: options.tls.is_some(),
        trusted_proxies: options.trusted_proxies,
    };
    let server_options = kontor_server::ServerOptions::default()
        .with_transport(transport)
        .with_monitoring(monitoring);
    let application =
        kontor_server::Application::on(kontor_server::router(app, server_options), listener)?;
    match options.tls {
        None => application.run_until_stopped().await?,
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
            application
                .run_tls(files, redirect, options.reload_every)
                .await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
