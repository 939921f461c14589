//! Payments against issued invoices, and the open items they leave.

use kontor_domain::money::{from_cents, to_cents};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::idempotency::{self, IdempotencyKey, Once, StoredResponse};
use crate::model::{DocState, Payment, PaymentInput};
use crate::util::{date_str, now, parse_date, sql};
use kontor_domain::ErrorCode;

fn from_row(row: &AnyRow) -> Result<Payment> {
    Ok(Payment {
        id: row.try_get("id")?,
        document_id: row.try_get("document_id")?,
        date: parse_date(&row.try_get::<String, _>("paid_on")?)?,
        amount: from_cents(row.try_get("amount_cents")?),
        method: row.try_get("method")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        reverses_id: row.try_get("reverses_id")?,
        reversed: row.try_get::<i64, _>("reversed")? > 0,
    })
}

/// The columns [`from_row`] reads.
const COLUMNS: &str = "id, document_id, paid_on, amount_cents, method, note, created_at, created_by, reverses_id, \
    (SELECT COUNT(*) FROM payments r WHERE r.reverses_id = payments.id) AS reversed";

/// Payment methods a bookkeeper can choose.
pub const PAYMENT_METHODS: &[&str] = &[
    "bank_transfer",
    "cash",
    "card",
    "direct_debit",
    "paypal",
    "other",
];

impl Store {
    /// Records a full or partial payment of an issued invoice. A payment larger than the
    /// open amount is refused, so that a typo cannot turn an invoice into a credit.
    pub async fn add_payment(
        &self,
        actor: &Actor,
        document_id: i64,
        input: &PaymentInput,
    ) -> Result<Payment> {
        match self
            .add_payment_once(actor, document_id, input, None, |_| {
                Err(StoreError::Corrupt("no key, no answer".into()))
            })
            .await?
        {
            Once::Created(payment) => Ok(payment),
            Once::Replayed(_) => Err(StoreError::Corrupt("replay without a key".into())),
        }
    }

