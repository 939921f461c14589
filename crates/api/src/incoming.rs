//! Received invoices (payables): upload a file, list and read them, download the original,
//! correct, approve, reject and pay; read the mailbox they arrive in.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kontor_app::App;
use kontor_app::incoming::mailbox::PollReport;
use kontor_app::incoming::summary::IncomingOut;
use kontor_app::incoming::{IncomingFile, Received, parse_findings};
use kontor_app::model::{Incoming, IncomingHeader, IncomingPayment, IncomingQuery, IncomingStatus};
use kontor_domain::ErrorCode;
use kontor_einvoice_in::model::Invoice;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PageOut;
use super::error::{ApiError, ApiResult};
use super::format::money;
use super::input;
use super::json::{ApiJson, ApiPath, Date, Dec, QueryParams};
use crate::auth::Auth;

/// The largest file taken (as the checker's own limit).
pub const UPLOAD_LIMIT: usize = kontor_einvoice_in::MAX_FILE_BYTES + 64 * 1024;

/// German findings when the caller asks for German (`Accept-Language: de…`).
fn german(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("de"))
}

fn out(i: &Incoming, german: bool) -> IncomingOut {
    IncomingOut::new(i, &parse_findings(i), german)
}

/// The file name from `?name=` or the `Content-Disposition` header's `filename`.
fn sent_name(headers: &HeaderMap, q: &QueryParams) -> String {
    if let Some(name) = q.str("name") {
        return name.to_string();
    }
    headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(';')
                .find_map(|p| p.trim().strip_prefix("filename="))
        })
        .map(|n| n.trim_matches('"').to_string())
        .unwrap_or_default()
}

