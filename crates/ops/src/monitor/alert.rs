//! Alerts and the ways they are delivered: e-mail over SMTP and a JSON webhook.
//!
//! Webhook body (`POST`, `Content-Type: application/json`), one per watchdog run with changes:
//!
//! ```json
//! {"version": 1, "source": "kontor", "instance": "web-1", "sent_at": "2026-11-26T22:30:00Z",
//!  "firing": 1, "resolved": 0,
//!  "alerts": [{"status": "firing", "key": "database", "check": "database",
//!              "message": "database unreachable: …", "since": "2026-11-26T22:29:58Z"}]}
//! ```
//!
//! With a shared secret, the header `X-Kontor-Signature: sha256=HEX` carries the HMAC-SHA256 of
//! the exact body bytes under that secret; receivers recompute it and compare in constant time.

use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sha2::Sha256;

use super::BoxFuture;

/// Whether a problem started or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// One change of a finding's state, as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub status: AlertStatus,
    pub key: String,
    pub message: String,
    /// When the finding entered this state (RFC 3339, UTC).
    pub since: String,
    /// A reminder for a problem already reported (see the watchdog's repeat interval).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reminder: bool,
}

/// Why an alert could not be delivered (never contains a password or secret).
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("alert configuration: {0}")]
    Config(String),
    #[error("e-mail not delivered: {0}")]
    Smtp(String),
    #[error("webhook not delivered: {0}")]
    Webhook(String),
}

/// Somewhere alerts go.
pub trait Notifier: Send + Sync {
    /// For logs: "e-mail to ops@example.com", "webhook https://hooks.example.com/…".
    fn describe(&self) -> String;

    /// Delivers one batch; `Err` means it should be tried again.
    fn send<'a>(
        &'a self,
        instance: &'a str,
        alerts: &'a [Alert],
    ) -> BoxFuture<'a, Result<(), AlertError>>;
}

/// The JSON body of a webhook call (see the module documentation).
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    pub version: u32,
    pub source: &'static str,
    pub instance: &'a str,
    pub sent_at: String,
    pub firing: usize,
    pub resolved: usize,
    pub alerts: &'a [Alert],
}

impl<'a> WebhookBody<'a> {
    pub fn new(instance: &'a str, alerts: &'a [Alert]) -> WebhookBody<'a> {
        let firing = alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing)
            .count();
        WebhookBody {
            version: 1,
            source: "kontor",
            instance,
            sent_at: now_rfc3339(),
            firing,
            resolved: alerts.len() - firing,
            alerts,
        }
    }
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `sha256=HEX` of the body under the shared secret.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts alerts as JSON to a URL.
pub struct WebhookNotifier {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: Option<Vec<u8>>,
}

impl WebhookNotifier {
    pub fn new(url: &str, secret: Option<Vec<u8>>) -> Result<WebhookNotifier, AlertError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| AlertError::Config(format!("--alert-webhook: not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AlertError::Config(
                "--alert-webhook must be an http:// or https:// URL".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AlertError::Config(format!("webhook client: {e}")))?;
        Ok(WebhookNotifier {
            client,
            url,
            secret: secret.filter(|s| !s.is_empty()),
        })
    }

    /// The URL without query or credentials (which may hold a token), for logs.
    fn shown_url(&self) -> String {
        format!(
            "{}://{}{}",
            self.url.scheme(),
            self.url.host_str().unwrap_or(""),
            self.url.port().map(|p| format!(":{p}")).unwrap_or_default()
        )
    }
}

impl Notifier for WebhookNotifier {
    fn describe(&self) -> String {
        format!("webhook {}", self.shown_url())
    }

    fn send<'a>(
        &'a self,
        instance: &'a str,
        alerts: &'a [Alert],
    ) -> BoxFuture<'a, Result<(), AlertError>> {
        Box::pin(async move {
            let body = serde_json::to_vec(&WebhookBody::new(instance, alerts))
                .map_err(|e| AlertError::Webhook(e.to_string()))?;
            let mut request = self
                .client
                .post(self.url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json");
            if let Some(secret) = &self.secret {
                request = request.header("x-kontor-signature", signature(secret, &body));
            }
            let response = request
                .body(body)
                .send()
                .await
                // reqwest's error names the URL; show ours, without query or credentials.
                .map_err(|e| {
                    AlertError::Webhook(format!("{}: {}", self.shown_url(), e.without_url()))
                })?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(AlertError::Webhook(format!(
                    "{} answered {}",
                    self.shown_url(),
                    response.status()
                )))
            }
        })
    }
}

/// Sends alerts by e-mail.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    server: String,
}

