//! The editor page: new and existing drafts, save, save-and-issue, live totals.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::documents::{DraftInput, Preview};
use kontor_app::model::Role;
use kontor_domain::TaxMode;
use kontor_domain::document::{DocumentType, LineKind};
use kontor_domain::totals::{self, Totals};
use kontor_domain::validation::Problem;
use kontor_texts::Msg;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::form::{EditorForm, LineForm, add_problems, read_editor};
use super::view::show_doc;
use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::{Layout, render};
use crate::session::{self, Ctx, check_csrf};

#[derive(Template)]
#[template(path = "document_editor.html")]
struct EditorPage {
    l: Layout,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
    types: Vec<DocumentType>,
    tax_modes: Vec<&'static str>,
    payment_methods: Vec<&'static str>,
    units: Vec<(&'static str, &'static str)>,
    blank: LineForm,
    /// Before issuing: what the reader will miss, and which e-invoices the document gets.
    outlook: Outlook,
}

/// What issuing a saved draft would bring, as the editor shows it above the form.
#[derive(Debug, Default)]
pub(super) struct Outlook {
    /// Missing bank or business-letter data (no refusal).
    pub warnings: Vec<String>,
    /// The e-invoice formats the document will have, in words; empty for non-invoices.
    pub formats: Vec<String>,
}

impl EditorPage {
    /// A draft's type can change while it is edited: the amount is always shown as due.
    fn due_label(&self) -> Option<Msg> {
        Some(Msg::DocsDue)
    }

    /// The head fields every document needs: (name, label, value, input type).
    fn main_fields(&self) -> Vec<(&'static str, Msg, &str, &'static str)> {
        let f = &self.f;
        vec![
            ("date", Msg::FieldDate, f.date.as_str(), "date"),
            (
                "delivery_date",
                Msg::FieldDeliveryDate,
                f.delivery_date.as_str(),
                "date",
            ),
            (
                "due_date",
                // A quote's due date is the date until which it is valid.
                if f.doc_type == DocumentType::Quote.as_str() {
                    Msg::FieldValidUntil
                } else {
                    Msg::FieldDueDate
                },
                f.due_date.as_str(),
                "date",
            ),
            ("subject", Msg::FieldSubject, f.subject.as_str(), "text"),
            ("currency", Msg::FieldCurrency, f.currency.as_str(), "text"),
            (
                "discount_percent",
                Msg::FieldDocDiscount,
                f.discount.as_str(),
                "text",
            ),
        ]
    }

    /// The rarely used head fields, behind a disclosure: Skonto, exchange rate, already paid.
    fn more_fields(&self) -> Vec<(&'static str, Msg, &str, &'static str)> {
        let f = &self.f;
        vec![
            (
                "skonto1_days",
                Msg::FieldSkonto1Days,
                f.skonto[0].0.as_str(),
                "text",
            ),
            (
                "skonto1_percent",
                Msg::FieldSkonto1Percent,
                f.skonto[0].1.as_str(),
                "text",
            ),
            (
                "skonto2_days",
                Msg::FieldSkonto2Days,
                f.skonto[1].0.as_str(),
                "text",
            ),
            (
                "skonto2_percent",
                Msg::FieldSkonto2Percent,
                f.skonto[1].1.as_str(),
                "text",
            ),
            (
                "exchange_rate",
                Msg::FieldExchangeRate,
                f.exchange_rate.as_str(),
                "text",
            ),
            (
                "prepaid_amount",
                Msg::FieldPrepaidAmount,
                f.prepaid.as_str(),
                "text",
            ),
        ]
    }

    /// A draft has no payments yet.
    fn paid_and_open(&self) -> Option<(Decimal, Decimal)> {
        None
    }

    /// The disclosure is open when one of its fields has a value (a zero is none) or a
    /// problem, so nothing set or wrong is hidden.
    fn more_open(&self) -> bool {
        self.more_fields().iter().any(|(name, _, value, _)| {
            self.errors.has(name) || !value.trim_matches(['0', ',', '.', ' ']).is_empty()
        })
    }

    /// The heading of a new document of type `t` ("Rechnung (neu)"); the script shows it when
    /// the type is changed.
    fn new_title(&self, t: &DocumentType) -> String {
        self.l
            .tr
            .t(Msg::DocsNewTitle)
            .replace("{type}", self.l.tr.doc_type(t))
    }

    fn line_error(&self, i: &usize, name: &str) -> &str {
        self.errors.get(&format!("lines[{i}].{name}"))
    }
}

pub(super) fn editor(
    ctx: &Ctx,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
) -> Response {
    editor_page(
        ctx,
        f,
        id,
        errors,
        problems,
        totals,
        None,
        Outlook::default(),
    )
}

