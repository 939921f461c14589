//! One run: log in, make sure the outcome folders exist, read the folder's mails (a bounded
//! number, each of bounded size), import their invoice files and move each mail to the folder
//! of its outcome. A mail is moved only after everything in it was stored or refused; when
//! Kontor could not store something, the mail stays and the next run tries again (what was
//! stored is then recognised by its `source_ref` and not stored twice).

use std::future::Future;
use std::time::Duration;

use async_imap::types::Fetch;
use futures_util::TryStreamExt;
use kontor_domain::ErrorCode;
use kontor_einvoice_in::{Format, MAX_FILE_BYTES};
use kontor_storage::Actor;

use super::connect::{self, ImapSession, server_says};
use super::folders;
use super::mime::{self, Kind};
use super::report::{AttachmentReport, AttachmentResult, MailReport, Outcome, PollReport};
use super::settings::MailboxSettings;
use crate::incoming::{Received, check_file};
use crate::{App, Error, Result};

/// The most mails one run reads; the rest wait for the next run.
pub const MAX_MAILS_PER_RUN: u32 = 200;
/// The largest mail read: a few invoice files of the largest size, base64-encoded.
pub const MAX_MAIL_BYTES: u32 = 3 * MAX_FILE_BYTES as u32;
/// How long one IMAP command may take (a large mail over a slow line included).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// The server-side names of the folders a run uses.
struct Folders {
    source: String,
    imported: String,
    faulty: String,
    without_invoice: String,
    delimiter: Option<String>,
}

impl Folders {
    fn for_outcome(&self, outcome: Outcome) -> Option<&str> {
        match outcome {
            Outcome::Imported => Some(&self.imported),
            Outcome::Faulty => Some(&self.faulty),
            Outcome::WithoutInvoice => Some(&self.without_invoice),
            Outcome::Kept => None,
        }
    }
}

/// Reads the mailbox once, filling `report`; an error ends the run (the report keeps what was
/// done before it).
pub(super) async fn run(
    app: &App,
    actor: &Actor,
    settings: &MailboxSettings,
    report: &mut PollReport,
) -> Result<()> {
    let mut session = connect::open(settings).await?;
    let outcome = work(app, actor, settings, &mut session, report).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    outcome
}

async fn work(
    app: &App,
    actor: &Actor,
    settings: &MailboxSettings,
    session: &mut ImapSession,
    report: &mut PollReport,
) -> Result<()> {
    let at = settings.address();
    let delimiter = delimiter(session, &at).await?;
    let name = |n: &str| folders::on_server(n, delimiter.as_deref());
    let folders = Folders {
        source: name(&settings.folder),
        imported: name(&settings.folder_imported),
        faulty: name(&settings.folder_faulty),
        without_invoice: name(&settings.folder_without_invoice),
        delimiter,
    };
    let selected = step(
        &at,
        &format!("open the folder \"{}\"", settings.folder),
        session.select(&folders.source),
    )
    .await?;
    if selected.exists == 0 {
        return Ok(());
    }
    for folder in [&folders.imported, &folders.faulty, &folders.without_invoice] {
        ensure_folder(session, &at, folder, folders.delimiter.as_deref()).await?;
    }
    let capabilities = step(&at, "tell its capabilities", session.capabilities()).await?;
    let moves = Moves {
        with_move: capabilities.has_str("MOVE"),
        uidplus: capabilities.has_str("UIDPLUS"),
    };
    let count = selected.exists.min(MAX_MAILS_PER_RUN);
    report.waiting = (selected.exists - count) as usize;
    let listed: Vec<Fetch> = step(&at, "list the mails", async {
        session
            .fetch(format!("1:{count}"), "(UID RFC822.SIZE)")
            .await?
            .try_collect()
            .await
    })
    .await?;
    let mut mails: Vec<(u32, u32)> = listed
        .iter()
        .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
        .collect();
    mails.sort_unstable();
    for (uid, size) in mails {
        report.mails_seen += 1;
        let mut mail = if size > MAX_MAIL_BYTES {
            MailReport {
                outcome: Outcome::Faulty,
                note: format!(
                    "the mail is larger than {} MiB and was not read",
                    MAX_MAIL_BYTES / (1024 * 1024)
                ),
                ..MailReport::default()
            }
        } else {
            let raw = fetch_raw(session, &at, uid).await?;
            match raw {
                Some(raw) => handle(app, actor, &raw).await,
                // Expunged by someone else meanwhile.
                None => continue,
            }
        };
        if mail.outcome == Outcome::Kept {
            report.errors.push(format!(
                "\"{}\" from {}: {}",
                mail.subject, mail.from, mail.note
            ));
        } else if let Some(target) = folders.for_outcome(mail.outcome) {
            let folder_name = match mail.outcome {
                Outcome::Imported => &settings.folder_imported,
                Outcome::Faulty => &settings.folder_faulty,
                _ => &settings.folder_without_invoice,
            };
            if let Err(e) = moves.apply(session, &at, uid, target).await {
                mail.note = format!("not moved: {e}");
                report.add(mail);
                return Err(e);
            }
            mail.folder = folder_name.clone();
        }
        report.add(mail);
    }
    if moves.needs_expunge() {
        step(&at, "expunge the moved mails", async {
            session.expunge().await?.try_collect::<Vec<_>>().await
        })
        .await?;
    }
    Ok(())
}

