//! Documents: drafts, issuing, deriving, cancelling, and the lists of documents and open items.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kontor_app::model::{DocumentQuery, DocumentSort, Once, StatusFilter};
use kontor_domain::DocumentType;
use kontor_domain::validation::Problem;
use serde::{Deserialize, Serialize};

use super::PageOut;
use super::document_input::DocumentInput;
use super::document_output::{DocumentOut, SummaryOut};
use super::error::{ApiError, ApiResult};
use super::idempotency::{self, KeyedJson};
use super::input;
use super::json::{ApiJson, ApiJsonBody, ApiPath, Date, QueryParams};
use crate::auth::Auth;
use kontor_app::App;
use kontor_domain::ErrorCode;

pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<SummaryOut>>> {
    let doc_type = q
        .str("type")
        .map(|t| {
            DocumentType::parse(t).ok_or_else(|| {
                ApiError::field("type", ErrorCode::UnknownValue, "is not a document type")
            })
        })
        .transpose()?;
    let status = q
        .str("status")
        .map(|s| {
            StatusFilter::parse(s).ok_or_else(|| {
                let all: Vec<&str> = StatusFilter::ALL.iter().map(|f| f.as_str()).collect();
                ApiError::field(
                    "status",
                    ErrorCode::UnknownValue,
                    format!("must be one of {}", all.join(", ")),
                )
            })
        })
        .transpose()?;
    let (state_filter, open_status, payment) = status.map(|s| s.parts()).unwrap_or_default();
    let amount = q
        .str("amount")
        .map(|a| {
            kontor_domain::search::amount(a).ok_or_else(|| {
                ApiError::field(
                    "amount",
                    ErrorCode::Invalid,
                    "must be an amount such as 1271.64 (1.271,64 and 1271,64 are read too)",
                )
            })
        })
        .transpose()?;
    let query = DocumentQuery {
        doc_type,
        state: state_filter,
        contact_id: q.i64("contact_id")?,
        date_from: q.date("date_from")?,
        date_to: q.date("date_to")?,
        search: q.str("search").map(str::to_string),
        open_only: q.bool("open")? || open_status,
        payment,
        amount,
        sort: q.sort::<DocumentSort>()?,
        page: q.page()?,
        skip_total: false,
    };
    summaries(&state, &query).await
}

/// `GET /open-items`: issued invoices with something left to pay.
pub async fn open_items(
    State(state): State<App>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<SummaryOut>>> {
    let query = DocumentQuery {
        contact_id: q.i64("contact_id")?,
        open_only: true,
        page: q.page()?,
        ..Default::default()
    };
    summaries(&state, &query).await
}

async fn summaries(state: &App, query: &DocumentQuery) -> ApiResult<Json<PageOut<SummaryOut>>> {
    let today = state.today();
    let page = state.documents().list(query).await?;
    Ok(Json(PageOut::from_page(page, |s| {
        SummaryOut::new(&s, today)
    })))
}

/// `POST /documents`; with an `Idempotency-Key` a repeat returns the first answer.
pub async fn create(
    State(state): State<App>,
    auth: Auth,
    KeyedJson { body, key }: KeyedJson<DocumentInput>,
) -> ApiResult<Response> {
    let today = state.today();
    let once = state
        .documents()
        .create_once(&auth.actor(), body.into_input(), key.as_ref(), |doc| {
            idempotency::stored(StatusCode::CREATED, &DocumentOut::new(doc.clone(), today))
        })
        .await?;
    Ok(match once {
        Once::Created(doc) => {
            (StatusCode::CREATED, Json(DocumentOut::new(doc, today))).into_response()
        }
        Once::Replayed(first) => idempotency::replay(first),
    })
}

pub async fn get(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DocumentOut>> {
    let doc = state.documents().get(id).await?;
    Ok(Json(DocumentOut::new(doc, state.today())))
}

pub async fn update(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJsonBody(body): ApiJsonBody<DocumentInput>,
) -> ApiResult<Json<DocumentOut>> {
    let version = body.version;
    let doc = state
        .documents()
        .update(&auth.actor(), id, body.into_input(), version)
        .await?;
    Ok(Json(DocumentOut::new(doc, state.today())))
}

pub async fn delete(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.documents().delete(&auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The PDF: archived bytes for issued documents (never re-rendered), a preview for drafts.
pub async fn pdf(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(crate::files::response(state.documents().pdf(id).await?))
}

#[derive(Debug, Serialize)]
pub struct IssueCheck {
    ready: bool,
    problems: Vec<Problem>,
    /// What the reader will miss (bank account, business-letter data); no refusal.
    warnings: Vec<Problem>,
    /// The e-invoice formats the document will have once issued.
    einvoice: EinvoiceOutlook,
}

#[derive(Debug, Serialize)]
pub struct EinvoiceOutlook {
    /// The ZUGFeRD / Factur-X PDF (every invoice and correction).
    zugferd: bool,
    /// XRechnung UBL and CII.
    xrechnung: bool,
    /// What an XRechnung still needs.
    xrechnung_missing: Vec<Problem>,
}

pub async fn issue_check(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IssueCheck>> {
    let preview = state.documents().issue_preview(id).await?;
    let invoice = preview.xrechnung_missing.is_some();
    let missing = preview.xrechnung_missing.unwrap_or_default();
    Ok(Json(IssueCheck {
        ready: preview.problems.is_empty(),
        problems: preview.problems,
        warnings: preview.warnings,
        einvoice: EinvoiceOutlook {
            zugferd: invoice,
            xrechnung: invoice && missing.is_empty(),
            xrechnung_missing: missing,
        },
    }))
}

pub async fn issue(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DocumentOut>> {
    let doc = state.documents().issue(&auth.actor(), id).await?;
    Ok(Json(DocumentOut::new(doc, state.today())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeriveInput {
    #[serde(rename = "type")]
    doc_type: DocumentType,
    date: Option<Date>,
}

pub async fn derive(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DeriveInput>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let doc = state
        .documents()
        .derive(&auth.actor(), id, body.doc_type, body.date.map(|d| d.0))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DocumentOut::new(doc, state.today())),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    date: Option<Date>,
    /// Why the invoice is cancelled; printed after the cancellation's subject.
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// `accepted`, `declined`, or null to make the quote open again (required, so that an
    /// empty body never reopens a quote).
    outcome: serde_json::Value,
}

pub async fn outcome(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OutcomeInput>,
) -> ApiResult<Json<DocumentOut>> {
    let outcome = match &body.outcome {
        serde_json::Value::Null => None,
        value => Some(
            value
                .as_str()
                .and_then(kontor_domain::QuoteOutcome::parse)
                .ok_or_else(|| {
                    ApiError::field(
                        "outcome",
                        ErrorCode::UnknownValue,
                        "must be accepted, declined or null",
                    )
                })?,
        ),
    };
    let doc = state
        .documents()
        .set_quote_outcome(&auth.actor(), id, outcome)
        .await?;
    Ok(Json(DocumentOut::new(doc, state.today())))
}

pub async fn cancel(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CancelInput>,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    let reason = input::text("reason", body.reason, 200, false)?;
    let cancellation = state
        .documents()
        .cancel(&auth.actor(), id, body.date.map(|d| d.0), Some(&reason))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DocumentOut::new(cancellation, state.today())),
    ))
}