/// `POST /incoming`: the file as the body (with its content type) or as the one file of a
/// multipart form. 201 with what was read and found; 422 when it is no e-invoice and no PDF.
pub async fn upload(
    State(state): State<App>,
    auth: Auth,
    q: QueryParams,
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers().clone();
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (bytes, name) = if multipart {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::new(ErrorCode::UnreadableBody, e.body_text()))?;
        let mut found = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::new(ErrorCode::UnreadableBody, e.body_text()))?
        {
            if field.file_name().is_none() && field.name() != Some("file") {
                continue;
            }
            if found.is_some() {
                return Err(ApiError::field(
                    "file",
                    ErrorCode::TooMany,
                    "send one file per request",
                ));
            }
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::new(ErrorCode::UnreadableBody, e.body_text()))?;
            found = Some((bytes.to_vec(), name));
        }
        found
            .ok_or_else(|| ApiError::field("file", ErrorCode::Required, "the form holds no file"))?
    } else {
        let name = sent_name(&headers, &q);
        let bytes = axum::body::to_bytes(request.into_body(), UPLOAD_LIMIT)
            .await
            .map_err(|_| {
                ApiError::field(
                    "file",
                    ErrorCode::FileTooLarge,
                    format!(
                        "is larger than {} MiB",
                        kontor_einvoice_in::MAX_FILE_BYTES / 1024 / 1024
                    ),
                )
            })?;
        (bytes.to_vec(), name)
    };
    let file = Received {
        bytes,
        name,
        source: "api",
        source_ref: String::new(),
    };
    let imported = state.incoming().import(&auth.actor(), file).await?;
    let body = IncomingOut::new(&imported.incoming, &imported.findings, german(&headers));
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /incoming?status=…&due=week&q=…`.
pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    headers: HeaderMap,
    q: QueryParams,
) -> ApiResult<Json<PageOut<IncomingOut>>> {
    let status = match q.str("status") {
        None | Some("") => None,
        Some(s) => Some(IncomingStatus::parse(s).ok_or_else(|| {
            ApiError::field(
                "status",
                ErrorCode::UnknownValue,
                "must be one of received, checked, approved, paid, rejected",
            )
        })?),
    };
    let due_until = match q.str("due") {
        None | Some("") => None,
        Some("week") => Some(kontor_app::incoming::end_of_week(state.today())),
        Some(_) => q.date("due")?,
    };
    let query = IncomingQuery {
        status,
        due_until,
        search: q.str("q").map(str::to_string),
        page: q.page()?,
    };
    let page = state.incoming().list(&query).await?;
    let german = german(&headers);
    Ok(Json(PageOut::from_page(page, |i| out(&i, german))))
}

#[derive(Debug, Serialize)]
pub struct IncomingPaymentOut {
    id: i64,
    incoming_id: i64,
    date: NaiveDate,
    amount: String,
    method: String,
    note: String,
    reverses_id: Option<i64>,
    reversed: bool,
    created_at: String,
    created_by: String,
}

impl From<IncomingPayment> for IncomingPaymentOut {
    fn from(p: IncomingPayment) -> Self {
        IncomingPaymentOut {
            id: p.id,
            incoming_id: p.incoming_id,
            date: p.date,
            amount: money(p.amount),
            method: p.method,
            note: p.note,
            reverses_id: p.reverses_id,
            reversed: p.reversed,
            created_at: p.created_at,
            created_by: p.created_by,
        }
    }
}

/// One received invoice with everything read from it.
#[derive(Debug, Serialize)]
pub struct IncomingDetailOut {
    #[serde(flatten)]
    summary: IncomingOut,
    /// Every business term read (absent for a plain PDF).
    invoice: Option<Invoice>,
    payments: Vec<IncomingPaymentOut>,
    /// The supplier contact: linked at approval, or the one matching suggests.
    supplier: Option<SupplierOut>,
}

#[derive(Debug, Serialize)]
struct SupplierOut {
    contact_id: i64,
    name: String,
    matched_by: &'static str,
}

pub async fn get(
    State(state): State<App>,
    _auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IncomingDetailOut>> {
    let d = state.incoming().detail(id).await?;
    Ok(Json(IncomingDetailOut {
        summary: IncomingOut::new(&d.incoming, &d.findings, german(&headers)),
        invoice: d.invoice,
        payments: d.payments.into_iter().map(Into::into).collect(),
        supplier: d.contact.map(|(c, how)| SupplierOut {
            contact_id: c.id,
            name: c.data.name,
            matched_by: how.as_str(),
        }),
    }))
}

fn file_response(file: IncomingFile, inline: bool) -> Response {
    let (headers, bytes) = file.into_response_parts(inline);
    (StatusCode::OK, headers, bytes).into_response()
}

/// The original file, byte-identical.
pub async fn original(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(file_response(state.incoming().original(id).await?, false))
}

/// The readable rendering as PDF, in the caller's language.
pub async fn pdf(
    State(state): State<App>,
    _auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let lang = if german(&headers) {
        kontor_domain::Language::De
    } else {
        kontor_domain::Language::En
    };
    Ok(file_response(
        state.incoming().readable_pdf(id, lang).await?,
        true,
    ))
}

/// An embedded attachment (BG-24) by position, as bytes to download.
pub async fn attachment(
    State(state): State<App>,
    _auth: Auth,
    ApiPath((id, index)): ApiPath<(i64, usize)>,
) -> ApiResult<Response> {
    Ok(file_response(
        state.incoming().attachment(id, index).await?,
        false,
    ))
}

/// What a person enters for a received invoice (a plain PDF, or a correction).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderInput {
    seller_name: Option<String>,
    seller_vat_id: Option<String>,
    seller_iban: Option<String>,
    number: Option<String>,
    issue_date: Option<Date>,
    due_date: Option<Date>,
    skonto_date: Option<Date>,
    skonto_amount: Option<Dec>,
    currency: Option<String>,
    credit_note: Option<bool>,
    net: Option<Dec>,
    vat: Option<Dec>,
    gross: Option<Dec>,
    due: Option<Dec>,
}

fn amount(field: &str, value: Option<Dec>) -> Result<Option<Decimal>, ApiError> {
    value
        .map(|d| input::decimal(field, d.0, 2, Decimal::ZERO, None))
        .transpose()
}

/// `POST /incoming/{id}/check`: the header as entered; the invoice is then `checked`.
pub async fn check(
    State(state): State<App>,
    auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HeaderInput>,
) -> ApiResult<Json<IncomingOut>> {
    let header = IncomingHeader {
        seller_name: input::text("seller_name", body.seller_name, 200, false)?,
        seller_vat_id: input::text("seller_vat_id", body.seller_vat_id, 40, false)?,
        seller_iban: input::text("seller_iban", body.seller_iban, 40, false)?,
        number: input::text("number", body.number, 100, false)?,
        issue_date: body.issue_date.map(|d| d.0),
        due_date: body.due_date.map(|d| d.0),
        skonto_date: body.skonto_date.map(|d| d.0),
        skonto_amount: amount("skonto_amount", body.skonto_amount)?,
        currency: input::text("currency", body.currency, 3, false)?,
        credit_note: body.credit_note.unwrap_or(false),
        net: amount("net", body.net)?,
        vat: amount("vat", body.vat)?,
        gross: amount("gross", body.gross)?,
        due: amount("due", body.due)?,
    };
    let stored = state.incoming().check(&auth.actor(), id, header).await?;
    Ok(Json(out(&stored, german(&headers))))
}

pub async fn approve(
    State(state): State<App>,
    auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IncomingOut>> {
    let stored = state.incoming().approve(&auth.actor(), id).await?;
    Ok(Json(out(&stored, german(&headers))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    reason: Option<String>,
}

pub async fn reject(
    State(state): State<App>,
    auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RejectInput>,
) -> ApiResult<Json<IncomingOut>> {
    let reason = input::text("reason", body.reason, 500, true)?;
    let stored = state.incoming().reject(&auth.actor(), id, &reason).await?;
    Ok(Json(out(&stored, german(&headers))))
}

pub async fn payments(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Json<PageOut<IncomingPaymentOut>>> {
    let all = state
        .incoming()
        .payments(id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PageOut::slice(all, q.page()?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    date: Option<Date>,
    /// Default: the open amount.
    amount: Option<Dec>,
    method: Option<String>,
    note: Option<String>,
}

pub async fn pay(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PaymentInput>,
) -> ApiResult<(StatusCode, Json<IncomingPaymentOut>)> {
    let amount = amount("amount", body.amount)?;
    if amount.is_some_and(|a| a.is_zero()) {
        return Err(ApiError::field(
            "amount",
            ErrorCode::AmountNotPositive,
            "must be greater than 0",
        ));
    }
    let method = input::text("method", body.method, 40, false)?;
    let note = input::text("note", body.note, 1000, false)?;
    let payment = state
        .incoming()
        .pay(
            &auth.actor(),
            id,
            body.date.map(|d| d.0),
            amount,
            &method,
            &note,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(payment.into())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReversalInput {
    date: Option<Date>,
    reason: Option<String>,
}

pub async fn reverse(
    State(state): State<App>,
    auth: Auth,
    ApiPath((id, payment_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<ReversalInput>,
) -> ApiResult<(StatusCode, Json<IncomingPaymentOut>)> {
    let reason = input::text("reason", body.reason, 200, true)?;
    let payment = state
        .incoming()
        .reverse_payment(
            &auth.actor(),
            id,
            payment_id,
            body.date.map(|d| d.0),
            &reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(payment.into())))
}

/// `POST /incoming/mailbox/poll`: reads the mailbox now; 200 with the run's report. A run that
/// fails as a whole (no connection, login refused) answers with its error (503 or 409) and
/// leaves the mailbox as it was.
pub async fn poll_mailbox(State(state): State<App>, auth: Auth) -> ApiResult<Json<PollReport>> {
    Ok(Json(state.incoming().mailbox().poll(&auth.actor()).await?))
}

/// `GET /incoming/mailbox/report`: the last run's report (404 before the first run).
pub async fn mailbox_report(State(state): State<App>, _auth: Auth) -> ApiResult<Json<PollReport>> {
    state
        .incoming()
        .mailbox()
        .last_report()
        .await?
        .map(Json)
        .ok_or_else(|| kontor_app::Error::not_found("mailbox report", "last").into())
}
