//! Payments recorded against issued invoices.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kontor_app::model::{Once, Payment, PaymentInput as StorePayment};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PageOut;
use super::error::{ApiError, ApiResult};
use super::format::money;
use super::idempotency::{self, KeyedJson};
use super::input;
use super::json::{ApiJson, ApiPath, Date, Dec, QueryParams};
use crate::auth::Auth;
use kontor_app::App;
use kontor_domain::ErrorCode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    date: Option<Date>,
    amount: Option<Dec>,
    method: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PaymentOut {
    id: i64,
    document_id: i64,
    date: NaiveDate,
    amount: String,
    method: String,
    note: String,
    created_at: String,
    created_by: String,
    /// For a reversal: the payment it takes back.
    reverses_id: Option<i64>,
    /// Whether a later reversal took this payment back.
    reversed: bool,
}

impl From<Payment> for PaymentOut {
    fn from(p: Payment) -> Self {
        PaymentOut {
            id: p.id,
            document_id: p.document_id,
            date: p.date,
            amount: money(p.amount),
            method: p.method,
            note: p.note,
            created_at: p.created_at,
            created_by: p.created_by,
            reverses_id: p.reverses_id,
            reversed: p.reversed,
        }
    }
}

pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Json<PageOut<PaymentOut>>> {
    let payments = state
        .documents()
        .payments(id)
        .await?
        .into_iter()
        .map(PaymentOut::from)
        .collect();
    Ok(Json(PageOut::slice(payments, q.page()?)))
}

pub async fn create(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    KeyedJson { body, key }: KeyedJson<PaymentInput>,
) -> ApiResult<Response> {
    let amount = body
        .amount
        .ok_or_else(|| ApiError::field("amount", ErrorCode::Required, "is required"))?;
    let amount = input::decimal("amount", amount.0, 2, Decimal::ZERO, None)?;
    if amount.is_zero() {
        return Err(ApiError::field(
            "amount",
            ErrorCode::OutOfRange,
            "must be greater than 0",
        ));
    }
    let payment = StorePayment {
        date: body.date.map_or_else(|| state.today(), |d| d.0),
        amount,
        method: body
            .method
            .map_or_else(|| "bank_transfer".to_string(), |m| m.trim().to_string()),
        note: input::text("note", body.note, 1000, false)?,
    };
    let once = state
        .documents()
        .add_payment_once(&auth.actor(), id, &payment, key.as_ref(), |p| {
            idempotency::stored(StatusCode::CREATED, &PaymentOut::from(p.clone()))
        })
        .await?;
    Ok(match once {
        Once::Created(payment) => {
            (StatusCode::CREATED, Json(PaymentOut::from(payment))).into_response()
        }
        Once::Replayed(first) => idempotency::replay(first),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReversalInput {
    /// The booking date of the reversal (default: today).
    date: Option<Date>,
    /// Why the payment is taken back (required: the log says why).
    reason: Option<String>,
}

/// Takes back a payment recorded by mistake with a reversal of the opposite amount.
pub async fn reverse(
    State(state): State<App>,
    auth: Auth,
    ApiPath((id, payment_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<ReversalInput>,
) -> ApiResult<(StatusCode, Json<PaymentOut>)> {
    let reason = input::text("reason", body.reason, 200, true)?;
    let reversal = state
        .documents()
        .reverse_payment(
            &auth.actor(),
            id,
            payment_id,
            body.date.map_or_else(|| state.today(), |d| d.0),
            &reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(PaymentOut::from(reversal))))
}
