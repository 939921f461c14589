//! The mailbox settings: the server received invoices are fetched from, the login, the folder
//! read and the folders a mail is sorted into, how often it is read, and an own CA to trust.
//! The password is write-only: stored, used to log in, never handed out, shown or logged.

use std::net::IpAddr;

use kontor_domain::ErrorCode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub const DEFAULT_FOLDER: &str = "INBOX";
pub const DEFAULT_FOLDER_IMPORTED: &str = "Kontor/Importiert";
pub const DEFAULT_FOLDER_FAULTY: &str = "Kontor/Fehlerhaft";
pub const DEFAULT_FOLDER_WITHOUT_INVOICE: &str = "Kontor/Ohne Rechnung";
pub const DEFAULT_INTERVAL_MINUTES: u32 = 10;
/// The longest interval: a week.
pub const MAX_INTERVAL_MINUTES: u32 = 7 * 24 * 60;
/// The longest own CA certificate file (PEM); a chain of a few certificates fits.
pub const MAX_CA_PEM_BYTES: usize = 64 * 1024;
const MAX_HOST_CHARS: usize = 253;
const MAX_USERNAME_CHARS: usize = 320;
const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_FOLDER_CHARS: usize = 200;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (usually port 993).
    #[default]
    Imaps,
    /// A plain connection switched to TLS with STARTTLS before the login (usually port 143).
    Starttls,
    /// No encryption: only to this machine (a loopback address), and only when chosen.
    Plain,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::Imaps, Security::Starttls, Security::Plain];

    pub fn as_str(self) -> &'static str {
        match self {
            Security::Imaps => "imaps",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        }
    }

    pub fn parse(s: &str) -> Option<Security> {
        Security::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The port a server usually listens on for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Imaps => 993,
            Security::Starttls | Security::Plain => 143,
        }
    }
}

/// The mailbox settings as stored (setting "mailbox"). An empty host means no mailbox.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailboxSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// Write-only: see the module comment.
    pub password: String,
    /// The folder that is read (usually INBOX).
    pub folder: String,
    /// Where a mail goes when every invoice in it was imported and valid.
    pub folder_imported: String,
    /// Where a mail goes when an invoice in it was refused or has errors.
    pub folder_faulty: String,
    /// Where a mail goes that carries no e-invoice.
    pub folder_without_invoice: String,
    /// How often `kontor serve` reads the mailbox; 0 = only on request.
    pub interval_minutes: u32,
    /// Certificates (PEM) trusted besides the system's, for a company's own mail server.
    pub ca_certificate: String,
}

impl Default for MailboxSettings {
    fn default() -> Self {
        MailboxSettings {
            host: String::new(),
            port: Security::default().default_port(),
            security: Security::default(),
            username: String::new(),
            password: String::new(),
            folder: DEFAULT_FOLDER.into(),
            folder_imported: DEFAULT_FOLDER_IMPORTED.into(),
            folder_faulty: DEFAULT_FOLDER_FAULTY.into(),
            folder_without_invoice: DEFAULT_FOLDER_WITHOUT_INVOICE.into(),
            interval_minutes: DEFAULT_INTERVAL_MINUTES,
            ca_certificate: String::new(),
        }
    }
}

/// Never prints the password.
impl std::fmt::Debug for MailboxSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password_set", &!self.password.is_empty())
            .field("folder", &self.folder)
            .field("interval_minutes", &self.interval_minutes)
            .finish_non_exhaustive()
    }
}

impl MailboxSettings {
    /// Whether there is a mailbox to read.
    pub fn configured(&self) -> bool {
        !self.host.is_empty() && !self.username.is_empty() && !self.password.is_empty()
    }

    /// `host:port` as people write it (an IPv6 address in brackets).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// What the faces show: everything but the password.
    pub fn view(&self) -> MailboxView {
        MailboxView {
            configured: self.configured(),
            host: self.host.clone(),
            port: self.port,
            security: self.security,
            username: self.username.clone(),
            password_set: !self.password.is_empty(),
            folder: self.folder.clone(),
            folder_imported: self.folder_imported.clone(),
            folder_faulty: self.folder_faulty.clone(),
            folder_without_invoice: self.folder_without_invoice.clone(),
            interval_minutes: self.interval_minutes,
            ca_certificate: self.ca_certificate.clone(),
        }
    }