impl SmtpNotifier {
    /// `url`: `smtp://host:25` (plain, e.g. a local relay), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS from the start).
    pub fn new(url: &str, from: &str, to: &[String]) -> Result<SmtpNotifier, AlertError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| AlertError::Config(format!("--smtp-url: not a URL: {e}")))?;
        let server = format!(
            "{}://{}:{}",
            parsed.scheme(),
            parsed.host_str().unwrap_or(""),
            parsed.port().map(|p| p.to_string()).unwrap_or_default()
        );
        // lettre's messages may quote the URL: name only the server.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                AlertError::Config(format!(
                    "--smtp-url {server}: {}",
                    e.to_string().replace(url, &server)
                ))
            })?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| AlertError::Config(format!("--alert-from {from:?}: {e}")))?;
        if to.is_empty() {
            return Err(AlertError::Config(
                "--alert-email needs at least one address".into(),
            ));
        }
        let to = to
            .iter()
            .map(|a| {
                a.parse::<Mailbox>()
                    .map_err(|e| AlertError::Config(format!("--alert-email {a:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SmtpNotifier {
            transport,
            from,
            to,
            server,
        })
    }

    /// Subject and text of the mail for a batch.
    pub fn compose(instance: &str, alerts: &[Alert]) -> (String, String) {
        let firing = alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing)
            .count();
        let subject = match alerts {
            [one] => format!(
                "[Kontor {instance}] {}: {}",
                one.status.as_str().to_uppercase(),
                one.message
            ),
            _ => {
                let resolved = alerts.len() - firing;
                let counts = match (firing, resolved) {
                    (f, 0) => format!("{f} FIRING"),
                    (0, r) => format!("{r} RESOLVED"),
                    (f, r) => format!("{f} FIRING, {r} RESOLVED"),
                };
                let keys: Vec<&str> = alerts.iter().map(|a| a.key.as_str()).collect();
                format!("[Kontor {instance}] {counts}: {}", keys.join(", "))
            }
        };
        let mut text = format!("Kontor watchdog on {instance}:\n\n");
        for a in alerts {
            text.push_str(&format!(
                "{}{} {} since {}\n    {}\n\n",
                a.status.as_str().to_uppercase(),
                if a.reminder { " (reminder)" } else { "" },
                a.key,
                a.since,
                a.message
            ));
        }
        text.push_str("Run `kontor check` on the server for the current state.\n");
        (subject, text)
    }
}

impl Notifier for SmtpNotifier {
    fn describe(&self) -> String {
        let to: Vec<String> = self.to.iter().map(|m| m.email.to_string()).collect();
        format!("e-mail to {} via {}", to.join(", "), self.server)
    }

    fn send<'a>(
        &'a self,
        instance: &'a str,
        alerts: &'a [Alert],
    ) -> BoxFuture<'a, Result<(), AlertError>> {
        Box::pin(async move {
            let (subject, text) = SmtpNotifier::compose(instance, alerts);
            let mut message = Message::builder().from(self.from.clone()).subject(subject);
            for to in &self.to {
                message = message.to(to.clone());
            }
            let message = message
                .body(text)
                .map_err(|e| AlertError::Smtp(e.to_string()))?;
            self.transport
                .send(message)
                .await
                .map_err(|e| AlertError::Smtp(format!("{}: {e}", self.server)))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(status: AlertStatus, key: &str) -> Alert {
        Alert {
            status,
            key: key.into(),
            message: format!("{key} message"),
            since: "2026-11-26T22:00:00Z".into(),
            reminder: false,
        }
    }

    #[test]
    fn body_counts_and_signature() {
        let alerts = [
            alert(AlertStatus::Firing, "database"),
            alert(AlertStatus::Resolved, "disk:/srv"),
        ];
        let body = serde_json::to_value(WebhookBody::new("web-1", &alerts)).unwrap();
        assert_eq!(body["firing"], 1);
        assert_eq!(body["resolved"], 1);
        assert_eq!(body["alerts"][1]["status"], "resolved");
        assert!(body["alerts"][0].get("reminder").is_none());
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn smtp_config_errors_hide_the_password() {
        let e = SmtpNotifier::new("ftp://u:secretpw@host", "k@example.com", &["a@b.c".into()])
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("secretpw"), "{e}");
        let e = SmtpNotifier::new("smtp://127.0.0.1:25", "k@example.com", &[])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("--alert-email"), "{e}");
        let (subject, text) =
            SmtpNotifier::compose("web-1", &[alert(AlertStatus::Firing, "database")]);
        assert_eq!(subject, "[Kontor web-1] FIRING: database message");
        assert!(text.contains("FIRING database since 2026-11-26T22:00:00Z"));
    }
}