/// [`editor`] with what issuing the saved draft would bring.
pub(super) fn editor_with(
    ctx: &Ctx,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
    outlook: Outlook,
) -> Response {
    editor_page(ctx, f, id, errors, problems, totals, None, outlook)
}

/// A saved draft in the editor, confirming what was just done (`flash`, e.g. "Gespeichert.").
pub(super) fn saved_editor(
    ctx: &Ctx,
    f: EditorForm,
    id: i64,
    totals: Totals,
    flash: Option<Msg>,
    outlook: Outlook,
) -> Response {
    editor_page(
        ctx,
        f,
        Some(id),
        FieldErrors::default(),
        Vec::new(),
        Some(totals),
        flash,
        outlook,
    )
}

#[allow(
    clippy::too_many_arguments,
    reason = "the parts of one page, each named"
)]
fn editor_page(
    ctx: &Ctx,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
    flash: Option<Msg>,
    outlook: Outlook,
) -> Response {
    // The heading names the type: "Rechnung (Entwurf)", "Angebot (neu)".
    let title = match DocumentType::parse(&f.doc_type) {
        Some(t) => match id {
            Some(_) => ctx.tr.t(Msg::DocsDraftTitle),
            None => ctx.tr.t(Msg::DocsNewTitle),
        }
        .replace("{type}", ctx.tr.doc_type(t)),
        None => match id {
            Some(id) => format!("{} #{id}", ctx.tr.t(Msg::DocsDraft)),
            None => ctx.tr.t(Msg::DocsNew).to_string(),
        },
    };
    let units = ctx.tr.unit_choices();
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorPage {
        l: Layout::new(ctx, title, "documents")
            .with_flash(flash.map(|m| ctx.tr.t(m)).unwrap_or_default()),
        f,
        id,
        errors,
        problems,
        totals,
        // A new document is never a correction: those are derived from an invoice.
        types: DocumentType::ALL
            .iter()
            .copied()
            .filter(|t| *t != DocumentType::Cancellation && (id.is_some() || !t.is_correction()))
            .collect(),
        tax_modes: TaxMode::ALL.iter().map(|m| m.as_str()).collect(),
        payment_methods: kontor_domain::PaymentMethod::ALL
            .iter()
            .map(|m| m.as_str())
            .collect(),
        units,
        blank: LineForm::blank(),
        outlook,
    };
    let mut r = render(ctx.lang(), &page);
    *r.status_mut() = status;
    r
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(rename = "type")]
    doc_type: Option<String>,
    contact_id: Option<i64>,
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let doc_type = q
        .doc_type
        .as_deref()
        .and_then(DocumentType::parse)
        .filter(|t| !t.is_correction())
        .unwrap_or(DocumentType::Invoice);
    let mut f = EditorForm {
        doc_type: doc_type.as_str().into(),
        date: state.app.today().to_string(),
        delivery_date: state.app.today().to_string(),
        currency: "EUR".into(),
        ..Default::default()
    };
    if let Some(cid) = q.contact_id
        && let Ok(c) = state.app.contacts().get(cid).await
    {
        f.contact_id = cid.to_string();
        f.contact_label = format!("{} – {}", c.number, c.data.name);
    }
    // The intro and closing text blocks of this document type, as set in the settings.
    if let Ok(blocks) = state.app.settings().text_blocks().await {
        let block = blocks.get(doc_type);
        f.intro_text = block.intro;
        f.closing_text = block.closing;
    }
    f.lines.push(LineForm::blank());
    Ok(editor(
        &ctx,
        f,
        None,
        FieldErrors::default(),
        Vec::new(),
        None,
    ))
}

fn problem_text(p: &Problem, lang: Lang) -> String {
    if lang == Lang::En {
        format!("{}: {}", p.field, p.message)
    } else {
        p.message_de()
    }
}

