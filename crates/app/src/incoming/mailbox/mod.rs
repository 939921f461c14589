//! Received invoices by mail: an IMAP mailbox (e.g. rechnungseingang@…) that Kontor reads on
//! request and on a schedule. Attachments that are e-invoices (XML, or PDF with embedded XML)
//! are imported as received invoices; each mail is then moved to the folder of its outcome
//! (imported, faulty, without invoice), and the run's report is kept for the pages and the API.
//!
//! - [`settings`]: server, login, folders, interval, own CA; the password is write-only.
//! - `connect`: TCP, TLS (IMAPS or STARTTLS) and the login.
//! - `mime`: a mail taken apart into its attached files.
//! - `poll`: one run.
//! - [`report`]: what a run did.
//! - [`schedule`]: the runs `kontor serve` starts.

mod connect;
mod folders;
mod mime;
mod poll;
pub mod report;
pub mod schedule;
pub mod settings;

use kontor_domain::ErrorCode;
use kontor_storage::Actor;
use serde::de::DeserializeOwned;

pub use poll::{MAX_MAIL_BYTES, MAX_MAILS_PER_RUN};
pub use report::{AttachmentReport, AttachmentResult, MailReport, Outcome, PollReport};
pub use settings::{MailboxInput, MailboxSettings, MailboxView, Security};

use crate::{App, Error, Result};

/// The setting keys.
const SETTINGS: &str = "mailbox";
const REPORT: &str = "mailbox_report";

/// The mailbox of one business.
pub struct Mailbox<'a> {
    pub(crate) app: &'a App,
}

impl Mailbox<'_> {
    /// The settings as stored, with the password (for the runs; faces use [`Mailbox::view`]).
    pub(crate) async fn stored(&self) -> Result<MailboxSettings> {
        read(&self.app.store, SETTINGS).await
    }

    /// The settings without the password.
    pub async fn view(&self) -> Result<MailboxView> {
        Ok(self.stored().await?.view())
    }

    /// Whether a mailbox is set up and read on a schedule (`interval_minutes`, 0 = off).
    pub async fn interval_minutes(&self) -> Result<Option<u32>> {
        let s = self.stored().await?;
        Ok((s.configured() && s.interval_minutes > 0).then_some(s.interval_minutes))
    }

    /// Checks and stores the settings (a blank password keeps the stored one). The audit log
    /// records the change without the password.
    pub async fn save(&self, actor: &Actor, input: MailboxInput) -> Result<MailboxView> {
        let stored = self.stored().await?;
        let settings = settings::checked(input, &stored)?;
        let value =
            serde_json::to_value(&settings).map_err(|e| Error::internal(ErrorCode::Internal, e))?;
        self.app
            .store
            .set_setting_redacted(actor, SETTINGS, &value, MailboxSettings::redacted)
            .await?;
        Ok(settings.view())
    }

    /// The report of the last run, if there was one.
    pub async fn last_report(&self) -> Result<Option<PollReport>> {
        match self.app.store.setting(REPORT).await? {
            Some(value) => Ok(Some(serde_json::from_value(value).unwrap_or_default())),
            None => Ok(None),
        }
    }

    /// Reads the mailbox now: imports its invoices and sorts its mails (see the module
    /// comment). The report is stored, also when the run fails; a failure as a whole (no
    /// connection, login refused) is the error, and leaves the mailbox as it was. One run at a
    /// time: another is refused with `mailbox_busy`.
    pub async fn poll(&self, actor: &Actor) -> Result<PollReport> {
        let settings = self.stored().await?;
        if !settings.configured() {
            return Err(Error::refused(
                ErrorCode::MailboxNotConfigured,
                "no mailbox is set up (host, user name and password in the mailbox settings)",
            ));
        }
        let Ok(_running) = self.app.mailbox_run.try_lock() else {
            return Err(Error::refused(
                ErrorCode::MailboxBusy,
                "the mailbox is being read right now; its report follows when that run ends",
            ));
        };
        let mut report = PollReport {
            started_at: self.app.clock.now().to_rfc3339(),
            started_by: actor.0.clone(),
            server: settings.address(),
            folder: settings.folder.clone(),
            ..PollReport::default()
        };
        let outcome = poll::run(self.app, actor, &settings, &mut report).await;
        report.finished_at = self.app.clock.now().to_rfc3339();
        match &outcome {
            Ok(()) => tracing::info!(
                server = %report.server,
                mails = report.mails_seen,
                imported = report.imported,
                duplicates = report.duplicates,
                invalid = report.invalid,
                refused = report.refused,
                without_invoice = report.without_invoice,
                errors = report.errors.len(),
                "mailbox read"
            ),
            Err(e) => {
                tracing::warn!(server = %report.server, error = %e, "reading the mailbox failed");
                report.failed = true;
                report.errors.push(e.to_string());
            }
        }
        let value =
            serde_json::to_value(&report).map_err(|e| Error::internal(ErrorCode::Internal, e))?;
        self.app.store.record_setting(REPORT, &value).await?;
        outcome.map(|()| report)
    }
}

/// A stored setting as `T`; the defaults when it was never set or cannot be read.
async fn read<T: DeserializeOwned + Default>(
    store: &kontor_storage::Store,
    key: &str,
) -> Result<T> {
    Ok(store
        .setting(key)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}