    /// The settings as the audit log records them: the password blanked.
    pub(crate) fn redacted(stored: &serde_json::Value) -> serde_json::Value {
        let mut shown = stored.clone();
        if let Some(fields) = shown.as_object_mut()
            && let Some(password) = fields.get_mut("password")
        {
            let set = password.as_str().is_some_and(|p| !p.is_empty());
            *password = serde_json::Value::from(if set { "(set)" } else { "" });
        }
        shown
    }
}

/// The mailbox settings as the faces show them: without the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxView {
    /// Host, user name and password are set.
    pub configured: bool,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// Whether a password is stored (it is never handed out).
    pub password_set: bool,
    pub folder: String,
    pub folder_imported: String,
    pub folder_faulty: String,
    pub folder_without_invoice: String,
    pub interval_minutes: u32,
    pub ca_certificate: String,
}

/// What a person submits. Empty fields take their defaults; an empty or missing password keeps
/// the stored one; an empty host turns the mailbox off and forgets the password.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailboxInput {
    pub host: String,
    pub port: Option<u16>,
    pub security: String,
    pub username: String,
    pub password: Option<String>,
    pub folder: String,
    pub folder_imported: String,
    pub folder_faulty: String,
    pub folder_without_invoice: String,
    pub interval_minutes: Option<u32>,
    pub ca_certificate: String,
}

/// Never prints the password.
impl std::fmt::Debug for MailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxInput")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field(
                "password_given",
                &self.password.as_deref().is_some_and(|p| !p.is_empty()),
            )
            .finish_non_exhaustive()
    }
}

/// Checks `input` against the rules; `stored` gives the password when none is submitted.
pub fn checked(input: MailboxInput, stored: &MailboxSettings) -> Result<MailboxSettings> {
    let security = if input.security.trim().is_empty() {
        Security::default()
    } else {
        Security::parse(&input.security).ok_or_else(|| {
            Error::field(
                "security",
                ErrorCode::UnknownValue,
                "must be imaps, starttls or plain",
            )
        })?
    };
    let host = input
        .host
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let folder = |value: &str, field: &str, default: &str| -> Result<String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(default.to_string());
        }
        check_folder(field, value)?;
        Ok(value.to_string())
    };
    let mut settings = MailboxSettings {
        host,
        port: input.port.unwrap_or(security.default_port()),
        security,
        username: input.username.trim().to_string(),
        password: match input.password {
            Some(p) if !p.is_empty() => p,
            _ => stored.password.clone(),
        },
        folder: folder(&input.folder, "folder", DEFAULT_FOLDER)?,
        folder_imported: folder(
            &input.folder_imported,
            "folder_imported",
            DEFAULT_FOLDER_IMPORTED,
        )?,
        folder_faulty: folder(&input.folder_faulty, "folder_faulty", DEFAULT_FOLDER_FAULTY)?,
        folder_without_invoice: folder(
            &input.folder_without_invoice,
            "folder_without_invoice",
            DEFAULT_FOLDER_WITHOUT_INVOICE,
        )?,
        interval_minutes: input.interval_minutes.unwrap_or(DEFAULT_INTERVAL_MINUTES),
        ca_certificate: input.ca_certificate.trim().replace("\r\n", "\n"),
    };
    if settings.host.is_empty() {
        // No mailbox: nothing else needs to hold, and no password is kept for it.
        settings.password.clear();
        return Ok(settings);
    }
    check_host(&settings.host)?;
    if settings.port == 0 {
        return Err(Error::field(
            "port",
            ErrorCode::OutOfRange,
            "must be between 1 and 65535",
        ));
    }
    if settings.security == Security::Plain && !is_loopback(&settings.host) {
        return Err(Error::field(
            "security",
            ErrorCode::Invalid,
            "plain (unencrypted) IMAP is only allowed to this machine (127.0.0.1, ::1, localhost); choose imaps or starttls",
        ));
    }
    if settings.username.is_empty() {
        return Err(Error::field("username", ErrorCode::Required, "is required"));
    }
    if settings.username.chars().count() > MAX_USERNAME_CHARS
        || settings.username.chars().any(char::is_control)
    {
        return Err(Error::field(
            "username",
            ErrorCode::Invalid,
            "must be at most 320 characters without control characters",
        ));
    }
    if settings.password.is_empty() {
        return Err(Error::field("password", ErrorCode::Required, "is required"));
    }
    if settings.password.chars().count() > MAX_PASSWORD_CHARS
        || settings
            .password
            .chars()
            .any(|c| matches!(c, '\r' | '\n' | '\0'))
    {
        return Err(Error::field(
            "password",
            ErrorCode::Invalid,
            "must be at most 1024 characters without line breaks",
        ));
    }
    check_distinct_folders(&settings)?;
    if settings.interval_minutes > MAX_INTERVAL_MINUTES {
        return Err(Error::field(
            "interval_minutes",
            ErrorCode::OutOfRange,
            format!("must be between 0 (off) and {MAX_INTERVAL_MINUTES} (a week)"),
        ));
    }
    if !settings.ca_certificate.is_empty() {
        extra_roots(&settings.ca_certificate)?;
    }
    Ok(settings)
}

