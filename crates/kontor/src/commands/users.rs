//! The single business's administration: `migrate`, `user`, `token` and `audit`.

use anyhow::{Result, anyhow, bail};
use kontor_storage::{Actor, Role, Store};
use std::process::ExitCode;

use super::{explain, open, read_password};
use crate::cli::{AuditCommand, GlobalArgs, TokenCommand, UserCommand};

/// `kontor migrate`: opening the store applies pending migrations.
pub(super) async fn migrate(global: &GlobalArgs) -> Result<ExitCode> {
    open(global).await?;
    println!(
        "database schema is current (version {})",
        kontor_storage::migrate::latest_version()
    );
    Ok(ExitCode::SUCCESS)
}

/// `kontor user add` and `kontor user list`.
pub(super) async fn user(global: &GlobalArgs, command: &UserCommand) -> Result<ExitCode> {
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
        UserCommand::SetupCode => match kontor_app::App::new(store).users().setup_code().await? {
            Some(code) => println!("{code}"),
            None => {
                eprintln!("Kontor is set up already: log in with a user's name and password");
                return Ok(ExitCode::FAILURE);
            }
        },
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

/// `kontor token create`: prints the new token, only it, on standard output.
pub(super) async fn token(global: &GlobalArgs, command: &TokenCommand) -> Result<ExitCode> {
    let store = open(global).await?;
    let TokenCommand::Create { name, user, role } = command;
    let secret = new_token(&store, name, user.as_deref(), role.as_deref()).await?;
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

/// A new API token in `store` named `name` for `user` (may be left out when the store has
/// exactly one user), limited to `role` if given; returns the token (shown once).
pub(super) async fn new_token(
    store: &Store,
    name: &str,
    user: Option<&str>,
    role: Option<&str>,
) -> Result<String> {
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
        .map(|r| Role::parse(r).ok_or_else(|| anyhow!("unknown role {r:?}")))
        .transpose()?;
    let (_, secret) = store
        .create_token(&Actor::cli(), user.id, name, role)
        .await
        .map_err(explain)?;
    Ok(secret)
}

/// `kontor audit verify`: exit code 2 when the hash chain is broken.
pub(super) async fn audit(global: &GlobalArgs, command: &AuditCommand) -> Result<ExitCode> {
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
