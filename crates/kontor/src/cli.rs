//! The command line: global database options and the subcommands.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Kontor — invoicing for small and medium businesses.
#[derive(Debug, Parser)]
#[command(name = "kontor", version, about, propagate_version = true)]
pub struct Cli {
    /// Folder for the embedded SQLite database and stored files.
    #[arg(
        long,
        global = true,
        env = "KONTOR_DATA_DIR",
        default_value = "kontor-data"
    )]
    pub data_dir: PathBuf,

    /// Database URL (postgres://user:password@host/db). Without it, SQLite in the data folder is used.
    #[arg(
        long,
        global = true,
        env = "KONTOR_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<String>,

    /// PostgreSQL schema that holds this business's tables.
    #[arg(
        long,
        global = true,
        env = "KONTOR_DATABASE_SCHEMA",
        default_value = "kontor"
    )]
    pub schema: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (JSON API under /api/v1).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KONTOR_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// TLS certificate chain (PEM, RSA or ECDSA). With --tls-key, Kontor serves HTTPS only
        /// (TLS 1.3/1.2, ECDHE + AEAD); the files are reloaded when they change.
        #[arg(long, env = "KONTOR_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
        #[arg(long, env = "KONTOR_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Also listen for plain HTTP here, answering only with a redirect to HTTPS.
        #[arg(long, env = "KONTOR_HTTP_REDIRECT", requires = "tls_cert")]
        http_redirect: Option<SocketAddr>,
        /// Proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
        /// X-Forwarded-Proto are believed, e.g. a TLS-terminating HAProxy: 10.0.0.5,fd00::/8.
        #[arg(long, env = "KONTOR_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<kontor_server::TrustedProxy>,
        /// How often (seconds) the TLS files are checked for changes.
        #[arg(long, env = "KONTOR_TLS_RELOAD_SECONDS", default_value_t = 10)]
        tls_reload_seconds: u64,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input, or prompted for on a terminal.
    Add {
        /// Login name.
        name: String,
        /// Role: admin, accountant, sales or auditor.
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it (only the token, on standard output). It is shown once.
    Create {
        /// A name for the token, e.g. the program that uses it.
        name: String,
        /// The user the token acts for (may be left out when there is exactly one user).
        #[arg(long)]
        user: Option<String>,
        /// A lower role than the user's, to limit the token.
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain of the audit log; exits non-zero if an entry was altered or deleted.
    Verify,
}
