//! What each subcommand does: `run` hands the command line to the subcommand's module.

mod backup;
mod blobs;
mod check;
mod cloud;
mod einvoice;
mod restore;
mod serve;
mod serve_cloud;
mod startup;
mod tenant;
mod users;

use anyhow::{Context, Result, anyhow, bail};
use kontor_storage::blobstore::{BlobStore, BlobStoreSpec};
use kontor_storage::{ConnectOptions, Store, StoreError};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::cli::{Cli, Command, GlobalArgs};

/// Logs to standard error, filtered by KONTOR_LOG (default: info, sqlx only warnings).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KONTOR_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Runs the subcommand with the global options and its own arguments.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    match &cli.command {
        Command::Serve(args) if args.cloud => serve_cloud::run(global, args).await,
        Command::Serve(args) => serve::run(global, args).await,
        Command::Check(args) => check::run(global, args).await,
        Command::Migrate => users::migrate(global).await,
        Command::User(command) => users::user(global, command).await,
        Command::Token(command) => users::token(global, command).await,
        Command::Audit(command) => users::audit(global, command).await,
        Command::Tenant(command) => tenant::run(global, command).await,
        Command::Backup(command) => backup::run(global, command).await,
        Command::Blobs(command) => blobs::run(global, command).await,
        Command::Restore(args) => restore::run(global, args).await,
        Command::Einvoice(crate::cli::EinvoiceCommand::Check(args)) => einvoice::check(args).await,
        Command::Incoming(crate::cli::IncomingCommand::Import(args)) => {
            einvoice::import(global, args).await
        }
        Command::Incoming(crate::cli::IncomingCommand::Poll) => einvoice::poll(global).await,
        // Handled in `main` before the runtime starts.
        Command::ExtractEinvoice(args) => Ok(kontor_app::incoming::worker::child_main(
            args.memory_mib,
            args.cpu_seconds,
        )),
        Command::RenderTemplate(args) => Ok(kontor_app::rendering::child_main(
            args.memory_mib,
            args.cpu_seconds,
        )),
    }
}

/// The configured blob store (--blob-store), opened at its prefix, for the whole installation.
fn blob_store(global: &GlobalArgs) -> Result<Option<BlobStore>> {
    global
        .blob_store
        .as_deref()
        .map(|text| BlobStoreSpec::parse(text).and_then(|spec| spec.open()))
        .transpose()
        .map_err(|e| anyhow!("{e}"))
}

/// The prefix of a single installation's files in the blob store: --installation, by default
/// `kontor`.
fn installation_prefix(global: &GlobalArgs) -> &str {
    global
        .installation
        .as_deref()
        .unwrap_or(kontor_storage::tenants::Installation::LEGACY_DEFAULT)
}

/// A single installation's part of the blob store: below its name (--installation).
fn installation_blob_store(global: &GlobalArgs) -> Result<Option<BlobStore>> {
    blob_store(global)?
        .map(|b| b.scoped(installation_prefix(global)))
        .transpose()
        .map_err(|e| anyhow!("--installation: {e}"))
}

/// The single business's store (migrated) with its part of the blob store.
async fn open(global: &GlobalArgs) -> Result<Store> {
    let blobs = installation_blob_store(global)?;
    Ok(open_database(global).await?.with_blob_store(blobs))
}

/// The single business's database, migrated: --database, or SQLite in --data-dir.
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

/// Turns a field error into a sentence for the terminal.
fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid { field, message, .. } => anyhow!("{field} {message}"),
        other => anyhow!(other),
    }
}

/// A new password: asked twice on a terminal, else the first line of standard input.
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
