//! The command line: global database options and the subcommands.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Kontor — invoicing for small and medium businesses.
#[derive(Debug, Parser)]
#[command(name = "kontor", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every subcommand takes: where the database and the files are, and which
/// cloud installation.
#[derive(Debug, Args)]
pub struct GlobalArgs {
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

    /// Cloud mode: file holding the master secret from which tenant database passwords are
    /// derived (at least 32 bytes, mode 600). KONTOR_MASTER_SECRET may hold the secret itself.
    #[arg(long, global = true, env = "KONTOR_MASTER_SECRET_FILE")]
    pub master_secret_file: Option<PathBuf>,

    /// Cloud mode: name of this installation (prefix of its roles and schemas; roles are
    /// shared by all databases of a PostgreSQL cluster, so each installation needs its own).
    /// Default: kontor_DATABASE, or kontor for an installation made before that default.
    /// Without cloud mode: the prefix of the files in --blob-store (default kontor).
    #[arg(long, global = true, env = "KONTOR_INSTALLATION")]
    pub installation: Option<String>,

    /// Keep new files (logos, archived PDF/XML) in an S3-compatible bucket instead of the
    /// database: s3://BUCKET[/PREFIX]?endpoint=URL[&region=R][&prefix=P] (credentials from
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, never in the URL). Files already in the
    /// database stay there until `kontor blobs move`. See docs/files.md.
    #[arg(long, global = true, env = "KONTOR_BLOB_STORE")]
    pub blob_store: Option<String>,
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing the serve options buys nothing"
)]
pub enum Command {
    /// Start the web server (JSON API under /api/v1).
    Serve(ServeArgs),
    /// Run the watchdog's checks once, print one line per finding and exit with 2 if any is
    /// a problem (for external monitors). In cloud mode add --cloud.
    Check(CheckArgs),
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
    /// Cloud mode: manage tenants (--database is the operator's admin URL here).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Back up the database and every stored file; list and verify backups.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Stored files: move them between the database and a blob store, check every one.
    #[command(subcommand)]
    Blobs(BlobsCommand),
    /// Restore a backup into a new data folder, schema or tenant (never over existing data).
    /// Files the backup holds from a blob store go into the restored database.
    Restore(RestoreArgs),
    /// Received e-invoices: check files against EN 16931 / XRechnung (no database needed).
    #[command(subcommand)]
    Einvoice(EinvoiceCommand),
    /// Received invoices (payables): import files, read the mailbox.
    #[command(subcommand)]
    Incoming(IncomingCommand),
    /// Internal: reads one received PDF's attachments under limits, the PDF on stdin and the
    /// answer on stdout (the server starts it; see kontor_app::incoming::worker).
    #[command(name = "extract-einvoice", hide = true)]
    ExtractEinvoice(RenderTemplateArgs),
    /// Internal: compiles one own document template under limits, the job on stdin and the
    /// answer on stdout (the server starts it; see kontor_pdf::sandbox).
    #[command(name = "render-template", hide = true)]
    RenderTemplate(RenderTemplateArgs),
}

#[derive(Debug, Subcommand)]
pub enum EinvoiceCommand {
    /// Read and check XRechnung (UBL, CII) and ZUGFeRD / Factur-X files; print each finding.
    /// Exit 0: all valid; 1: a fatal finding; 2: a file is not an e-invoice at all.
    #[command(disable_version_flag = true)]
    Check(EinvoiceCheckArgs),
}

#[derive(Debug, Args)]
pub struct EinvoiceCheckArgs {
    /// Print the version of the official rule sets the checker follows, and exit.
    #[arg(long)]
    pub version: bool,
    /// One JSON object per file instead of text.
    #[arg(long)]
    pub json: bool,
    /// Language of the messages: en (default) or de.
    #[arg(long, value_parser = ["en", "de"])]
    pub lang: Option<String>,
    /// The files (XML or PDF).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum IncomingCommand {
    /// Import received invoice files (XML or PDF); one JSON line per file.
    Import(IncomingImportArgs),
    /// Read the mailbox once (as set up in the settings): import its e-invoices, file its
    /// mails, print the report as JSON. Exit 1 when the run or a mail failed.
    Poll,
}

