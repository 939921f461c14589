//! Received invoices (payables): the original as it arrived, what was read and found at
//! receipt, and the way from received to paid. The original's bytes are a blob (written once);
//! the row's header fields can be entered or corrected by hand until approval, never after.

use chrono::NaiveDate;
use kontor_domain::ErrorCode;
use kontor_domain::money::{from_cents, to_cents};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::model::{Page, PageRequest};
use crate::util::{date_str, like_pattern, now, parse_date, parse_opt_date, search_text, sql};
use crate::{Backend, Store};

/// Where a received invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingStatus {
    /// Stored; its data is incomplete or the checker found a fatal problem.
    Received,
    /// Its data is complete: valid at receipt, or entered and confirmed by hand.
    Checked,
    /// Approved for payment by an accountant.
    Approved,
    /// Paid in full.
    Paid,
    /// Refused, with a reason.
    Rejected,
}

impl IncomingStatus {
    pub const ALL: [IncomingStatus; 5] = [
        IncomingStatus::Received,
        IncomingStatus::Checked,
        IncomingStatus::Approved,
        IncomingStatus::Paid,
        IncomingStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncomingStatus::Received => "received",
            IncomingStatus::Checked => "checked",
            IncomingStatus::Approved => "approved",
            IncomingStatus::Paid => "paid",
            IncomingStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<IncomingStatus> {
        IncomingStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The header of a received invoice: read from its XML, or typed in for a plain PDF.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncomingHeader {
    pub seller_name: String,
    pub seller_vat_id: String,
    pub seller_iban: String,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// The last day to pay with the (first) Skonto, and the amount to pay then.
    pub skonto_date: Option<NaiveDate>,
    pub skonto_amount: Option<Decimal>,
    pub currency: String,
    pub credit_note: bool,
    pub net: Option<Decimal>,
    pub vat: Option<Decimal>,
    pub gross: Option<Decimal>,
    /// The amount due for payment (BT-115).
    pub due: Option<Decimal>,
}

/// A received file to be stored.
#[derive(Debug, Clone)]
pub struct NewIncoming {
    pub status: IncomingStatus,
    pub format: String,
    pub valid: bool,
    pub original_sha256: String,
    pub original_name: String,
    pub content_type: String,
    pub xml_sha256: Option<String>,
    /// `upload`, `api`, `cli` or `mailbox`.
    pub source: String,
    /// For the mailbox: the message id and the attachment's hash (imported once).
    pub source_ref: String,
    pub header: IncomingHeader,
    pub contact_id: Option<i64>,
    /// The findings and the invoice read, as JSON (the checker's own types).
    pub findings: String,
    pub invoice: Option<String>,
    pub checker_version: String,
}

/// A stored received invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Incoming {
    pub id: i64,
    pub status: IncomingStatus,
    pub format: String,
    pub valid: bool,
    pub original_sha256: String,
    pub original_name: String,
    pub content_type: String,
    pub xml_sha256: Option<String>,
    pub source: String,
    pub source_ref: String,
    #[serde(flatten)]
    pub header: IncomingHeader,
    pub contact_id: Option<i64>,
    pub paid: Decimal,
    pub findings: String,
    pub invoice: Option<String>,
    pub checker_version: String,
    pub duplicate_of: Option<i64>,
    pub reject_reason: String,
    pub received_at: String,
    pub received_by: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub updated_at: String,
}

impl Incoming {
    /// What is still to pay (never below zero).
    pub fn open(&self) -> Decimal {
        (self.header.due.unwrap_or_default() - self.paid).max(Decimal::ZERO)
    }
}

/// Which received invoices a list shows.
#[derive(Debug, Clone, Default)]
pub struct IncomingQuery {
    pub status: Option<IncomingStatus>,
    /// Only approved, unpaid invoices due on or before this day (the payables list).
    pub due_until: Option<NaiveDate>,
    pub search: Option<String>,
    pub page: PageRequest,
}

/// A payment of a received invoice.
#[derive(Debug, Clone, Serialize)]
pub struct IncomingPayment {
    pub id: i64,
    pub incoming_id: i64,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub method: String,
    pub note: String,
    pub reverses_id: Option<i64>,
    pub reversed: bool,
    pub created_at: String,
    pub created_by: String,
}

const COLUMNS: &str = "id, status, format, valid, original_sha256, original_name, content_type, xml_sha256, source, source_ref, \
    seller_name, seller_vat_id, seller_iban, contact_id, number, issue_date, due_date, skonto_date, skonto_cents, currency, \
    credit_note, net_cents, vat_cents, gross_cents, due_cents, paid_cents, findings, invoice, checker_version, duplicate_of, \
    reject_reason, received_at, received_by, approved_at, approved_by, updated_at";

const PAYMENT_COLUMNS: &str = "id, incoming_id, paid_on, amount_cents, method, note, reverses_id, created_at, created_by, \
    (SELECT COUNT(*) FROM incoming_payments r WHERE r.reverses_id = incoming_payments.id) AS reversed";

fn cents(row: &AnyRow, column: &str) -> Result<Option<Decimal>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_cents))
}

