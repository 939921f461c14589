//! What each subcommand does.

use anyhow::{Context, Result, anyhow, bail};
use kontor_storage::{Actor, ConnectOptions, Role, Store, StoreError};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::cli::{AuditCommand, Cli, Command, TokenCommand, UserCommand};

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KONTOR_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn open(cli: &Cli) -> Result<Store> {
    match &cli.database {
        Some(url) => {
            let options = ConnectOptions {
                schema: Some(cli.schema.clone()),
                ..Default::default()
            };
            Store::connect(url, options).await.with_context(|| {
                format!(
                    "cannot open database {}",
                    kontor_storage::db::redact_url(url)
                )
            })
        }
        None => Store::open_dir(&cli.data_dir)
            .await
            .with_context(|| format!("cannot open the database in {}", cli.data_dir.display())),
    }
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let store = open(&cli).await?;
    match &cli.command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            http_redirect,
            trusted_proxy,
            tls_reload_seconds,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(kontor_server::tls::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                }),
                _ => None,
            };
            let options = ServeOptions {
                listen: *listen,
                tls,
                http_redirect: *http_redirect,
                trusted_proxies: trusted_proxy.clone(),
                reload_every: std::time::Duration::from_secs((*tls_reload_seconds).max(1)),
            };
            serve(&cli, store, options).await
        }
        Command::Migrate => {
            println!(
                "database schema is current (version {})",
                kontor_storage::migrate::latest_version()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add { name, role }) => {
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
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::List) => {
            for u in store.list_users().await? {
                println!(
                    "{}\t{}\t{}",
                    u.username,
                    u.role.as_str(),
                    if u.active { "active" } else { "inactive" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Create { name, user, role }) => {
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
        Command::Audit(AuditCommand::Verify) => {
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

async fn serve(cli: &Cli, store: Store, options: ServeOptions) -> Result<ExitCode> {
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
    let where_ = match &cli.database {
        Some(url) => kontor_storage::db::redact_url(url),
        None => cli.data_dir.join("kontor.db").display().to_string(),
    };
    eprintln!("Kontor läuft auf / is running on {scheme}://{addr}  (database: {where_})");
    if users == 0 {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "kontor".into());
        let dir = if cli.database.is_some() {
            String::new()
        } else {
            format!(" --data-dir {}", cli.data_dir.display())
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
    let router = kontor_server::app_with(kontor_server::AppState::new(store), transport);
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