#[derive(Debug, Args)]
pub struct IncomingImportArgs {
    /// Language of the findings' messages: en (default) or de.
    #[arg(long, value_parser = ["en", "de"])]
    pub lang: Option<String>,
    /// The files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// The limits the server gives a template child process.
#[derive(Debug, Args)]
pub struct RenderTemplateArgs {
    /// Address space in MiB.
    #[arg(long)]
    pub memory_mib: u64,
    /// CPU time in seconds.
    #[arg(long)]
    pub cpu_seconds: u64,
}

/// `kontor serve`: where it listens, TLS, cloud mode, monitoring and scheduled backups.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KONTOR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM, RSA or ECDSA). With --tls-key, Kontor serves HTTPS only
    /// (TLS 1.3/1.2, ECDHE + AEAD); the files are reloaded when they change.
    #[arg(long, env = "KONTOR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "KONTOR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Also listen for plain HTTP here, answering only with a redirect to HTTPS.
    #[arg(long, env = "KONTOR_HTTP_REDIRECT", requires = "tls_cert")]
    pub http_redirect: Option<SocketAddr>,
    /// Proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed, e.g. a TLS-terminating HAProxy: 10.0.0.5,fd00::/8.
    #[arg(long, env = "KONTOR_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<kontor_server::TrustedProxy>,
    /// How often (seconds) the TLS files are checked for changes.
    #[arg(long, env = "KONTOR_TLS_RELOAD_SECONDS", default_value_t = 10)]
    pub tls_reload_seconds: u64,
    /// Serve many tenants (PostgreSQL only; see `kontor tenant`). The database URL then
    /// only names the server and database: every connection uses a tenant's own role.
    #[arg(long, env = "KONTOR_CLOUD")]
    pub cloud: bool,
    /// Cloud mode: `example.com` routes `acme.example.com` to tenant acme. Without it the
    /// tenant is chosen on the login page.
    #[arg(long, env = "KONTOR_BASE_DOMAIN")]
    pub base_domain: Option<String>,
    /// Cloud mode: connections per tenant pool.
    #[arg(long, env = "KONTOR_TENANT_POOL", default_value_t = 4)]
    pub tenant_pool: u32,
    /// Cloud mode: tenants with an open pool at most (least recently used are closed);
    /// together with --tenant-pool this caps the database connections of this instance.
    #[arg(long, env = "KONTOR_MAX_OPEN_TENANTS", default_value_t = 200)]
    pub max_open_tenants: usize,
    /// Cloud mode: seconds without requests after which a tenant's pool is closed.
    #[arg(long, env = "KONTOR_TENANT_IDLE_SECS", default_value_t = 120)]
    pub tenant_idle_secs: u64,
    /// Cloud mode: file with the operator API's bearer token (at least 32 characters).
    /// Enables /operator/v1, which uses the --database URL as the admin connection.
    #[arg(long, env = "KONTOR_OPERATOR_TOKEN_FILE")]
    pub operator_token_file: Option<PathBuf>,
    /// Own document templates: seconds one compilation (a document, or the check when a
    /// template is saved) may take before it is stopped; also its CPU time.
    #[arg(long, env = "KONTOR_TEMPLATE_SECONDS", default_value_t = 10)]
    pub template_seconds: u64,
    /// Own document templates: memory in MiB (address space of the compiling process, about
    /// 100 MiB of it the program itself) one compilation may use.
    #[arg(long, env = "KONTOR_TEMPLATE_MEMORY_MIB", default_value_t = 1024)]
    pub template_memory_mib: u64,
    /// Own document templates compiled at once in this instance, all tenants together (one
    /// business or cloud tenant compiles one at a time).
    #[arg(long, env = "KONTOR_TEMPLATE_RENDERS", default_value_t = 2)]
    pub template_renders: usize,
    #[command(flatten)]
    pub monitor: crate::monitoring::MonitorArgs,
    /// Scheduled backups (on when a target and a recipient are configured).
    #[command(flatten)]
    pub backup: BackupArgs,
}