/// How a mail is moved: MOVE (RFC 6851) where the server has it, else COPY, `\Deleted` and
/// (with UIDPLUS) UID EXPUNGE of that mail, or one EXPUNGE at the end.
struct Moves {
    with_move: bool,
    uidplus: bool,
}

impl Moves {
    async fn apply(
        &self,
        session: &mut ImapSession,
        at: &str,
        uid: u32,
        target: &str,
    ) -> Result<()> {
        let what = "move a mail";
        let uid = uid.to_string();
        if self.with_move {
            return step(at, what, session.uid_mv(&uid, target)).await;
        }
        step(at, what, session.uid_copy(&uid, target)).await?;
        step(at, what, async {
            session
                .uid_store(&uid, "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        if self.uidplus {
            step(at, what, async {
                session
                    .uid_expunge(&uid)
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
        }
        Ok(())
    }

    fn needs_expunge(&self) -> bool {
        !self.with_move && !self.uidplus
    }
}

/// The server's hierarchy delimiter (`LIST "" ""`), if it has one.
async fn delimiter(session: &mut ImapSession, at: &str) -> Result<Option<String>> {
    let names: Vec<async_imap::types::Name> = step(at, "list its folders", async {
        session
            .list(Some(""), Some("\"\""))
            .await?
            .try_collect()
            .await
    })
    .await?;
    Ok(names
        .first()
        .and_then(|n| n.delimiter())
        .map(str::to_string))
}

/// Creates `folder` (and its parents) when it does not exist, and subscribes to it so that
/// mail programs show it.
async fn ensure_folder(
    session: &mut ImapSession,
    at: &str,
    folder: &str,
    delimiter: Option<&str>,
) -> Result<()> {
    if exists(session, at, folder).await? {
        return Ok(());
    }
    for parent in folders::parents(folder, delimiter) {
        if !exists(session, at, &parent).await? {
            // A server that creates parents itself may refuse this; the folder itself decides.
            let _ = tokio::time::timeout(COMMAND_TIMEOUT, session.create(&parent)).await;
        }
    }
    step(
        at,
        &format!("create the folder \"{folder}\""),
        session.create(folder),
    )
    .await?;
    let _ = tokio::time::timeout(COMMAND_TIMEOUT, session.subscribe(folder)).await;
    Ok(())
}

async fn exists(session: &mut ImapSession, at: &str, folder: &str) -> Result<bool> {
    let pattern = format!("\"{}\"", folder.replace('\\', "\\\\").replace('"', "\\\""));
    let names: Vec<async_imap::types::Name> = step(at, "list its folders", async {
        session
            .list(Some(""), Some(&pattern))
            .await?
            .try_collect()
            .await
    })
    .await?;
    Ok(!names.is_empty())
}

/// The whole mail, without marking it read; `None` when it is gone.
async fn fetch_raw(session: &mut ImapSession, at: &str, uid: u32) -> Result<Option<Vec<u8>>> {
    let fetched: Vec<Fetch> = step(at, "fetch a mail", async {
        session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await?
            .try_collect()
            .await
    })
    .await?;
    Ok(fetched
        .iter()
        .find(|f| f.uid == Some(uid) || f.uid.is_none())
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec))
}

/// One IMAP step under the command timeout; a failure names the server and what failed.
async fn step<T>(
    at: &str,
    what: &str,
    command: impl Future<Output = async_imap::error::Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::refused(
            ErrorCode::MailboxFailed,
            format!("the mail server {at} could not {what}: {}", server_says(&e)),
        )),
        Err(_) => Err(Error::refused(
            ErrorCode::MailboxFailed,
            format!(
                "the mail server {at} did not {what} within {} s",
                COMMAND_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// One attachment on its way: checked, then stored or not.
struct Candidate {
    name: String,
    bytes: Vec<u8>,
    checked: kontor_einvoice_in::Checked,
}

/// Imports what one mail carries and decides its outcome.
async fn handle(app: &App, actor: &Actor, raw: &[u8]) -> MailReport {
    let Some(mail) = mime::parse(raw) else {
        return MailReport {
            outcome: Outcome::WithoutInvoice,
            note: "not a readable mail".into(),
            ..MailReport::default()
        };
    };
    let identity = mail.identity(raw);
    let mut report = MailReport {
        subject: mail.subject.clone(),
        from: mail.from.clone(),
        message_id: mail.message_id.clone(),
        ..MailReport::default()
    };
    let mut candidates = Vec::new();
    for attachment in mail.attachments {
        match attachment.kind {
            Kind::Other => {}
            Kind::Archive => report.attachments.push(AttachmentReport {
                name: attachment.name,
                result: AttachmentResult::Skipped,
                note: "a ZIP archive is not opened: upload the invoices in it by hand".into(),
                ..AttachmentReport::default()
            }),
            Kind::Invoice => {
                match check_file(app.pdf_reader.clone(), attachment.bytes.clone()).await {
                    Ok(checked) => candidates.push(Candidate {
                        name: attachment.name,
                        bytes: attachment.bytes,
                        checked,
                    }),
                    Err(e) => report
                        .attachments
                        .push(refused_or_failed(attachment.name, &e)),
                }
            }
        }
    }
    // A PDF without an e-invoice next to an e-invoice is its copy for reading: not stored.
    let has_einvoice = candidates.iter().any(|c| c.checked.format != Format::Pdf);
    let mut faulty = false;
    for candidate in candidates {
        let plain_pdf = candidate.checked.format == Format::Pdf;
        if has_einvoice && plain_pdf {
            report.attachments.push(AttachmentReport {
                name: candidate.name,
                result: AttachmentResult::Skipped,
                note: "a PDF without an e-invoice next to an e-invoice (its copy for reading): not stored".into(),
                ..AttachmentReport::default()
            });
            continue;
        }
        let received = Received {
            source_ref: mime::source_ref(&identity, &candidate.bytes),
            bytes: candidate.bytes,
            name: candidate.name.clone(),
            source: "mailbox",
        };
        match app
            .incoming()
            .store(actor, received, candidate.checked)
            .await
        {
            Ok(imported) => {
                let valid = imported.incoming.valid || plain_pdf;
                faulty |= !valid;
                let result = match (imported.created, valid) {
                    (false, _) => AttachmentResult::Duplicate,
                    (true, true) => AttachmentResult::Imported,
                    (true, false) => AttachmentResult::Invalid,
                };
                report.attachments.push(AttachmentReport {
                    name: candidate.name,
                    result,
                    incoming_id: Some(imported.incoming.id),
                    note: if plain_pdf {
                        "a PDF without an e-invoice: enter its data by hand".into()
                    } else {
                        String::new()
                    },
                });
            }
            Err(e) => report
                .attachments
                .push(refused_or_failed(candidate.name, &e)),
        }
    }
    let failed = report
        .attachments
        .iter()
        .find(|a| a.result == AttachmentResult::Failed);
    report.outcome = if let Some(f) = failed {
        report.note = format!("{}: {}", f.name, f.note);
        Outcome::Kept
    } else if faulty
        || report
            .attachments
            .iter()
            .any(|a| a.result == AttachmentResult::Refused)
    {
        Outcome::Faulty
    } else if has_einvoice {
        Outcome::Imported
    } else {
        Outcome::WithoutInvoice
    };
    report
}

/// An attachment the check or the store refused (its own fault), or one Kontor failed to
/// store (the mail is kept for the next run; the detail goes to the log).
fn refused_or_failed(name: String, e: &Error) -> AttachmentReport {
    match e {
        Error::Field { message, .. } => AttachmentReport {
            name,
            result: AttachmentResult::Refused,
            note: message.clone(),
            ..AttachmentReport::default()
        },
        other => {
            tracing::warn!(error = %other, attachment = %name, "a mailbox attachment could not be stored");
            AttachmentReport {
                name,
                result: AttachmentResult::Failed,
                note: if other.is_internal() {
                    "Kontor could not store it (see the server log); the next run tries again"
                        .into()
                } else {
                    other.to_string()
                },
                ..AttachmentReport::default()
            }
        }
    }
}