fn from_row(row: &AnyRow) -> Result<Incoming> {
    let status: String = row.try_get("status")?;
    Ok(Incoming {
        id: row.try_get("id")?,
        status: IncomingStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("incoming status {status:?}")))?,
        format: row.try_get("format")?,
        valid: row.try_get::<i64, _>("valid")? != 0,
        original_sha256: row.try_get("original_sha256")?,
        original_name: row.try_get("original_name")?,
        content_type: row.try_get("content_type")?,
        xml_sha256: row.try_get("xml_sha256")?,
        source: row.try_get("source")?,
        source_ref: row.try_get("source_ref")?,
        header: IncomingHeader {
            seller_name: row.try_get("seller_name")?,
            seller_vat_id: row.try_get("seller_vat_id")?,
            seller_iban: row.try_get("seller_iban")?,
            number: row.try_get("number")?,
            issue_date: parse_opt_date(row.try_get("issue_date")?)?,
            due_date: parse_opt_date(row.try_get("due_date")?)?,
            skonto_date: parse_opt_date(row.try_get("skonto_date")?)?,
            skonto_amount: cents(row, "skonto_cents")?,
            currency: row.try_get("currency")?,
            credit_note: row.try_get::<i64, _>("credit_note")? != 0,
            net: cents(row, "net_cents")?,
            vat: cents(row, "vat_cents")?,
            gross: cents(row, "gross_cents")?,
            due: cents(row, "due_cents")?,
        },
        contact_id: row.try_get("contact_id")?,
        paid: from_cents(row.try_get("paid_cents")?),
        findings: row.try_get("findings")?,
        invoice: row.try_get("invoice")?,
        checker_version: row.try_get("checker_version")?,
        duplicate_of: row.try_get("duplicate_of")?,
        reject_reason: row.try_get("reject_reason")?,
        received_at: row.try_get("received_at")?,
        received_by: row.try_get("received_by")?,
        approved_at: row.try_get("approved_at")?,
        approved_by: row.try_get("approved_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn payment_from_row(row: &AnyRow) -> Result<IncomingPayment> {
    Ok(IncomingPayment {
        id: row.try_get("id")?,
        incoming_id: row.try_get("incoming_id")?,
        date: parse_date(&row.try_get::<String, _>("paid_on")?)?,
        amount: from_cents(row.try_get("amount_cents")?),
        method: row.try_get("method")?,
        note: row.try_get("note")?,
        reverses_id: row.try_get("reverses_id")?,
        reversed: row.try_get::<i64, _>("reversed")? > 0,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// Cents of an amount (amounts of received invoices have at most 2 decimals when valid; an
/// invalid file's odd amount is rounded for the list, its own figures stay in the original).
fn opt_cents(value: Option<Decimal>) -> Option<i64> {
    value.map(|v| to_cents(kontor_domain::money::round2(v)))
}

fn search_of(h: &IncomingHeader, original_name: &str) -> String {
    search_text(&[&h.number, &h.seller_name, &h.seller_vat_id, original_name])
}

/// The audit form of a header.
fn audit_json(h: &IncomingHeader, status: IncomingStatus) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(h)?;
    v["status"] = status.as_str().into();
    Ok(v)
}

/// The key that makes two invoices of one supplier the same: the VAT ID when there is one,
/// else the name (lower case, spaces collapsed).
fn supplier_key(h: &IncomingHeader) -> (String, String) {
    let vat: String = h
        .seller_vat_id
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let name = h
        .seller_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (vat, name)
}

impl Store {
    /// Stores a received invoice. With a mailbox `source_ref` that was imported before, the
    /// earlier one is returned and nothing is stored (`false`). Otherwise the new row notes
    /// the earliest not rejected invoice with the same file, or the same supplier and number,
    /// as the one it duplicates.
    pub async fn insert_incoming(
        &self,
        actor: &Actor,
        new: &NewIncoming,
    ) -> Result<(Incoming, bool)> {
        let mut tx = self.write().await?;
        if !new.source_ref.is_empty() {
            let seen = sqlx::query(sql(format!(
                "SELECT {COLUMNS} FROM incoming_invoices WHERE source = $1 AND source_ref = $2 ORDER BY id LIMIT 1"
            )))
            .bind(&new.source)
            .bind(&new.source_ref)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = seen {
                return Ok((from_row(&row)?, false));
            }
        }
        let h = &new.header;
        let (vat, name) = supplier_key(h);
        let duplicate_of: Option<i64> = {
            let same_file = sqlx::query(
                "SELECT id FROM incoming_invoices WHERE original_sha256 = $1 AND status <> 'rejected' ORDER BY id LIMIT 1",
            )
            .bind(&new.original_sha256)
            .fetch_optional(&mut *tx)
            .await?;
            match same_file {
                Some(row) => Some(row.try_get("id")?),
                None if !h.number.trim().is_empty() && (!vat.is_empty() || !name.is_empty()) => {
                    let row = if vat.is_empty() {
                        sqlx::query(
                            "SELECT id FROM incoming_invoices WHERE number = $1 AND seller_vat_id = '' AND LOWER(seller_name) = $2 AND status <> 'rejected' ORDER BY id LIMIT 1",
                        )
                        .bind(h.number.trim())
                        .bind(&name)
                        .fetch_optional(&mut *tx)
                        .await?
                    } else {
                        sqlx::query(
                            "SELECT id FROM incoming_invoices WHERE number = $1 AND seller_vat_id = $2 AND status <> 'rejected' ORDER BY id LIMIT 1",
                        )
                        .bind(h.number.trim())
                        .bind(&vat)
                        .fetch_optional(&mut *tx)
                        .await?
                    };
                    row.map(|r| r.try_get("id")).transpose()?
                }
                None => None,
            }
        };
        let at = now();
        let row = sqlx::query(
            "INSERT INTO incoming_invoices (status, format, valid, original_sha256, original_name, content_type, xml_sha256, source, source_ref, \
             seller_name, seller_vat_id, seller_iban, contact_id, number, issue_date, due_date, skonto_date, skonto_cents, currency, credit_note, \
             net_cents, vat_cents, gross_cents, due_cents, paid_cents, findings, invoice, checker_version, duplicate_of, reject_reason, search, \
             received_at, received_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 0, $25, $26, $27, $28, '', $29, $30, $31, $30) \
             RETURNING id",
        )
        .bind(new.status.as_str())
        .bind(&new.format)
        .bind(i64::from(new.valid))
        .bind(&new.original_sha256)
        .bind(&new.original_name)
        .bind(&new.content_type)
        .bind(&new.xml_sha256)
        .bind(&new.source)
        .bind(&new.source_ref)
        .bind(h.seller_name.trim())
        .bind(&vat)
        .bind(h.seller_iban.trim())
        .bind(new.contact_id)
        .bind(h.number.trim())
        .bind(h.issue_date.map(date_str))
        .bind(h.due_date.map(date_str))
        .bind(h.skonto_date.map(date_str))
        .bind(opt_cents(h.skonto_amount))
        .bind(&h.currency)
        .bind(i64::from(h.credit_note))
        .bind(opt_cents(h.net))
        .bind(opt_cents(h.vat))
        .bind(opt_cents(h.gross))
        .bind(opt_cents(h.due))
        .bind(&new.findings)
        .bind(&new.invoice)
        .bind(&new.checker_version)
        .bind(duplicate_of)
        .bind(search_of(h, &new.original_name))
        .bind(&at)
        .bind(&actor.0)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let mut json = audit_json(h, new.status)?;
        json["original_sha256"] = new.original_sha256.clone().into();
        json["original_name"] = new.original_name.clone().into();
        json["source"] = new.source.clone().into();
        json["duplicate_of"] = duplicate_of.into();
        let change = Change {
            action: "receive",
            entity: "incoming",
            entity_id: id.to_string(),
            old: None,
            new: Some(json),
        };
        audit::append(&mut tx, actor, change).await?;
        let row = sqlx::query(sql(format!(
            "SELECT {COLUMNS} FROM incoming_invoices WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let stored = from_row(&row)?;
        tx.commit().await?;
        Ok((stored, true))
    }

    pub async fn incoming(&self, id: i64) -> Result<Incoming> {
        let row = sqlx::query(sql(format!(
            "SELECT {COLUMNS} FROM incoming_invoices WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("incoming invoice", id))?;
        from_row(&row)
    }

    /// A page of received invoices, newest first; the payables list (`due_until`) by due
    /// date, earliest first.
    pub async fn list_incoming(&self, q: &IncomingQuery) -> Result<Page<Incoming>> {
        let mut filters = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(status) = q.status {
            binds.push(status.as_str().to_string());
            filters.push(format!("status = ${}", binds.len()));
        }
        if let Some(until) = q.due_until {
            binds.push(date_str(until));
            filters.push(format!(
                "status = 'approved' AND due_date IS NOT NULL AND due_date <= ${}",
                binds.len()
            ));
        }
        if let Some(search) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
            binds.push(like_pattern(search));
            filters.push(format!("search LIKE ${} ESCAPE '\\'", binds.len()));
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        let order = if q.due_until.is_some() {
            "due_date, id"
        } else {
            "received_at DESC, id DESC"
        };
        let limit = q.page.per_page + 1;
        let statement = format!(
            "SELECT {COLUMNS} FROM incoming_invoices {filter} ORDER BY {order} LIMIT {limit} OFFSET {}",
            q.page.offset()
        );
        let mut query = sqlx::query(sql(statement));
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let has_more = items.len() as i64 > q.page.per_page;
        items.truncate(usize::try_from(q.page.per_page).unwrap_or(0));
        let mut count = sqlx::query(sql(format!(
            "SELECT COUNT(*) AS n FROM incoming_invoices {filter}"
        )));
        for b in &binds {
            count = count.bind(b);
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get("n")?;
        Ok(Page {
            items,
            page: q.page.page,
            per_page: q.page.per_page,
            total,
            has_more,
        })
    }

    /// Corrects or completes the header by hand (a plain PDF, or what the checker found
    /// wrong) and marks the invoice checked. Only before approval.
    pub async fn check_incoming(
        &self,
        actor: &Actor,
        id: i64,
        header: &IncomingHeader,
        contact_id: Option<i64>,
    ) -> Result<Incoming> {
        let mut tx = self.write().await?;
        let old = locked(&mut tx, self.backend, id).await?;
        if !matches!(
            old.status,
            IncomingStatus::Received | IncomingStatus::Checked
        ) {
            return Err(StoreError::conflict(
                ErrorCode::IncomingState,
                format!(
                    "the invoice is {}; it can be corrected only before approval",
                    old.status.as_str()
                ),
            ));
        }
        let (vat, _) = supplier_key(header);
        sqlx::query(
            "UPDATE incoming_invoices SET status = 'checked', seller_name = $1, seller_vat_id = $2, seller_iban = $3, number = $4, \
             issue_date = $5, due_date = $6, skonto_date = $7, skonto_cents = $8, currency = $9, credit_note = $10, net_cents = $11, \
             vat_cents = $12, gross_cents = $13, due_cents = $14, contact_id = $15, search = $16, updated_at = $17 WHERE id = $18",
        )
        .bind(header.seller_name.trim())
        .bind(&vat)
        .bind(header.seller_iban.trim())
        .bind(header.number.trim())
        .bind(header.issue_date.map(date_str))
        .bind(header.due_date.map(date_str))
        .bind(header.skonto_date.map(date_str))
        .bind(opt_cents(header.skonto_amount))
        .bind(&header.currency)
        .bind(i64::from(header.credit_note))
        .bind(opt_cents(header.net))
        .bind(opt_cents(header.vat))
        .bind(opt_cents(header.gross))
        .bind(opt_cents(header.due))
        .bind(contact_id)
        .bind(search_of(header, &old.original_name))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "check",
            entity: "incoming",
            entity_id: id.to_string(),
            old: Some(audit_json(&old.header, old.status)?),
            new: Some(audit_json(header, IncomingStatus::Checked)?),
        };
        audit::append(&mut tx, actor, change).await?;
        let row = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Approves a checked invoice for payment, linked to its supplier contact.
    pub async fn approve_incoming(
        &self,
        actor: &Actor,
        id: i64,
        contact_id: i64,
    ) -> Result<Incoming> {
        let mut tx = self.write().await?;
        let old = locked(&mut tx, self.backend, id).await?;
        if old.status != IncomingStatus::Checked {
            return Err(StoreError::conflict(
                ErrorCode::IncomingState,
                format!(
                    "the invoice is {}; only a checked invoice can be approved",
                    old.status.as_str()
                ),
            ));
        }
        if let Some(first) = old.duplicate_of {
            return Err(StoreError::conflict(
                ErrorCode::IncomingDuplicate,
                format!("it duplicates received invoice {first}; reject it instead"),
            ));
        }
        if old.header.due.is_none() {
            return Err(StoreError::invalid_as(
                "due",
                ErrorCode::Required,
                "the amount due is missing; enter it first",
            ));
        }
        let at = now();
        sqlx::query(
            "UPDATE incoming_invoices SET status = 'approved', contact_id = $1, approved_at = $2, approved_by = $3, updated_at = $2 WHERE id = $4",
        )
        .bind(contact_id)
        .bind(&at)
        .bind(&actor.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "approve",
            entity: "incoming",
            entity_id: id.to_string(),
            old: Some(
                serde_json::json!({"status": old.status.as_str(), "contact_id": old.contact_id}),
            ),
            new: Some(serde_json::json!({"status": "approved", "contact_id": contact_id})),
        };
        audit::append(&mut tx, actor, change).await?;
        let row = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Rejects an invoice that is not yet paid or partly paid, with the reason.
    pub async fn reject_incoming(&self, actor: &Actor, id: i64, reason: &str) -> Result<Incoming> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid_as(
                "reason",
                ErrorCode::Required,
                "say why the invoice is rejected",
            ));
        }
        let mut tx = self.write().await?;
        let old = locked(&mut tx, self.backend, id).await?;
        if matches!(old.status, IncomingStatus::Paid | IncomingStatus::Rejected)
            || old.paid != Decimal::ZERO
        {
            return Err(StoreError::conflict(
                ErrorCode::IncomingState,
                format!(
                    "the invoice is {} with {} paid; it can no longer be rejected",
                    old.status.as_str(),
                    old.paid
                ),
            ));
        }
        sqlx::query(
            "UPDATE incoming_invoices SET status = 'rejected', reject_reason = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(reason)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "reject",
            entity: "incoming",
            entity_id: id.to_string(),
            old: Some(serde_json::json!({"status": old.status.as_str()})),
            new: Some(serde_json::json!({"status": "rejected", "reason": reason})),
        };
        audit::append(&mut tx, actor, change).await?;
        let row = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Records a payment of an approved invoice; paid in full makes it `paid`. More than the
    /// open amount is refused.
    pub async fn add_incoming_payment(
        &self,
        actor: &Actor,
        id: i64,
        date: NaiveDate,
        amount: Decimal,
        method: &str,
        note: &str,
    ) -> Result<IncomingPayment> {
        if amount <= Decimal::ZERO {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::AmountNotPositive,
                "must be greater than 0",
            ));
        }
        if amount.normalize().scale() > 2 {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::TooManyDecimals,
                "has more than 2 decimal places",
            ));
        }
        if !crate::payments::PAYMENT_METHODS.contains(&method) {
            return Err(StoreError::invalid_as(
                "method",
                ErrorCode::UnknownPaymentMethod,
                format!(
                    "must be one of {}",
                    crate::payments::PAYMENT_METHODS.join(", ")
                ),
            ));
        }
        let mut tx = self.write().await?;
        let old = locked(&mut tx, self.backend, id).await?;
        if old.status != IncomingStatus::Approved {
            return Err(StoreError::conflict(
                ErrorCode::NotPayable,
                format!(
                    "the invoice is {}; only approved invoices are paid",
                    old.status.as_str()
                ),
            ));
        }
        let open = old.open();
        if amount > open {
            return Err(StoreError::invalid_as(
                "amount",
                ErrorCode::ExceedsOpenAmount,
                format!("exceeds the open amount of {open}"),
            ));
        }
        let payment =
            insert_payment(&mut tx, actor, &old, date, amount, method, note, None).await?;
        tx.commit().await?;
        Ok(payment)
    }

    /// Takes back a payment recorded by mistake: books its opposite, naming it; a paid
    /// invoice is approved (open) again.
    pub async fn reverse_incoming_payment(
        &self,
        actor: &Actor,
        id: i64,
        payment_id: i64,
        date: NaiveDate,
        note: &str,
    ) -> Result<IncomingPayment> {
        let mut tx = self.write().await?;
        let old = locked(&mut tx, self.backend, id).await?;
        let row = sqlx::query(sql(format!(
            "SELECT {PAYMENT_COLUMNS} FROM incoming_payments WHERE id = $1 AND incoming_id = $2"
        )))
        .bind(payment_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("payment", payment_id))?;
        let original = payment_from_row(&row)?;
        if original.reverses_id.is_some() || original.reversed {
            return Err(StoreError::conflict(
                ErrorCode::PaymentReversed,
                "the payment is a reversal or was reversed already",
            ));
        }
        let payment = insert_payment(
            &mut tx,
            actor,
            &old,
            date,
            -original.amount,
            &original.method,
            note,
            Some(payment_id),
        )
        .await?;
        tx.commit().await?;
        Ok(payment)
    }

    /// The payments of a received invoice, oldest first.
    pub async fn incoming_payments(&self, id: i64) -> Result<Vec<IncomingPayment>> {
        let rows = sqlx::query(sql(format!(
            "SELECT {PAYMENT_COLUMNS} FROM incoming_payments WHERE incoming_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(payment_from_row).collect()
    }

    /// Contact ids whose earlier received invoices came from this IBAN (newest first).
    pub async fn contacts_paid_to_iban(&self, iban: &str) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT contact_id, MAX(id) AS last FROM incoming_invoices WHERE seller_iban = $1 AND contact_id IS NOT NULL \
             GROUP BY contact_id ORDER BY last DESC",
        )
        .bind(iban)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("contact_id")?))
            .collect()
    }

    /// Not archived contacts whose stored data names this VAT ID, or whose name is this name
    /// (case-insensitive), as (id, data) for the caller to compare exactly.
    pub async fn supplier_candidates(
        &self,
        vat_id: &str,
        name: &str,
    ) -> Result<Vec<crate::model::Contact>> {
        let vat_pattern = if vat_id.is_empty() {
            String::new()
        } else {
            format!("%{}%", vat_id.replace(['%', '_', '\\'], ""))
        };
        let rows = sqlx::query(
            "SELECT id, number, data, archived, created_at, updated_at FROM contacts \
             WHERE archived = 0 AND (($1 <> '' AND data LIKE $1) OR LOWER(name) = $2) ORDER BY id LIMIT 20",
        )
        .bind(&vat_pattern)
        .bind(name.trim().to_lowercase())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(crate::model::Contact {
                    id: row.try_get("id")?,
                    number: row.try_get("number")?,
                    archived: row.try_get::<i64, _>("archived")? != 0,
                    data: serde_json::from_str(&row.try_get::<String, _>("data")?)?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }
}

async fn fetch(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Incoming> {
    let row = sqlx::query(sql(format!(
        "SELECT {COLUMNS} FROM incoming_invoices WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("incoming invoice", id))?;
    from_row(&row)
}

/// The row, inside the write transaction (SQLite holds the write lock; PostgreSQL locks it).
async fn locked(conn: &mut sqlx::AnyConnection, backend: Backend, id: i64) -> Result<Incoming> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row = sqlx::query(sql(format!(
        "SELECT {COLUMNS} FROM incoming_invoices WHERE id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("incoming invoice", id))?;
    from_row(&row)
}

#[allow(clippy::too_many_arguments)]
async fn insert_payment(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    invoice: &Incoming,
    date: NaiveDate,
    amount: Decimal,
    method: &str,
    note: &str,
    reverses: Option<i64>,
) -> Result<IncomingPayment> {
    let at = now();
    let row = sqlx::query(
        "INSERT INTO incoming_payments (incoming_id, paid_on, amount_cents, method, note, reverses_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(invoice.id)
    .bind(date_str(date))
    .bind(to_cents(amount))
    .bind(method)
    .bind(note.trim())
    .bind(reverses)
    .bind(&at)
    .bind(&actor.0)
    .fetch_one(&mut *conn)
    .await?;
    let payment_id: i64 = row.try_get("id")?;
    let paid = invoice.paid + amount;
    let due = invoice.header.due.unwrap_or_default();
    let status = if paid >= due && paid > Decimal::ZERO {
        IncomingStatus::Paid
    } else {
        IncomingStatus::Approved
    };
    sqlx::query(
        "UPDATE incoming_invoices SET paid_cents = $1, status = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(to_cents(paid))
    .bind(status.as_str())
    .bind(&at)
    .bind(invoice.id)
    .execute(&mut *conn)
    .await?;
    let change = Change {
        action: if reverses.is_some() {
            "payment_reversal"
        } else {
            "payment"
        },
        entity: "incoming",
        entity_id: invoice.id.to_string(),
        old: Some(
            serde_json::json!({"paid": invoice.paid.to_string(), "status": invoice.status.as_str()}),
        ),
        new: Some(
            serde_json::json!({"paid": paid.to_string(), "status": status.as_str(), "payment_id": payment_id, "amount": amount.to_string(), "date": date_str(date)}),
        ),
    };
    audit::append(conn, actor, change).await?;
    let row = sqlx::query(sql(format!(
        "SELECT {PAYMENT_COLUMNS} FROM incoming_payments WHERE id = $1"
    )))
    .bind(payment_id)
    .fetch_one(&mut *conn)
    .await?;
    payment_from_row(&row)
}