    /// Records a payment; with a key, the key and `respond`'s answer are stored in the same
    /// transaction, and a repeat of the key returns that answer and records nothing.
    pub async fn add_payment_once(
        &self,
        actor: &Actor,
        document_id: i64,
        input: &PaymentInput,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Payment) -> Result<StoredResponse>,
    ) -> Result<Once<Payment>> {
        if input.amount <= Decimal::ZERO {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::AmountNotPositive,
                "must be greater than 0",
            ));
        }
        if input.amount.scale() > 2 && input.amount.normalize().scale() > 2 {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::TooManyDecimals,
                "has more than 2 decimal places",
            ));
        }
        if !PAYMENT_METHODS.contains(&input.method.as_str()) {
            return Err(StoreError::invalid_as(
                "method",
                ErrorCode::UnknownPaymentMethod,
                format!("must be one of {}", PAYMENT_METHODS.join(", ")),
            ));
        }
        let mut tx = self.write().await?;
        if let Some(key) = key
            && let Some(first) = idempotency::claim(&mut tx, key).await?
        {
            return Ok(Once::Replayed(first));
        }
        let row = sqlx::query(
            "SELECT doc_type, status, number, due_cents, paid_cents FROM documents WHERE id = $1",
        )
        .bind(document_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("document", document_id))?;
        let doc_type: String = row.try_get("doc_type")?;
        let status: String = row.try_get("status")?;
        if !matches!(doc_type.as_str(), "invoice" | "down_payment_invoice") {
            return Err(StoreError::conflict(
                ErrorCode::NotPayable,
                format!("payments are recorded against invoices, not a {doc_type}"),
            ));
        }
        if DocState::parse(&status) != Some(DocState::Issued) {
            return Err(StoreError::conflict(
                ErrorCode::NotPayable,
                format!("the invoice is {status}; only issued invoices take payments"),
            ));
        }
        let open = row.try_get::<i64, _>("due_cents")? - row.try_get::<i64, _>("paid_cents")?;
        let cents = to_cents(input.amount);
        if cents > open {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::ExceedsOpenAmount,
                format!("exceeds the open amount of {}", from_cents(open.max(0))),
            ));
        }
        let created_by = actor.0.clone();
        let inserted = sqlx::query(
            "INSERT INTO payments (document_id, paid_on, amount_cents, method, note, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(document_id)
        .bind(date_str(input.date))
        .bind(cents)
        .bind(&input.method)
        .bind(&input.note)
        .bind(now())
        .bind(&created_by)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = inserted.try_get("id")?;
        sqlx::query(
            "UPDATE documents SET paid_cents = paid_cents + $1, updated_at = $2 WHERE id = $3",
        )
        .bind(cents)
        .bind(now())
        .bind(document_id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "payment",
            entity: "document",
            entity_id: document_id.to_string(),
            old: Some(
                serde_json::json!({"paid": from_cents(row.try_get("paid_cents")?).to_string()}),
            ),
            new: Some(
                serde_json::json!({"payment_id": id, "date": input.date, "amount": input.amount.to_string(), "method": input.method, "note": input.note}),
            ),
        };
        audit::append(&mut tx, actor, change).await?;
        let payment = sqlx::query(sql(format!("SELECT {COLUMNS} FROM payments WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let payment = from_row(&payment)?;
        if let Some(key) = key {
            idempotency::complete(&mut tx, key, &respond(&payment)?).await?;
        }
        tx.commit().await?;
        Ok(Once::Created(payment))
    }

    /// Takes back a payment recorded by mistake: books the opposite amount on `date` as a
    /// payment of its own that names the first (with the `reason` as its note), lowers the
    /// paid amount, and logs it. Nothing is deleted; a payment is reversed at most once.
    pub async fn reverse_payment(
        &self,
        actor: &Actor,
        document_id: i64,
        payment_id: i64,
        date: chrono::NaiveDate,
        reason: &str,
    ) -> Result<Payment> {
        let mut tx = self.write().await?;
        let original = sqlx::query(sql(format!(
            "SELECT {COLUMNS} FROM payments WHERE id = $1 AND document_id = $2"
        )))
        .bind(payment_id)
        .bind(document_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("payment", payment_id))?;
        let original = from_row(&original)?;
        if original.reverses_id.is_some() || original.reversed {
            return Err(StoreError::conflict(
                ErrorCode::PaymentReversed,
                format!("payment {payment_id} is a reversal or was reversed already"),
            ));
        }
        let paid_before: i64 = sqlx::query("SELECT paid_cents FROM documents WHERE id = $1")
            .bind(document_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("paid_cents")?;
        let cents = to_cents(original.amount);
        let inserted = sqlx::query(
            "INSERT INTO payments (document_id, paid_on, amount_cents, method, note, created_at, created_by, reverses_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(document_id)
        .bind(date_str(date))
        .bind(-cents)
        .bind(&original.method)
        .bind(reason)
        .bind(now())
        .bind(&actor.0)
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = inserted.try_get("id")?;
        sqlx::query(
            "UPDATE documents SET paid_cents = paid_cents - $1, updated_at = $2 WHERE id = $3",
        )
        .bind(cents)
        .bind(now())
        .bind(document_id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "payment_reversal",
            entity: "document",
            entity_id: document_id.to_string(),
            old: Some(serde_json::json!({"paid": from_cents(paid_before).to_string()})),
            new: Some(serde_json::json!({
                "paid": from_cents(paid_before - cents).to_string(),
                "payment_id": id,
                "reverses_id": payment_id,
                "reason": reason,
            })),
        };
        audit::append(&mut tx, actor, change).await?;
        let reversal = sqlx::query(sql(format!("SELECT {COLUMNS} FROM payments WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let reversal = from_row(&reversal)?;
        tx.commit().await?;
        Ok(reversal)
    }

    pub async fn payments(&self, document_id: i64) -> Result<Vec<Payment>> {
        let rows = sqlx::query(sql(format!(
            "SELECT {COLUMNS} FROM payments WHERE document_id = $1 ORDER BY paid_on, id"
        )))
        .bind(document_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
