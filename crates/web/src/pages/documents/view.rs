//! A document's page: totals, payments, audit trail and the actions it allows.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use kontor_app::model::{AuditEntry, DocState, Document, Payment, Role};
use kontor_domain::document::DocumentType;
use kontor_texts::Msg;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::editor::{Outlook, contact_label, editor_with, saved_editor};
use super::form::{EditorForm, LineForm, line_form};
use crate::WebState;
use crate::error::WebError;
use crate::forms::FieldErrors;
use crate::layout::{Layout, render};
use crate::session::{self, Ctx};

#[derive(Template)]
#[template(path = "document_view.html")]
struct ViewPage {
    l: Layout,
    d: Document,
    lines: Vec<LineForm>,
    status: &'static str,
    payments: Vec<Payment>,
    audit: Vec<AuditEntry>,
    targets: Vec<DocumentType>,
    legal_note: String,
    /// Linked documents: (label key, id, number or #id, element id).
    related: Vec<(Msg, i64, String, &'static str)>,
    /// Documents made from this one: (id, type and number).
    derived: Vec<(i64, String)>,
    is_quote: bool,
    /// An issued quote whose outcome the user may record.
    can_answer: bool,
    /// Payments of this issued invoice may be reversed by the user.
    can_reverse: bool,
    can_pay: bool,
    can_cancel: bool,
    can_derive: bool,
    today: NaiveDate,
    message: String,
}

impl ViewPage {
    /// Why this issued invoice cannot have an XRechnung (empty: it can), from the seller and
    /// buyer as they were when it was issued; the page shows the reason instead of the links.
    fn xrechnung_missing(&self) -> Vec<String> {
        let (Some(seller), Some(buyer)) = (self.d.seller(), self.d.buyer()) else {
            return Vec::new();
        };
        kontor_domain::validation::xrechnung_problems(seller, buyer)
            .iter()
            .map(|p| match self.l.tr.lang {
                kontor_domain::Language::De => p.message_de(),
                kontor_domain::Language::En => p.message.clone(),
            })
            .collect()
    }

    /// What the amount under the totals is: due on invoices, a credit on cancellations and
    /// credit notes; other documents ask for no payment and show none.
    fn due_label(&self) -> Option<Msg> {
        let t = self.d.content.doc_type;
        if t.is_receivable() {
            Some(Msg::DocsDue)
        } else if t.is_correction() {
            Some(Msg::DocsCredit)
        } else {
            None
        }
    }

    /// What an issued invoice has been paid and what is still open, under its totals.
    fn paid_and_open(&self) -> Option<(Decimal, Decimal)> {
        (self.d.state() != DocState::Draft && self.d.content.doc_type.is_receivable())
            .then(|| (self.d.paid, self.d.open_amount()))
    }

    /// "2 % / 7 Tage (03.12.2026: 23,80 €)" per Skonto step.
    fn skonto_rows(&self) -> Vec<String> {
        let (c, tr) = (&self.d.content, &self.l.tr);
        c.skonto
            .iter()
            .map(|s| {
                let mut row = format!(
                    "{} % / {} {}",
                    tr.num(s.percent),
                    s.days,
                    tr.t(Msg::CommonDays)
                );
                if let Some(until) = s.until(c.date) {
                    row.push_str(&format!(
                        " ({}: {})",
                        tr.date(until),
                        tr.money(s.amount(self.d.totals.due), c.currency)
                    ));
                }
                row
            })
            .collect()
    }

