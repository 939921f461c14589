//! The mailbox received invoices arrive in: its settings section on the settings page (admin),
//! "check mailbox now" there and on the received-invoices page (accountant or above), and the
//! last run's report as both pages show it. The password is never put into a page.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::incoming::mailbox::{
    AttachmentResult, MailboxInput, MailboxView, Outcome, PollReport, Security,
};
use kontor_app::model::Role;
use kontor_domain::ErrorCode;
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Tr;
use crate::session::{self, Ctx, admin_form, check_csrf};

/// One mail of a run, in words.
pub struct MailRow {
    pub subject: String,
    pub from: String,
    pub outcome: &'static str,
    pub outcome_code: &'static str,
    /// "name: result (note)" per attachment.
    pub attachments: Vec<String>,
    pub note: String,
}

/// The last run as the pages show it.
pub struct RunView {
    pub summary: String,
    pub failed: bool,
    pub errors: Vec<String>,
    /// "N more mails follow", or empty.
    pub waiting: String,
    /// The mails without an e-invoice (someone follows them up).
    pub without: Vec<MailRow>,
    pub mails: Vec<MailRow>,
}

fn outcome(tr: &Tr, o: Outcome) -> &'static str {
    tr.t(match o {
        Outcome::Imported => Msg::MailboxOutcomeImported,
        Outcome::Faulty => Msg::MailboxOutcomeFaulty,
        Outcome::WithoutInvoice => Msg::MailboxOutcomeWithoutInvoice,
        Outcome::Kept => Msg::MailboxOutcomeKept,
    })
}

fn result(tr: &Tr, r: AttachmentResult) -> &'static str {
    tr.t(match r {
        AttachmentResult::Imported => Msg::MailboxResultImported,
        AttachmentResult::Duplicate => Msg::MailboxResultDuplicate,
        AttachmentResult::Invalid => Msg::MailboxResultInvalid,
        AttachmentResult::Refused => Msg::MailboxResultRefused,
        AttachmentResult::Skipped => Msg::MailboxResultSkipped,
        AttachmentResult::Failed => Msg::MailboxResultFailed,
    })
}

/// The report in the reader's words (`None` before the first run).
pub fn run_view(tr: &Tr, report: Option<PollReport>) -> Option<RunView> {
    let r = report?;
    let rows: Vec<MailRow> = r
        .mails
        .iter()
        .map(|m| MailRow {
            subject: m.subject.clone(),
            from: m.from.clone(),
            outcome: outcome(tr, m.outcome),
            outcome_code: m.outcome.as_str(),
            attachments: m
                .attachments
                .iter()
                .map(|a| {
                    let mut line = format!("{}: {}", a.name, result(tr, a.result));
                    if !a.note.is_empty() {
                        line.push_str(&format!(" ({})", a.note));
                    }
                    line
                })
                .collect(),
            note: m.note.clone(),
        })
        .collect();
    let without = r
        .mails
        .iter()
        .zip(&rows)
        .filter(|(m, _)| m.outcome == Outcome::WithoutInvoice)
        .map(|(_, row)| MailRow {
            subject: row.subject.clone(),
            from: row.from.clone(),
            outcome: row.outcome,
            outcome_code: row.outcome_code,
            attachments: row.attachments.clone(),
            note: row.note.clone(),
        })
        .collect();
    let summary = tr
        .t(Msg::MailboxRunSummary)
        .replace("{time}", &tr.timestamp(&r.started_at))
        .replace("{mails}", &r.mails_seen.to_string())
        .replace("{imported}", &r.imported.to_string())
        .replace("{invalid}", &r.invalid.to_string())
        .replace("{duplicates}", &r.duplicates.to_string())
        .replace("{refused}", &r.refused.to_string())
        .replace("{without}", &r.without_invoice.to_string());
    let waiting = if r.waiting > 0 {
        tr.t(Msg::MailboxWaiting)
            .replace("{n}", &r.waiting.to_string())
    } else {
        String::new()
    };
    Some(RunView {
        summary,
        failed: r.failed,
        errors: r.errors,
        waiting,
        without,
        mails: rows,
    })
}

/// The settings section: what is stored (or was typed, when saving it was refused).
pub struct MailboxForm {
    pub view: MailboxView,
    pub errors: FieldErrors,
    /// A run on request failed as a whole, or was refused.
    pub poll_error: String,
    pub run: Option<RunView>,
    pub securities: Vec<(&'static str, &'static str)>,
}