/// A host name or an IP address, nothing else (no scheme, port, path or spaces).
fn check_host(host: &str) -> Result<()> {
    let problem = || {
        Error::field(
            "host",
            ErrorCode::Invalid,
            "must be a host name or an IP address (without imaps:// or a port)",
        )
    };
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    if host.len() > MAX_HOST_CHARS
        || host.starts_with(['.', '-'])
        || host.ends_with('-')
        || host.contains("..")
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(problem());
    }
    Ok(())
}

/// Whether `host` names this machine: a loopback address or `localhost`.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn check_folder(field: &str, name: &str) -> Result<()> {
    if name.chars().count() > MAX_FOLDER_CHARS
        || name.chars().any(|c| c.is_control() || c == '*' || c == '%')
        || name.starts_with('/')
        || name.ends_with('/')
        || name.contains("//")
    {
        return Err(Error::field(
            field,
            ErrorCode::Invalid,
            "must be a folder name of at most 200 characters, parts separated by / (no * or %)",
        ));
    }
    Ok(())
}

/// A mail must not be moved into the folder it is read from, nor two outcomes share a folder
/// (the report would not tell them apart).
fn check_distinct_folders(s: &MailboxSettings) -> Result<()> {
    let same =
        |a: &str, b: &str| a.eq_ignore_ascii_case(b) && (a.eq_ignore_ascii_case("INBOX") || a == b);
    let outcomes = [
        ("folder_imported", &s.folder_imported),
        ("folder_faulty", &s.folder_faulty),
        ("folder_without_invoice", &s.folder_without_invoice),
    ];
    for (i, (field, name)) in outcomes.iter().enumerate() {
        if same(name, &s.folder) {
            return Err(Error::field(
                *field,
                ErrorCode::Invalid,
                "must differ from the folder that is read",
            ));
        }
        if outcomes[..i].iter().any(|(_, other)| same(name, other)) {
            return Err(Error::field(
                *field,
                ErrorCode::Invalid,
                "must differ from the other outcome folders",
            ));
        }
    }
    Ok(())
}