    /// The VAT in EUR of a foreign-currency document, formatted; empty otherwise.
    fn vat_in_eur(&self) -> String {
        self.d
            .content
            .vat_in_eur(self.d.totals.vat)
            .map(|v| self.l.tr.money(v, "EUR"))
            .unwrap_or_default()
    }
}

pub(super) async fn show_doc(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    message: String,
) -> Result<Response, WebError> {
    show_page(state, ctx, id, message, None).await
}

/// A document's page (the editor for a draft), with `message` as a problem and `flash` as a
/// confirmation of what was just done.
async fn show_page(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    message: String,
    flash: Option<Msg>,
) -> Result<Response, WebError> {
    let lang = ctx.lang();
    let documents = state.app.documents();
    let d = documents
        .get(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    if d.state() == DocState::Draft {
        let label = contact_label(state, d.contact_id).await;
        let f = EditorForm::from_document(&d, label, &ctx.tr);
        let outlook = outlook(state, ctx, id).await?;
        if message.is_empty() {
            return Ok(saved_editor(ctx, f, id, d.totals.clone(), flash, outlook));
        }
        return Ok(editor_with(
            ctx,
            f,
            Some(id),
            FieldErrors::default(),
            vec![message],
            Some(d.totals.clone()),
            outlook,
        ));
    }
    let today = state.app.today();
    let payments = documents
        .payments(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let audit = documents
        .audit(id, 50)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let lines = d
        .content
        .lines
        .iter()
        .map(|l| line_form(l, &ctx.tr, d.content.currency.as_str()))
        .collect();
    let doc_lang = d.language.as_str();
    let legal_note = d
        .content
        .tax_mode
        .legal_note(doc_lang)
        .unwrap_or("")
        .to_string();
    let issued = d.state() == DocState::Issued;
    let mut related = Vec::new();
    for (key, id, anchor) in [
        (Msg::DocsSource, d.source_id, "source-link"),
        (Msg::DocsCorrects, d.corrects_id, "corrects-link"),
        (Msg::DocsCancelledBy, d.cancelled_by_id, "cancelled-by-link"),
    ] {
        if let Some(id) = id
            && !(key == Msg::DocsSource && d.corrects_id == Some(id))
        {
            let label = match documents.get(id).await {
                Ok(other) => format!(
                    "{} {}",
                    ctx.tr.doc_type(other.content.doc_type),
                    other
                        .number()
                        .map_or_else(|| format!("#{id}"), str::to_string)
                ),
                Err(_) => format!("#{id}"),
            };
            related.push((key, id, label, anchor));
        }
    }
    let derived = documents
        .derived(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?
        .into_iter()
        .map(|x| {
            let label = format!(
                "{} {}",
                ctx.tr.doc_type(x.doc_type),
                x.number
                    .unwrap_or_else(|| ctx.tr.t(Msg::StatusDraft).to_string())
            );
            (x.id, label)
        })
        .collect();
    let is_quote = d.content.doc_type == kontor_domain::DocumentType::Quote;
    let title = format!(
        "{} {}",
        ctx.tr.doc_type(d.content.doc_type),
        d.number().unwrap_or_default()
    );
    let page = ViewPage {
        l: Layout::new(ctx, title, "documents")
            .with_flash(flash.map(|m| ctx.tr.t(m)).unwrap_or_default()),
        status: d.status(today),
        lines,
        payments,
        audit,
        targets: if issued {
            d.content.doc_type.derivable_targets().to_vec()
        } else {
            Vec::new()
        },
        legal_note,
        related,
        derived,
        is_quote,
        can_answer: issued && is_quote && ctx.can(Role::Sales),
        can_reverse: issued && ctx.can(Role::Accountant),
        can_pay: issued
            && d.content.doc_type.is_receivable()
            && d.open_amount() > Decimal::ZERO
            && ctx.can(Role::Accountant),
        can_cancel: issued
            && d.content.doc_type.can_be_cancelled()
            && d.paid.is_zero()
            && ctx.can(Role::Accountant),
        can_derive: ctx.can(Role::Sales),
        today,
        message,
        d,
    };
    Ok(render(lang, &page))
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// Set by the redirect after a draft was saved: the page confirms it.
    saved: Option<String>,
}

pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let flash = q.saved.is_some().then_some(Msg::CommonSaved);
    show_page(&state, &ctx, id, String::new(), flash).await
}

/// What issuing draft `id` would bring, in the user's language: the warnings and the
/// e-invoice formats (for invoices and their corrections).
async fn outlook(state: &WebState, ctx: &Ctx, id: i64) -> Result<Outlook, WebError> {
    let lang = ctx.lang();
    let preview = state
        .app
        .documents()
        .issue_preview(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let say = |p: &kontor_domain::validation::Problem| match lang {
        kontor_domain::Language::De => p.message_de(),
        kontor_domain::Language::En => p.message.clone(),
    };
    let warnings = preview.warnings.iter().map(say).collect();
    let formats = match preview.xrechnung_missing {
        None => Vec::new(),
        Some(missing) if missing.is_empty() => vec![
            ctx.tr.t(Msg::DocsFormatZugferd).to_string(),
            ctx.tr.t(Msg::DocsFormatXrechnung).to_string(),
        ],
        Some(missing) => vec![
            ctx.tr.t(Msg::DocsFormatZugferd).to_string(),
            format!(
                "{} {}",
                ctx.tr.t(Msg::DocsFormatNoXrechnung),
                missing.iter().map(say).collect::<Vec<_>>().join(" ")
            ),
        ],
    };
    Ok(Outlook { warnings, formats })
}
