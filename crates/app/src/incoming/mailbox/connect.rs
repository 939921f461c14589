//! The connection to the mail server: TCP, TLS from the start (IMAPS) or after STARTTLS,
//! trusting the system's roots plus the settings' own CA, and the login. Every error names
//! the server (`host:port`) and never the password; nothing in the mailbox changes before the
//! login succeeded.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::{Client, Session};
use kontor_domain::ErrorCode;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::settings::{MailboxSettings, Security, extra_roots, is_loopback};
use crate::{Error, Result};

/// How long connecting (TCP, TLS, greeting, login) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// The byte stream under the IMAP session: plain (loopback only) or TLS.
pub(super) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Plain(_) => "Stream::Plain",
            Stream::Tls(_) => "Stream::Tls",
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub(super) type ImapSession = Session<Stream>;

/// Connects and logs in.
pub(super) async fn open(settings: &MailboxSettings) -> Result<ImapSession> {
    let at = settings.address();
    let client = tokio::time::timeout(CONNECT_TIMEOUT, connect(settings))
        .await
        .map_err(|_| {
            unreachable(
                &at,
                &format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )
        })??;
    let login = tokio::time::timeout(
        CONNECT_TIMEOUT,
        client.login(&settings.username, &settings.password),
    )
    .await
    .map_err(|_| unreachable(&at, "no answer to the login"))?;
    login.map_err(|(e, _client)| {
        Error::refused(
            ErrorCode::MailboxLoginFailed,
            format!(
                "the mail server {at} refused the login of {}: {}",
                settings.username,
                server_says(&e)
            ),
        )
    })
}

/// TCP, TLS and the greeting: a client ready to log in.
async fn connect(settings: &MailboxSettings) -> Result<Client<Stream>> {
    let at = settings.address();
    let tcp = tcp(settings).await?;
    match settings.security {
        Security::Plain => {
            let mut client = Client::new(Stream::Plain(tcp));
            greeting(&mut client, &at).await?;
            Ok(client)
        }
        Security::Imaps => {
            let tls = tls(settings, tcp).await?;
            let mut client = Client::new(Stream::Tls(Box::new(tls)));
            greeting(&mut client, &at).await?;
            Ok(client)
        }
        Security::Starttls => {
            let mut client = Client::new(Stream::Plain(tcp));
            greeting(&mut client, &at).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| {
                    unreachable(
                        &at,
                        &format!("the server does not offer STARTTLS ({})", server_says(&e)),
                    )
                })?;
            let Stream::Plain(tcp) = client.into_inner() else {
                return Err(unreachable(&at, "STARTTLS on a TLS connection"));
            };
            let tls = tls(settings, tcp).await?;
            // After STARTTLS the server sends no second greeting.
            Ok(Client::new(Stream::Tls(Box::new(tls))))
        }
    }
}

async fn tcp(settings: &MailboxSettings) -> Result<TcpStream> {
    let at = settings.address();
    let addrs: Vec<std::net::SocketAddr> =
        tokio::net::lookup_host((settings.host.as_str(), settings.port))
            .await
            .map_err(|e| unreachable(&at, &format!("the name does not resolve ({e})")))?
            .collect();
    if addrs.is_empty() {
        return Err(unreachable(&at, "the name does not resolve"));
    }
    if settings.security == Security::Plain
        && !(is_loopback(&settings.host) && addrs.iter().all(|a| a.ip().is_loopback()))
    {
        return Err(Error::field(
            "security",
            ErrorCode::Invalid,
            format!("plain (unencrypted) IMAP is only allowed to this machine, and {at} is not"),
        ));
    }
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(unreachable(
        &at,
        &last.map_or_else(
            || "cannot connect".to_string(),
            |e| format!("cannot connect ({e})"),
        ),
    ))
}

async fn tls(settings: &MailboxSettings, tcp: TcpStream) -> Result<TlsStream<TcpStream>> {
    let at = settings.address();
    let name = ServerName::try_from(settings.host.clone())
        .map_err(|_| Error::field("host", ErrorCode::Invalid, "is not a valid host name"))?;
    let connector = TlsConnector::from(Arc::new(client_config(settings)?));
    connector.connect(name, tcp).await.map_err(|e| {
        let hint = if e.to_string().contains("certificate") {
            " (if the server uses a certificate of its own CA, add that CA's certificate to the mailbox settings)"
        } else {
            ""
        };
        unreachable(&at, &format!("TLS handshake failed: {e}{hint}"))
    })
}

/// rustls with aws-lc-rs, TLS 1.2 and 1.3, trusting the system's roots and the own CA.
fn client_config(settings: &MailboxSettings) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if !settings.ca_certificate.is_empty() {
        for cert in extra_roots(&settings.ca_certificate)? {
            roots
                .add(cert)
                .map_err(|e| Error::field("ca_certificate", ErrorCode::Invalid, e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::internal(ErrorCode::Internal, e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// Reads the server's greeting.
async fn greeting(client: &mut Client<Stream>, at: &str) -> Result<()> {
    match client.read_response().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(unreachable(at, "the server closed the connection")),
        Err(e) => Err(unreachable(at, &format!("no IMAP greeting ({e})"))),
    }
}

fn unreachable(at: &str, why: &str) -> Error {
    Error::refused(
        ErrorCode::MailboxUnreachable,
        format!("cannot reach the mail server {at}: {why}"),
    )
}

/// The server's words of an IMAP error (never anything Kontor sent).
pub(super) fn server_says(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error as E;
    let text = match e {
        E::No(text) | E::Bad(text) => text.clone(),
        E::Validate(_) => "a value contains characters IMAP cannot carry".into(),
        other => other.to_string(),
    };
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}