impl ServeArgs {
    /// The budget of own document templates from the options.
    pub fn template_budget(&self) -> anyhow::Result<kontor_app::TemplateBudget> {
        if self.template_seconds == 0 || self.template_memory_mib < 64 || self.template_renders == 0
        {
            anyhow::bail!(
                "--template-seconds and --template-renders must be at least 1, --template-memory-mib at least 64"
            );
        }
        Ok(kontor_app::TemplateBudget {
            limits: kontor_app::rendering::Limits {
                time: std::time::Duration::from_secs(self.template_seconds),
                memory_mib: self.template_memory_mib,
            },
            instance_wide: self.template_renders,
            ..kontor_app::TemplateBudget::default()
        })
    }
}

/// `kontor check`: which database and certificate, and the monitoring and backup settings.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check cloud mode's control schema instead of one business's database.
    #[arg(long, env = "KONTOR_CLOUD")]
    pub cloud: bool,
    /// Also check this TLS certificate's expiry.
    #[arg(long, env = "KONTOR_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    #[command(flatten)]
    pub monitor: crate::monitoring::MonitorArgs,
    /// The backup schedule and targets, for the backup check.
    #[command(flatten)]
    pub backup: BackupArgs,
}

/// `kontor restore`: which backup, its key, and where to restore it.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup's id (see `kontor backup list`).
    pub id: String,
    /// The identity file (secret key) the backup is encrypted to; the verify key it holds
    /// (from `kontor backup keygen`) checks the backup's signature.
    #[arg(long)]
    pub identity: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// SQLite: a new (missing or empty) data folder. PostgreSQL: a new schema.
    /// Cloud: the new tenant's name (with --tenant).
    #[arg(long)]
    pub to: Option<String>,
    /// Cloud: restore only this tenant of the backup (as --to, or under its own name).
    #[arg(long)]
    pub tenant: Option<String>,
    /// Restore a cloud backup (--database is the operator's admin URL; tenants are
    /// created in --installation and must not exist there).
    #[arg(long)]
    pub cloud: bool,
    #[command(flatten)]
    pub backup: BackupArgs,
}

/// Where backups go and how they are made (flags or environment).
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// A backup target: an absolute local folder, or s3://BUCKET/PREFIX[?endpoint=URL&region=R]
    /// (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Repeatable; every backup
    /// goes to every target.
    #[arg(
        long = "backup-target",
        env = "KONTOR_BACKUP_TARGETS",
        value_delimiter = ','
    )]
    pub backup_target: Vec<String>,
    /// The public key (age1…) backups are encrypted to; see `kontor backup keygen`. The
    /// secret key is not needed here and must not be kept next to the backups.
    #[arg(long, env = "KONTOR_BACKUP_RECIPIENT")]
    pub backup_recipient: Option<String>,
    /// The file with the key every backup's manifest is signed with (see `kontor backup
    /// keygen`); needed with --backup-target. Keep it with the server's settings, never on a
    /// target: verify and restore check the signature with the matching verify key.
    #[arg(long, env = "KONTOR_BACKUP_SIGNING_KEY_FILE")]
    pub backup_signing_key: Option<PathBuf>,
    /// How often `kontor serve` backs up (e.g. 6h, 30m, 1d).
    #[arg(long, env = "KONTOR_BACKUP_EVERY", default_value = "6h")]
    pub backup_every: String,
    /// Days backups are kept on every target (the newest complete one always stays).
    #[arg(long, env = "KONTOR_BACKUP_KEEP_DAYS", default_value_t = 30)]
    pub backup_keep_days: i64,
}

