//! What one run of the mailbox did: the mails it saw, what became of each attachment and
//! where each mail went. The last report is stored (setting "mailbox_report") for the pages,
//! the API and the schedule.

use serde::{Deserialize, Serialize};

/// Where a mail went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every e-invoice in it was imported (or had been before) and is valid.
    Imported,
    /// An invoice file in it was refused or has errors (it is stored with its findings).
    Faulty,
    /// It carries no e-invoice (a PDF without one is stored for entering by hand).
    WithoutInvoice,
    /// It stays where it was: something failed on Kontor's side or the server's; the next run
    /// tries again.
    #[default]
    Kept,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Imported => "imported",
            Outcome::Faulty => "faulty",
            Outcome::WithoutInvoice => "without_invoice",
            Outcome::Kept => "kept",
        }
    }
}

/// What became of one attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentResult {
    /// Stored as a new received invoice.
    Imported,
    /// Delivered before (the same mail again): nothing new stored.
    Duplicate,
    /// Stored, but the check found errors.
    Invalid,
    /// Neither an e-invoice nor a PDF (or empty, or too large): nothing stored.
    Refused,
    /// Not an invoice file, or a copy of one (a ZIP, a PDF next to an e-invoice): not stored.
    #[default]
    Skipped,
    /// Kontor could not store it (the next run tries again).
    Failed,
}

impl AttachmentResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentResult::Imported => "imported",
            AttachmentResult::Duplicate => "duplicate",
            AttachmentResult::Invalid => "invalid",
            AttachmentResult::Refused => "refused",
            AttachmentResult::Skipped => "skipped",
            AttachmentResult::Failed => "failed",
        }
    }
}

/// One attachment of a mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentReport {
    pub name: String,
    pub result: AttachmentResult,
    /// The received invoice it is stored as (imported, duplicate, invalid).
    pub incoming_id: Option<i64>,
    /// Why it was refused or skipped (English).
    pub note: String,
}

/// One mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailReport {
    pub subject: String,
    pub from: String,
    pub message_id: String,
    pub outcome: Outcome,
    /// The folder it was moved to (empty when kept).
    pub folder: String,
    pub attachments: Vec<AttachmentReport>,
    /// Why it was kept, or what else went wrong (English).
    pub note: String,
}

/// One run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PollReport {
    /// When the run started and ended (RFC 3339, UTC).
    pub started_at: String,
    pub finished_at: String,
    /// Who started it: a user, the CLI, or the schedule (`system`).
    pub started_by: String,
    /// `host:port` and the folder read.
    pub server: String,
    pub folder: String,
    pub mails_seen: usize,
    /// Received invoices stored new.
    pub imported: usize,
    /// Attachments delivered before.
    pub duplicates: usize,
    /// Stored with errors found by the check.
    pub invalid: usize,
    /// Invoice files refused.
    pub refused: usize,
    /// Mails with no e-invoice.
    pub without_invoice: usize,
    /// Mails left for the next run (more than one run takes).
    pub waiting: usize,
    pub mails: Vec<MailReport>,
    /// What went wrong; a run that failed as a whole (no connection, login refused) has its
    /// reason here and saw no mails.
    pub errors: Vec<String>,
    /// The run failed as a whole.
    pub failed: bool,
}

impl PollReport {
    /// Counts a finished mail in.
    pub(super) fn add(&mut self, mail: MailReport) {
        for a in &mail.attachments {
            match a.result {
                AttachmentResult::Imported => self.imported += 1,
                AttachmentResult::Duplicate => self.duplicates += 1,
                AttachmentResult::Invalid => {
                    self.imported += 1;
                    self.invalid += 1;
                }
                AttachmentResult::Refused => self.refused += 1,
                AttachmentResult::Skipped | AttachmentResult::Failed => {}
            }
        }
        if mail.outcome == Outcome::WithoutInvoice {
            self.without_invoice += 1;
        }
        self.mails.push(mail);
    }

    /// The mails that carried no e-invoice (subject and sender are what a person follows up).
    pub fn mails_without_invoice(&self) -> impl Iterator<Item = &MailReport> {
        self.mails
            .iter()
            .filter(|m| m.outcome == Outcome::WithoutInvoice)
    }
}