/// Saves the editor (create or update), then issues if asked to. A rejected form comes back
/// as typed, every problem next to its field.
async fn save(
    state: &WebState,
    ctx: &Ctx,
    id: Option<i64>,
    body: &Bytes,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let form = FormData::parse(body);
    check_csrf(ctx, headers, form.get("_csrf"))?;
    let mut f = EditorForm::from_form(&form);
    let (input, mut errors) = read_editor(&f, ctx.lang());
    let documents = state.app.documents();
    if let Some(id) = id {
        // Shown again if the form comes back with problems.
        f.down_payments = documents
            .get(id)
            .await
            .map(|d| d.content.down_payments)
            .unwrap_or_default();
    }
    let saved = if errors.is_empty() {
        let version = f.version.parse().ok();
        match id {
            None => documents.create(&ctx.actor(), input).await,
            Some(id) => documents.update(&ctx.actor(), id, input, version).await,
        }
    } else {
        // Nothing is saved; the rules still run so that every problem shows at once.
        match rule_problems(state, id, input).await {
            Ok(()) => return Ok(editor(ctx, f, id, errors, Vec::new(), None)),
            Err(e) => Err(e),
        }
    };
    let doc = match saved {
        Ok(doc) => doc,
        Err(AppError::Input(problems)) => {
            add_problems(&mut errors, &problems, ctx.lang());
            return Ok(editor(ctx, f, id, errors, Vec::new(), None));
        }
        Err(AppError::Field { field, message, .. }) => {
            errors.add(field, message);
            return Ok(editor(ctx, f, id, errors, Vec::new(), None));
        }
        Err(e @ AppError::Refused { .. }) => {
            return Ok(editor(
                ctx,
                f,
                id,
                errors,
                vec![e.message(ctx.lang())],
                None,
            ));
        }
        Err(e) => return Err(WebError::from_app(ctx.lang(), e)),
    };
    if form.get("then_issue") == Some("1") {
        return issue_now(state, ctx, doc.id).await;
    }
    // The draft opens again with a visible confirmation (post/redirect/get).
    Ok(Redirect::to(&format!("/documents/{}?saved=1", doc.id)).into_response())
}

/// Checks `input` against the rules without saving it (`Ok` when it passes them).
async fn rule_problems(
    state: &WebState,
    id: Option<i64>,
    input: DraftInput,
) -> Result<(), AppError> {
    let documents = state.app.documents();
    let existing = match id {
        Some(id) => Some(documents.get(id).await?),
        None => None,
    };
    documents.check(input, existing.as_ref()).await.map(|_| ())
}

pub(super) async fn issue_now(state: &WebState, ctx: &Ctx, id: i64) -> Result<Response, WebError> {
    match state.app.documents().issue(&ctx.actor(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(AppError::NotIssuable(problems)) => {
            let doc = state
                .app
                .documents()
                .get(id)
                .await
                .map_err(|e| WebError::from_app(ctx.lang(), e))?;
            let label = contact_label(state, doc.contact_id).await;
            let f = EditorForm::from_document(&doc, label, &ctx.tr);
            let texts = problems
                .iter()
                .map(|p| problem_text(p, ctx.lang()))
                .collect();
            Ok(editor(
                ctx,
                f,
                Some(id),
                FieldErrors::default(),
                texts,
                Some(doc.totals),
            ))
        }
        Err(e @ AppError::Refused { .. }) => show_doc(state, ctx, id, e.message(ctx.lang())).await,
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub(super) async fn contact_label(state: &WebState, id: i64) -> String {
    state
        .app
        .contacts()
        .get(id)
        .await
        .map(|c| format!("{} – {}", c.number, c.data.name))
        .unwrap_or_default()
}

pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    save(&state, &ctx, None, &body, &headers).await
}

pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    save(&state, &ctx, Some(id), &body, &headers).await
}

/// Live totals for the editor: the same computation the server stores, formatted for display.
pub async fn live_totals(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let f = EditorForm::from_form(&form);
    let (input, mut errors) = read_editor(&f, ctx.lang());
    let draft_id = form.get("draft_id").and_then(|id| id.trim().parse().ok());
    let preview = if errors.is_empty() {
        state.app.documents().preview(input, draft_id).await
    } else {
        Err(AppError::Input(Default::default()))
    };
    let Preview {
        totals: t,
        lines,
        currency,
    } = match preview {
        Ok(preview) => preview,
        Err(AppError::Input(problems)) => {
            add_problems(&mut errors, &problems, ctx.lang());
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({"errors": errors.0})),
            )
                .into_response());
        }
        Err(e) => return Err(WebError::from_app(ctx.lang(), e)),
    };
    let currency = currency.as_str();
    let tr = ctx.tr;
    let lines: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.kind == LineKind::Text {
                String::new()
            } else {
                tr.money(totals::line_amounts(l).net, currency)
            }
        })
        .collect();
    let groups: Vec<_> = t
        .vat_breakdown
        .iter()
        .map(|g| serde_json::json!({"label": tr.vat_group(g), "taxable": tr.money(g.taxable, currency), "vat": tr.money(g.vat, currency)}))
        .collect();
    Ok(Json(serde_json::json!({
        "lines": lines,
        "line_total": tr.money(t.line_total, currency),
        "allowance_total": tr.money(t.allowance_total, currency),
        "net": tr.money(t.net, currency),
        "vat": tr.money(t.vat, currency),
        "gross": tr.money(t.gross, currency),
        "prepaid": tr.money(t.prepaid, currency),
        "down_payments": tr.money(t.down_payments, currency),
        "due": tr.money(t.due, currency),
        "vat_breakdown": groups,
        "raw": {"net": t.net.to_string(), "vat": t.vat.to_string(), "gross": t.gross.to_string(), "due": t.due.to_string()},
    }))
    .into_response())
}