/// Which backups `verify` and `restore` trust.
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// A verify key (kontor-backup-verify-key-…) that checks backup signatures, in addition
    /// to those in the identity file. Repeatable. Never taken from a target.
    #[arg(
        long = "verify-key",
        env = "KONTOR_BACKUP_VERIFY_KEY",
        value_delimiter = ','
    )]
    pub verify_key: Vec<String>,
    /// Also accept backups without a signature (made before Kontor signed backups). Only for
    /// a backup you know is yours: anyone who can write to a target can put an unsigned one
    /// there. A wrong signature is never accepted.
    #[arg(long)]
    pub accept_unsigned: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Make a backup now and send it to every target; exits 2 when a target failed, 1 when
    /// no target got it.
    Run {
        /// Back up a cloud installation: every tenant through its own role, plus the control
        /// data (--database names the server; credentials come from the master secret).
        #[arg(long, env = "KONTOR_CLOUD")]
        cloud: bool,
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Create the keys: the identity (secret key that opens backups, with the verify key that
    /// checks their signatures) to --out (or printed), the signing key for the server to
    /// --signing-key-out; prints the recipient (public key) for --backup-recipient.
    Keygen {
        /// File to write the identity to (mode 600; must not exist). It belongs to the
        /// operator, away from the server and the targets.
        #[arg(long)]
        out: Option<PathBuf>,
        /// File to write the signing key to (mode 600; must not exist), for the server's
        /// --backup-signing-key.
        #[arg(long)]
        signing_key_out: PathBuf,
    },
    /// Create only a signing key (for an installation that has an identity already): writes
    /// it to --out and prints its verify key, to add to the identity file as a line of its own
    /// (or to give verify and restore as --verify-key).
    SigningKeygen {
        /// File to write the signing key to (mode 600; must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// List the backups on every target.
    List {
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// Download, decrypt and check every file of a backup on every target holding it; names
    /// a corrupt or truncated file. Exits 2 when a copy is bad.
    Verify {
        id: String,
        /// The identity file (secret key, and the verify key that checks the signature).
        #[arg(long)]
        identity: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        #[command(flatten)]
        backup: BackupArgs,
    },
    /// The recorded backup runs, newest first; with the targets and the signing key
    /// configured, also the newest signed backup on every target and its age.
    Runs {
        #[arg(long, env = "KONTOR_CLOUD")]
        cloud: bool,
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[command(flatten)]
        backup: BackupArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BlobsCommand {
    /// Move every file kept in the database into a blob store (--to s3://BUCKET?endpoint=…),
    /// or every file kept in the --blob-store back (--to database). Each file is uploaded,
    /// read back and checked before its row changes; run it again after an interruption.
    Move {
        /// s3://BUCKET[/PREFIX]?endpoint=URL (or file:///FOLDER), or `database`.
        #[arg(long)]
        to: String,
        /// Cloud mode: every active tenant (each under its own prefix), or --tenant.
        #[arg(long, env = "KONTOR_CLOUD")]
        cloud: bool,
        /// Cloud mode: only this tenant.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Read every file (database or blob store) and check its SHA-256; exits 2 on a problem.
    Check {
        #[arg(long, env = "KONTOR_CLOUD")]
        cloud: bool,
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant: its database role, schema, tables and first administrator (whose
    /// password is read from standard input, or prompted for on a terminal).
    Create {
        /// The tenant's short name (a-z, 0-9, -), also its host name TENANT.example.com.
        name: String,
        /// Login name of the first administrator.
        #[arg(long)]
        admin: String,
        /// The company's name (default: the short name).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List tenants: name, state, schema version, created, exported.
    List,
    /// Suspend a tenant: nobody can log in, its database role is locked.
    Suspend { name: String },
    /// Let a suspended tenant in again.
    Resume { name: String },
    /// Write everything the tenant owns into a ZIP file (JSON and CSV per table, archived
    /// PDF and XML files).
    Export {
        name: String,
        /// The ZIP file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Delete a tenant for good (its schema and role). Needs an export first.
    Delete {
        name: String,
        /// The tenant's name again, as confirmation.
        #[arg(long)]
        confirm: String,
    },
    /// Migrate every tenant to this version (resumable: run it again after an interruption).
    Migrate,
    /// Manage a tenant's API tokens (through the master secret, no password on the command
    /// line).
    #[command(subcommand)]
    Token(TenantTokenCommand),
    /// Print the SQL a superuser runs once in Kontor's database when the admin role is not a
    /// superuser: it takes advisory locks, statistics and large objects away from tenant
    /// roles (`kontor tenant hardening-sql | psql -d DATABASE`).
    HardeningSql,
}

#[derive(Debug, Subcommand)]
pub enum TenantTokenCommand {
    /// Create an API token for a tenant's user and print it (only the token, on standard
    /// output). It is shown once.
    Create {
        /// The tenant's short name.
        tenant: String,
        /// A name for the token, e.g. the program that uses it.
        name: String,
        /// The user the token acts for (may be left out when the tenant has exactly one user).
        #[arg(long)]
        user: Option<String>,
        /// A lower role than the user's, to limit the token.
        #[arg(long)]
        role: Option<String>,
    },
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
    /// Print the one-time code that the first-run setup page asks for (while no user exists;
    /// `kontor serve` prints it when it starts).
    SetupCode,
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