impl MailboxForm {
    /// The section for the settings page.
    pub async fn load(
        state: &WebState,
        ctx: &Ctx,
        typed: Option<(MailboxView, FieldErrors)>,
        poll_error: String,
    ) -> Result<MailboxForm, WebError> {
        let mailbox = state.app.incoming().mailbox();
        let failed = |e| WebError::from_app(ctx.lang(), e);
        let (view, errors) = match typed {
            Some(t) => t,
            None => (
                mailbox.view().await.map_err(failed)?,
                FieldErrors::default(),
            ),
        };
        let run = run_view(&ctx.tr, mailbox.last_report().await.map_err(failed)?);
        Ok(MailboxForm {
            view,
            errors,
            poll_error,
            run,
            securities: Security::ALL
                .iter()
                .map(|s| (s.as_str(), ctx.tr.t(security_label(*s))))
                .collect(),
        })
    }

    pub fn security(&self) -> &'static str {
        self.view.security.as_str()
    }
}

fn security_label(s: Security) -> Msg {
    match s {
        Security::Imaps => Msg::MailboxSecurityImaps,
        Security::Starttls => Msg::MailboxSecurityStarttls,
        Security::Plain => Msg::MailboxSecurityPlain,
    }
}

/// A number field: `None` when empty (the default), the field's name when it is no number.
fn number<T: std::str::FromStr>(
    form: &FormData,
    name: &'static str,
) -> Result<Option<T>, &'static str> {
    let text = form.text(name);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| name)
}

/// The form's fields as the service takes them; a field that is no number is refused here.
fn input_of(form: &FormData) -> Result<MailboxInput, AppError> {
    let not_a_number =
        |field: &str| AppError::field(field, ErrorCode::Invalid, "must be a whole number");
    Ok(MailboxInput {
        host: form.text("host"),
        port: number(form, "port").map_err(not_a_number)?,
        security: form.text("security"),
        username: form.text("username"),
        password: form.get("password").map(str::to_string),
        folder: form.text("folder"),
        folder_imported: form.text("folder_imported"),
        folder_faulty: form.text("folder_faulty"),
        folder_without_invoice: form.text("folder_without_invoice"),
        interval_minutes: number(form, "interval_minutes").map_err(not_a_number)?,
        ca_certificate: form.text("ca_certificate"),
    })
}

/// What was typed, shown again after a refusal (never the password).
fn typed_view(form: &FormData, stored: &MailboxView) -> MailboxView {
    MailboxView {
        configured: stored.configured,
        host: form.text("host"),
        port: form.text("port").trim().parse().unwrap_or(stored.port),
        security: Security::parse(&form.text("security")).unwrap_or(stored.security),
        username: form.text("username"),
        password_set: stored.password_set,
        folder: form.text("folder"),
        folder_imported: form.text("folder_imported"),
        folder_faulty: form.text("folder_faulty"),
        folder_without_invoice: form.text("folder_without_invoice"),
        interval_minutes: form
            .text("interval_minutes")
            .trim()
            .parse()
            .unwrap_or(stored.interval_minutes),
        ca_certificate: form.text("ca_certificate"),
    }
}

/// `POST /settings/mailbox` (admin): stores the settings; a refused field is shown at its
/// place with what was typed.
pub async fn save(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let mailbox = state.app.incoming().mailbox();
    let saved = match input_of(&form) {
        Ok(input) => mailbox.save(&ctx.actor(), input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/settings?saved=1#mailbox").into_response()),
        Err(e @ AppError::Field { .. }) => {
            let stored = mailbox
                .view()
                .await
                .map_err(|e| WebError::from_app(ctx.lang(), e))?;
            let mut errors = FieldErrors::default();
            let field = e.field_name().unwrap_or("host").to_string();
            errors.add(field, ctx.tr.field_error(&e));
            let typed = typed_view(&form, &stored);
            super::settings::with_mailbox(&state, &ctx, Some((typed, errors)), String::new()).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

/// `POST /settings/mailbox/poll` (admin): reads the mailbox now; the settings page then shows
/// the run's report, or why it failed.
pub async fn poll_from_settings(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = admin_form(&state, &headers, &body).await?;
    match state.app.incoming().mailbox().poll(&ctx.actor()).await {
        Ok(_) => Ok(Redirect::to("/settings#mailbox").into_response()),
        Err(e) if !e.is_internal() => {
            super::settings::with_mailbox(&state, &ctx, None, e.message(ctx.lang())).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

/// `POST /incoming/mailbox/poll` (accountant or above): reads the mailbox now and returns to
/// the received invoices, which show the run's report (a failure above it).
pub async fn poll_from_incoming(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Accountant)?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    match state.app.incoming().mailbox().poll(&ctx.actor()).await {
        Ok(_) => Ok(Redirect::to("/incoming#mailbox-run").into_response()),
        Err(e) if !e.is_internal() => {
            super::incoming::list_with_problems(&state, &ctx, vec![e.message(ctx.lang())]).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}