/// The certificates of the own CA field, each checked to be usable as a trust anchor.
pub(crate) fn extra_roots(pem: &str) -> Result<Vec<CertificateDer<'static>>> {
    let problem = |why: &str| {
        Error::field(
            "ca_certificate",
            ErrorCode::Invalid,
            format!("must be one or more PEM certificates (-----BEGIN CERTIFICATE-----): {why}"),
        )
    };
    if pem.len() > MAX_CA_PEM_BYTES {
        return Err(problem("at most 64 KiB"));
    }
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| problem(&e.to_string()))?;
    if certs.is_empty() {
        return Err(problem("none found"));
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in &certs {
        roots
            .add(cert.clone())
            .map_err(|e| problem(&e.to_string()))?;
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MailboxInput {
        MailboxInput {
            host: "imap.example.com".into(),
            username: "rechnungseingang@example.com".into(),
            password: Some("geheim".into()),
            ..MailboxInput::default()
        }
    }

    fn field_of(r: Result<MailboxSettings>) -> String {
        match r {
            Err(Error::Field { field, .. }) => field,
            other => format!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn defaults_fill_what_is_left_empty() {
        let s = checked(input(), &MailboxSettings::default()).unwrap();
        assert_eq!(s.security, Security::Imaps);
        assert_eq!(s.port, 993);
        assert_eq!(s.folder, "INBOX");
        assert_eq!(s.folder_imported, "Kontor/Importiert");
        assert_eq!(s.folder_faulty, "Kontor/Fehlerhaft");
        assert_eq!(s.folder_without_invoice, "Kontor/Ohne Rechnung");
        assert_eq!(s.interval_minutes, 10);
        assert!(s.configured());
        let starttls = MailboxInput {
            security: "STARTTLS".into(),
            ..input()
        };
        assert_eq!(
            checked(starttls, &MailboxSettings::default()).unwrap().port,
            143
        );
    }

    #[test]
    fn the_password_is_kept_when_left_blank_and_never_shown() {
        let stored = checked(input(), &MailboxSettings::default()).unwrap();
        let again = MailboxInput {
            password: Some(String::new()),
            ..input()
        };
        let kept = checked(again, &stored).unwrap();
        assert_eq!(kept.password, "geheim");
        let view = serde_json::to_string(&kept.view()).unwrap();
        assert!(!view.contains("geheim"), "{view}");
        assert!(view.contains("\"password_set\":true"));
        assert!(!format!("{kept:?}").contains("geheim"));
        let audit = MailboxSettings::redacted(&serde_json::to_value(&kept).unwrap());
        assert!(!audit.to_string().contains("geheim"), "{audit}");
        // Without a stored one, a password is required.
        let none = MailboxInput {
            password: None,
            ..input()
        };
        assert_eq!(
            field_of(checked(none, &MailboxSettings::default())),
            "password"
        );
        // An empty host turns the mailbox off and forgets the password.
        let off = checked(MailboxInput::default(), &stored).unwrap();
        assert!(!off.configured());
        assert!(off.password.is_empty());
    }

    #[test]
    fn plain_is_only_allowed_to_this_machine() {
        let plain = |host: &str| MailboxInput {
            host: host.into(),
            security: "plain".into(),
            ..input()
        };
        let none = MailboxSettings::default();
        assert_eq!(
            field_of(checked(plain("imap.example.com"), &none)),
            "security"
        );
        assert_eq!(field_of(checked(plain("10.0.0.1"), &none)), "security");
        for host in ["127.0.0.1", "::1", "[::1]", "localhost"] {
            let s = checked(plain(host), &none).unwrap();
            assert_eq!(s.port, 143, "{host}");
        }
    }

    #[test]
    fn bad_values_name_their_field() {
        let none = MailboxSettings::default();
        let with = |f: &dyn Fn(&mut MailboxInput)| {
            let mut i = input();
            f(&mut i);
            field_of(checked(i, &none))
        };
        assert_eq!(
            with(&|i| i.host = "imaps://imap.example.com".into()),
            "host"
        );
        assert_eq!(with(&|i| i.host = "imap.example.com:993".into()), "host");
        assert_eq!(with(&|i| i.port = Some(0)), "port");
        assert_eq!(with(&|i| i.security = "ssl".into()), "security");
        assert_eq!(with(&|i| i.username = " ".into()), "username");
        assert_eq!(with(&|i| i.password = Some("a\r\nb".into())), "password");
        assert_eq!(
            with(&|i| i.folder_imported = "INBOX".into()),
            "folder_imported"
        );
        assert_eq!(
            with(&|i| i.folder_faulty = "Kontor/Importiert".into()),
            "folder_faulty"
        );
        assert_eq!(
            with(&|i| i.folder_without_invoice = "A/*".into()),
            "folder_without_invoice"
        );
        assert_eq!(
            with(&|i| i.interval_minutes = Some(100_000)),
            "interval_minutes"
        );
        assert_eq!(
            with(&|i| i.ca_certificate = "not a certificate".into()),
            "ca_certificate"
        );
        assert_eq!(
            with(&|i| i.ca_certificate =
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----".into()),
            "ca_certificate"
        );
    }
}
