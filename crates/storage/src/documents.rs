//! Documents: drafts that may change, and issued documents that never do (GoBD).
//! Issuing, deriving and cancelling each happen in one transaction with one durable commit.

use chrono::{DateTime, Days, NaiveDate, Utc};
use kontor_domain::ErrorCode;
use kontor_domain::document::{DocumentContent, DocumentType};
use kontor_domain::down_payment::DeductedDownPayment;
use kontor_domain::money::{from_cents, to_cents};
use kontor_domain::payment::PaymentStatus;
use kontor_domain::totals;
use kontor_domain::validation::{self, IssueContext};
use kontor_domain::{
    CompanyProfile, ContactData, CurrencyCode, DocumentNumber, Language, Line, PaymentMethod,
    Preceding, QuoteOutcome, TaxMode,
};
use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::idempotency::{self, IdempotencyKey, Once, StoredResponse};
use crate::model::*;
use crate::numbers;
use crate::sort::{DocumentSort, Sort};
use crate::util::{
    date_str, like_pattern, now, parse_date, parse_dec, parse_opt_date, parse_value, search_text,
    sql,
};

const COLUMNS: &str = "id, doc_type, status, number, contact_id, doc_date, delivery_date, due_date, tax_mode, currency, \
    language, discount_percent, prepaid_amount, subject, intro_text, closing_text, lines, source_id, corrects_id, \
    cancelled_by_id, outcome, paid_cents, skonto, payment_method, exchange_rate, down_payments, seller_snapshot, buyer_snapshot, issued_at, created_at, updated_at, version, \
    (SELECT c.number FROM documents c WHERE c.id = documents.corrects_id) AS corrects_number, \
    (SELECT c.doc_date FROM documents c WHERE c.id = documents.corrects_id) AS corrects_date";

fn corrupt(id: i64, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("document {id}: {what}"))
}

/// Decides the stage of a row: an issued or cancelled row must carry its number, both
/// snapshots and the time of issue, all readable; a draft carries none of them.
fn stage_of(row: &AnyRow, id: i64, status: &str) -> Result<Stage> {
    let state = DocState::parse(status).ok_or_else(|| corrupt(id, format!("status {status}")))?;
    if state == DocState::Draft {
        return Ok(Stage::Draft);
    }
    let number: Option<String> = row.try_get("number")?;
    let seller: Option<String> = row.try_get("seller_snapshot")?;
    let buyer: Option<String> = row.try_get("buyer_snapshot")?;
    let issued_at: Option<String> = row.try_get("issued_at")?;
    let missing = |what: &str| corrupt(id, format!("{status} without {what}"));
    let number = DocumentNumber::parse(number.as_deref().ok_or_else(|| missing("a number"))?)
        .map_err(|e| corrupt(id, e))?;
    let seller = serde_json::from_str(seller.as_deref().ok_or_else(|| missing("a seller"))?)
        .map_err(|e| corrupt(id, format!("seller snapshot: {e}")))?;
    let buyer = serde_json::from_str(buyer.as_deref().ok_or_else(|| missing("a buyer"))?)
        .map_err(|e| corrupt(id, format!("buyer snapshot: {e}")))?;
    let issued_at = issued_at
        .as_deref()
        .ok_or_else(|| missing("an issue time"))?;
    let issued_at = DateTime::parse_from_rfc3339(issued_at)
        .map_err(|e| corrupt(id, format!("issued_at {issued_at}: {e}")))?
        .with_timezone(&Utc);
    let facts = IssueFacts {
        number,
        seller,
        buyer,
        issued_at,
    };
    Ok(match state {
        DocState::Cancelled => Stage::Cancelled(facts),
        _ => Stage::Issued(facts),
    })
}

/// The corrected invoice, when this row corrects one that has a number.
fn preceding_of(row: &AnyRow, id: i64) -> Result<Option<Preceding>> {
    let number: Option<String> = row.try_get("corrects_number")?;
    let date: Option<String> = row.try_get("corrects_date")?;
    let (Some(number), Some(date)) = (number, date) else {
        return Ok(None);
    };
    Ok(Some(Preceding {
        number: DocumentNumber::parse(&number).map_err(|e| corrupt(id, e))?,
        date: parse_date(&date)?,
    }))
}

fn from_row(row: &AnyRow) -> Result<Document> {
    let doc_type: String = row.try_get("doc_type")?;
    let status: String = row.try_get("status")?;
    let tax_mode: String = row.try_get("tax_mode")?;
    let language: String = row.try_get("language")?;
    let lines: Vec<Line> = serde_json::from_str(&row.try_get::<String, _>("lines")?)?;
    let payment_method: String = row.try_get("payment_method")?;
    let content = DocumentContent {
        doc_type: DocumentType::parse(&doc_type)
            .ok_or_else(|| StoreError::Corrupt(format!("doc_type {doc_type}")))?,
        tax_mode: TaxMode::parse(&tax_mode)
            .ok_or_else(|| StoreError::Corrupt(format!("tax_mode {tax_mode}")))?,
        currency: parse_value("currency", &row.try_get::<String, _>("currency")?)?,
        date: parse_date(&row.try_get::<String, _>("doc_date")?)?,
        delivery_date: parse_opt_date(row.try_get("delivery_date")?)?,
        due_date: parse_opt_date(row.try_get("due_date")?)?,
        discount_percent: parse_dec(&row.try_get::<String, _>("discount_percent")?)?,
        prepaid_amount: parse_dec(&row.try_get::<String, _>("prepaid_amount")?)?,
        lines,
        down_payments: serde_json::from_str(&row.try_get::<String, _>("down_payments")?)?,
        skonto: serde_json::from_str(&row.try_get::<String, _>("skonto")?)?,
        payment_method: PaymentMethod::parse(&payment_method)
            .ok_or_else(|| StoreError::Corrupt(format!("payment_method {payment_method}")))?,
        exchange_rate: row
            .try_get::<Option<String>, _>("exchange_rate")?
            .as_deref()
            .map(parse_dec)
            .transpose()?,
    };
    let totals = totals::compute(&content);
    let id: i64 = row.try_get("id")?;
    Ok(Document {
        id,
        stage: stage_of(row, id, &status)?,
        contact_id: row.try_get("contact_id")?,
        language: Language::parse(&language).unwrap_or_default(),
        texts: DraftTextsOut {
            subject: row.try_get("subject")?,
            intro_text: row.try_get("intro_text")?,
            closing_text: row.try_get("closing_text")?,
        },
        source_id: row.try_get("source_id")?,
        corrects_id: row.try_get("corrects_id")?,
        preceding: preceding_of(row, id)?,
        cancelled_by_id: row.try_get("cancelled_by_id")?,
        outcome: row
            .try_get::<Option<String>, _>("outcome")?
            .map(|o| QuoteOutcome::parse(&o).ok_or_else(|| corrupt(id, format!("outcome {o}"))))
            .transpose()?,
        totals,
        content,
        paid: from_cents(row.try_get("paid_cents")?),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Document> {
    let row = sqlx::query(sql(format!(
        "SELECT {COLUMNS} FROM documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("document", id))?;
    from_row(&row)
}

async fn load_contact(conn: &mut AnyConnection, id: i64) -> Result<(String, ContactData, bool)> {
    let row = sqlx::query("SELECT number, data, archived FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::invalid("contact_id", format!("contact {id} does not exist")))?;
    Ok((
        row.try_get("number")?,
        serde_json::from_str(&row.try_get::<String, _>("data")?)?,
        row.try_get::<i64, _>("archived")? != 0,
    ))
}

async fn load_company(conn: &mut AnyConnection) -> Result<CompanyProfile> {
    let row = sqlx::query("SELECT data FROM company WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => serde_json::from_str(&row.try_get::<String, _>("data")?)?,
        None => crate::company::default_profile(),
    })
}

/// The audit view of a document: what a reviewer needs to see changed.
fn audit_json(doc: &Document) -> serde_json::Value {
    serde_json::json!({
        "type": doc.content.doc_type.as_str(),
        "state": doc.state().as_str(),
        "number": doc.number(),
        "contact_id": doc.contact_id,
        "date": doc.content.date,
        "delivery_date": doc.content.delivery_date,
        "due_date": doc.content.due_date,
        "tax_mode": doc.content.tax_mode.as_str(),
        "currency": doc.content.currency,
        "discount_percent": doc.content.discount_percent.to_string(),
        "prepaid_amount": doc.content.prepaid_amount.to_string(),
        "down_payments": doc.content.down_payments,
        "lines": doc.content.lines,
        "skonto": doc.content.skonto,
        "payment_method": doc.content.payment_method.as_str(),
        "exchange_rate": doc.content.exchange_rate.map(|r| r.to_string()),
        "gross": doc.totals.gross.to_string(),
    })
}

/// Fills in what the draft leaves open from the contact and the company.
fn resolve(
    input: &DraftInput,
    contact: &ContactData,
    company: &CompanyProfile,
) -> (DocumentContent, Language) {
    let tax_mode = input.tax_mode.unwrap_or_else(|| {
        if company.small_business {
            TaxMode::SmallBusiness
        } else {
            contact.tax_mode.unwrap_or(TaxMode::Standard)
        }
    });
    let currency = input
        .currency
        .or(contact.currency)
        .unwrap_or(CurrencyCode::EUR);
    let due_date = input.due_date.or_else(|| {
        if !input.doc_type.is_receivable() {
            return None;
        }
        let days = input
            .payment_terms_days
            .or(contact.payment_terms_days)
            .unwrap_or(company.default_payment_terms_days);
        input
            .date
            .checked_add_days(Days::new(days.clamp(0, 3650) as u64))
    });
    let content = DocumentContent {
        doc_type: input.doc_type,
        tax_mode,
        currency,
        date: input.date,
        delivery_date: input.delivery_date,
        due_date,
        discount_percent: input.discount_percent,
        prepaid_amount: input.prepaid_amount,
        lines: input.lines.clone(),
        // Only deriving a final invoice fills these in, from the order's down-payment invoices.
        down_payments: Vec::new(),
        skonto: if input.doc_type.is_receivable() {
            input
                .skonto
                .clone()
                .or_else(|| contact.skonto.clone())
                .unwrap_or_else(|| company.default_skonto.clone())
        } else {
            Vec::new()
        },
        payment_method: input.payment_method.unwrap_or(contact.payment_method),
        exchange_rate: None,
    };
    let content = DocumentContent {
        exchange_rate: input.exchange_rate.filter(|_| !content.currency.is_eur()),
        ..content
    };
    (content, input.language.unwrap_or(contact.language))
}

struct NewDoc<'a> {
    content: &'a DocumentContent,
    contact_id: i64,
    contact_name: &'a str,
    language: Language,
    texts: &'a DraftTexts,
    source_id: Option<i64>,
    corrects_id: Option<i64>,
}

async fn insert(conn: &mut AnyConnection, d: NewDoc<'_>) -> Result<i64> {
    let t = totals::compute(d.content);
    let at = now();
    let row = sqlx::query(
        "INSERT INTO documents (doc_type, status, number, contact_id, doc_date, delivery_date, due_date, tax_mode, currency, language, \
         discount_percent, prepaid_amount, subject, intro_text, closing_text, lines, source_id, corrects_id, \
         net_cents, vat_cents, gross_cents, due_cents, paid_cents, search, created_at, updated_at, version, \
         skonto, payment_method, exchange_rate, down_payments) \
         VALUES ($1, 'draft', NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, $21, $22, $22, 1, \
         $23, $24, $25, $26) \
         RETURNING id",
    )
    .bind(d.content.doc_type.as_str())
    .bind(d.contact_id)
    .bind(date_str(d.content.date))
    .bind(d.content.delivery_date.map(date_str))
    .bind(d.content.due_date.map(date_str))
    .bind(d.content.tax_mode.as_str())
    .bind(d.content.currency.as_str())
    .bind(d.language.as_str())
    .bind(d.content.discount_percent.to_string())
    .bind(d.content.prepaid_amount.to_string())
    .bind(&d.texts.subject)
    .bind(&d.texts.intro_text)
    .bind(&d.texts.closing_text)
    .bind(serde_json::to_string(&d.content.lines)?)
    .bind(d.source_id)
    .bind(d.corrects_id)
    .bind(to_cents(t.net))
    .bind(to_cents(t.vat))
    .bind(to_cents(t.gross))
    .bind(to_cents(t.due))
    .bind(search_text(&[d.contact_name, &d.texts.subject]))
    .bind(&at)
    .bind(serde_json::to_string(&d.content.skonto)?)
    .bind(d.content.payment_method.as_str())
    .bind(d.content.exchange_rate.map(|r| r.to_string()))
    .bind(serde_json::to_string(&d.content.down_payments)?)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// A loaded document known to be a draft: the only thing the queries that change, delete or
/// issue a document accept, so an issued one cannot reach them.
struct DraftRow(Document);

impl std::ops::Deref for DraftRow {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.0
    }
}

/// Replaces a draft's content, parties and texts (its links stay).
async fn rewrite(conn: &mut AnyConnection, draft: &DraftRow, d: NewDoc<'_>) -> Result<()> {
    let t = totals::compute(d.content);
    sqlx::query(
        "UPDATE documents SET contact_id = $1, doc_date = $2, delivery_date = $3, due_date = $4, tax_mode = $5, currency = $6, \
         language = $7, discount_percent = $8, prepaid_amount = $9, subject = $10, intro_text = $11, closing_text = $12, lines = $13, \
         net_cents = $14, vat_cents = $15, gross_cents = $16, due_cents = $17, search = $18, updated_at = $19, version = version + 1, \
         skonto = $21, payment_method = $22, exchange_rate = $23, down_payments = $24 \
         WHERE id = $20 AND status = 'draft'",
    )
    .bind(d.contact_id)
    .bind(date_str(d.content.date))
    .bind(d.content.delivery_date.map(date_str))
    .bind(d.content.due_date.map(date_str))
    .bind(d.content.tax_mode.as_str())
    .bind(d.content.currency.as_str())
    .bind(d.language.as_str())
    .bind(d.content.discount_percent.to_string())
    .bind(d.content.prepaid_amount.to_string())
    .bind(&d.texts.subject)
    .bind(&d.texts.intro_text)
    .bind(&d.texts.closing_text)
    .bind(serde_json::to_string(&d.content.lines)?)
    .bind(to_cents(t.net))
    .bind(to_cents(t.vat))
    .bind(to_cents(t.gross))
    .bind(to_cents(t.due))
    .bind(search_text(&[d.contact_name, &d.texts.subject]))
    .bind(now())
    .bind(draft.id)
    .bind(serde_json::to_string(&d.content.skonto)?)
    .bind(d.content.payment_method.as_str())
    .bind(d.content.exchange_rate.map(|r| r.to_string()))
    .bind(serde_json::to_string(&d.content.down_payments)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a draft final invoice's deducted down payments (and so its amount due).
async fn set_deductions(
    conn: &mut AnyConnection,
    draft: &DraftRow,
    deductions: &[DeductedDownPayment],
) -> Result<()> {
    let content = DocumentContent {
        down_payments: deductions.to_vec(),
        ..draft.content.clone()
    };
    let t = totals::compute(&content);
    sqlx::query(
        "UPDATE documents SET down_payments = $1, due_cents = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND status = 'draft'",
    )
    .bind(serde_json::to_string(deductions)?)
    .bind(to_cents(t.due))
    .bind(now())
    .bind(draft.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a draft.
async fn delete_draft(conn: &mut AnyConnection, draft: &DraftRow) -> Result<()> {
    sqlx::query("DELETE FROM documents WHERE id = $1 AND status = 'draft'")
        .bind(draft.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The document as a draft, or the refusal to change an issued one (GoBD).
fn ensure_draft(doc: Document) -> Result<DraftRow> {
    match doc.stage.facts() {
        None => Ok(DraftRow(doc)),
        Some(facts) => Err(StoreError::conflict(
            ErrorCode::DocumentLocked,
            format!(
                "document {} is {} and can no longer be changed or deleted (GoBD); correct it with a credit note or cancellation",
                facts.number,
                doc.state().as_str()
            ),
        )),
    }
}

impl Store {
    pub async fn create_document(&self, actor: &Actor, input: &DraftInput) -> Result<Document> {
        match self
            .create_document_once(actor, input, None, |_| {
                Err(StoreError::Corrupt("no key, no answer".into()))
            })
            .await?
        {
            Once::Created(doc) => Ok(doc),
            Once::Replayed(_) => Err(StoreError::Corrupt("replay without a key".into())),
        }
    }

    /// Creates a draft; with a key, the key and `respond`'s answer are stored in the same
    /// transaction, and a repeat of the key returns that answer and creates nothing.
    pub async fn create_document_once(
        &self,
        actor: &Actor,
        input: &DraftInput,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Document) -> Result<StoredResponse>,
    ) -> Result<Once<Document>> {
        let mut tx = self.write().await?;
        if let Some(key) = key
            && let Some(first) = idempotency::claim(&mut tx, key).await?
        {
            return Ok(Once::Replayed(first));
        }
        let (_, contact, archived) = load_contact(&mut tx, input.contact_id).await?;
        if archived {
            return Err(StoreError::invalid("contact_id", "the contact is archived"));
        }
        let company = load_company(&mut tx).await?;
        let (content, language) = resolve(input, &contact, &company);
        let id = insert(
            &mut tx,
            NewDoc {
                content: &content,
                contact_id: input.contact_id,
                contact_name: &contact.name,
                language,
                texts: &input.texts,
                source_id: None,
                corrects_id: None,
            },
        )
        .await?;
        let doc = load(&mut tx, id).await?;
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "create",
                entity: "document",
                entity_id: id.to_string(),
                old: None,
                new: Some(audit_json(&doc)),
            },
        )
        .await?;
        if let Some(key) = key {
            idempotency::complete(&mut tx, key, &respond(&doc)?).await?;
        }
        tx.commit().await?;
        Ok(Once::Created(doc))
    }

    pub async fn document(&self, id: i64) -> Result<Document> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// Replaces a draft. `expected_version` guards against overwriting someone else's change.
    pub async fn update_document(
        &self,
        actor: &Actor,
        id: i64,
        input: &DraftInput,
        expected_version: Option<i64>,
    ) -> Result<Document> {
        let mut tx = self.write().await?;
        let old = ensure_draft(load(&mut tx, id).await?)?;
        if old.content.doc_type != input.doc_type {
            return Err(StoreError::invalid(
                "type",
                "the type of a document cannot change; derive a new document instead",
            ));
        }
        if expected_version.is_some_and(|v| v != old.version) {
            return Err(StoreError::conflict(
                ErrorCode::VersionConflict,
                "the document was changed meanwhile; reload it and try again",
            ));
        }
        let (_, contact, archived) = load_contact(&mut tx, input.contact_id).await?;
        if archived && input.contact_id != old.contact_id {
            return Err(StoreError::invalid("contact_id", "the contact is archived"));
        }
        let company = load_company(&mut tx).await?;
        let (mut content, language) = resolve(input, &contact, &company);
        // The deducted down payments come from the order, not from the editor: they stay.
        content.down_payments = old.content.down_payments.clone();
        rewrite(
            &mut tx,
            &old,
            NewDoc {
                content: &content,
                contact_id: input.contact_id,
                contact_name: &contact.name,
                language,
                texts: &input.texts,
                source_id: old.source_id,
                corrects_id: old.corrects_id,
            },
        )
        .await?;
        let new = load(&mut tx, id).await?;
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "update",
                entity: "document",
                entity_id: id.to_string(),
                old: Some(audit_json(&old)),
                new: Some(audit_json(&new)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Deletes a draft. Issued documents are never deleted.
    pub async fn delete_document(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let old = ensure_draft(load(&mut tx, id).await?)?;
        let referenced: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM documents WHERE source_id = $1 OR corrects_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if referenced > 0 {
            return Err(StoreError::conflict(
                ErrorCode::DocumentReferenced,
                "other documents were derived from this draft",
            ));
        }
        delete_draft(&mut tx, &old).await?;
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "delete",
                entity: "document",
                entity_id: id.to_string(),
                old: Some(audit_json(&old)),
                new: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What would stop this draft from being issued now (empty: it can be issued).
    pub async fn issue_check(&self, id: i64) -> Result<Vec<validation::Problem>> {
        let mut conn = self.pool.acquire().await?;
        let mut doc = ensure_draft(load(&mut conn, id).await?)?;
        if let Some(deductions) = current_deductions(&mut conn, &doc).await? {
            doc.0.content.down_payments = deductions;
            doc.0.totals = totals::compute(&doc.0.content);
        }
        let (_, contact, _) = load_contact(&mut conn, doc.contact_id).await?;
        let company = load_company(&mut conn).await?;
        Ok(validation::issue_problems(&IssueContext {
            content: &doc.content,
            company: &company,
            buyer: &contact,
            corrected_number: corrected_number(&doc),
            gross: doc.totals.gross,
            due: doc.totals.due,
        }))
    }

    /// What issuing a draft would bring, without issuing it: the problems that refuse it,
    /// the warnings (missing bank or business-letter data), and for invoices and their
    /// corrections what an XRechnung would still need (empty: it will have one; the
    /// ZUGFeRD PDF comes with every issued invoice).
    pub async fn issue_preview(&self, id: i64) -> Result<IssuePreview> {
        let mut conn = self.pool.acquire().await?;
        let doc = ensure_draft(load(&mut conn, id).await?)?;
        let (_, contact, _) = load_contact(&mut conn, doc.contact_id).await?;
        let company = load_company(&mut conn).await?;
        let problems = validation::issue_problems(&IssueContext {
            content: &doc.content,
            company: &company,
            buyer: &contact,
            corrected_number: corrected_number(&doc),
            gross: doc.totals.gross,
            due: doc.totals.due,
        });
        Ok(IssuePreview {
            problems,
            warnings: validation::issue_warnings(&doc.content, &company),
            xrechnung_missing: doc
                .content
                .doc_type
                .is_tax_invoice()
                .then(|| validation::xrechnung_problems(&company, &contact)),
        })
    }

    /// Issues a draft: checks the legal content, takes the next number of its range,
    /// snapshots seller and buyer and locks the document — all in one transaction. A final
    /// invoice deducts its order's down payments as they are now (issued, cancelled or paid
    /// since the draft was made).
    pub async fn issue_document(&self, actor: &Actor, id: i64) -> Result<Document> {
        let mut tx = self.write().await?;
        let draft = ensure_draft(load(&mut tx, id).await?)?;
        let doc = match current_deductions(&mut tx, &draft).await? {
            Some(deductions) if deductions != draft.content.down_payments => {
                set_deductions(&mut tx, &draft, &deductions).await?;
                ensure_draft(load(&mut tx, id).await?)?
            }
            _ => DraftRow(draft.0.clone()),
        };
        let (customer_number, contact, _) = load_contact(&mut tx, doc.contact_id).await?;
        let company = load_company(&mut tx).await?;
        let problems = validation::issue_problems(&IssueContext {
            content: &doc.content,
            company: &company,
            buyer: &contact,
            corrected_number: corrected_number(&doc),
            gross: doc.totals.gross,
            due: doc.totals.due,
        });
        if !problems.is_empty() {
            return Err(StoreError::NotIssuable(problems));
        }
        let number = self
            .issue_in(&mut tx, &doc, &customer_number, &company, &contact)
            .await?;
        let issued = load(&mut tx, id).await?;
        let change = Change {
            action: "issue",
            entity: "document",
            entity_id: id.to_string(),
            old: Some(audit_json(&draft)),
            new: Some(audit_json(&issued)),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        count_issued(doc.content.doc_type.as_str());
        tracing::info!(id, number, "issued document");
        Ok(issued)
    }

    async fn issue_in(
        &self,
        conn: &mut AnyConnection,
        doc: &DraftRow,
        customer_number: &str,
        company: &CompanyProfile,
        contact: &ContactData,
    ) -> Result<String> {
        let number = numbers::allocate(
            conn,
            doc.content.doc_type.as_str(),
            doc.content.date,
            customer_number,
        )
        .await?;
        let taken: i64 = sqlx::query("SELECT COUNT(*) AS n FROM documents WHERE number = $1")
            .bind(&number)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        if taken > 0 {
            return Err(StoreError::conflict(
                ErrorCode::NumberTaken,
                format!(
                    "number {number} already exists; change the pattern or first counter of the {} range",
                    doc.content.doc_type.as_str()
                ),
            ));
        }
        let result = sqlx::query(
            "UPDATE documents SET status = 'issued', number = $1, seller_snapshot = $2, buyer_snapshot = $3, issued_at = $4, \
             search = $5, updated_at = $4, version = version + 1 WHERE id = $6 AND status = 'draft'",
        )
        .bind(&number)
        .bind(serde_json::to_string(company)?)
        .bind(serde_json::to_string(contact)?)
        .bind(now())
        .bind(search_text(&[&number, &contact.name, &doc.texts.subject]))
        .bind(doc.id)
        .execute(&mut *conn)
        .await?;
        if result.rows_affected() != 1 {
            return Err(StoreError::conflict(
                ErrorCode::DocumentLocked,
                "the document was issued meanwhile",
            ));
        }
        // The contact is now in use; its master data stays in the document as issued.
        Ok(number)
    }

    /// Creates a draft of `target` type from an issued document, with its lines and texts
    /// (`subject` replaces the source's subject when given). A final invoice deducts each
    /// down-payment invoice of the same order with its net amount and VAT per rate.
    pub async fn derive_document(
        &self,
        actor: &Actor,
        id: i64,
        target: DocumentType,
        date: NaiveDate,
        subject: Option<&str>,
    ) -> Result<Document> {
        let mut tx = self.write().await?;
        let source = load(&mut tx, id).await?;
        if source.state() != DocState::Issued {
            return Err(StoreError::conflict(
                ErrorCode::NotIssued,
                "only issued, not cancelled documents can be derived from; issue the draft first",
            ));
        }
        if !source.content.doc_type.can_derive(target) {
            let allowed: Vec<&str> = source
                .content
                .doc_type
                .derivable_targets()
                .iter()
                .map(|t| t.as_str())
                .collect();
            return Err(StoreError::invalid(
                "type",
                format!(
                    "a {} cannot become a {} (allowed: {})",
                    source.content.doc_type.as_str(),
                    target.as_str(),
                    allowed.join(", ")
                ),
            ));
        }
        let (_, contact, _) = load_contact(&mut tx, source.contact_id).await?;
        let company = load_company(&mut tx).await?;
        let input = DraftInput {
            doc_type: target,
            contact_id: source.contact_id,
            date,
            delivery_date: source.content.delivery_date,
            due_date: None,
            payment_terms_days: None,
            tax_mode: Some(source.content.tax_mode),
            currency: Some(source.content.currency),
            language: Some(source.language),
            discount_percent: source.content.discount_percent,
            prepaid_amount: Decimal::ZERO,
            texts: DraftTexts {
                subject: subject.map_or_else(|| source.texts.subject.clone(), str::to_string),
                intro_text: String::new(),
                closing_text: String::new(),
            },
            lines: source
                .content
                .lines
                .iter()
                .filter(|l| l.kind != kontor_domain::LineKind::Optional)
                .cloned()
                .collect(),
            // The terms agreed on the source carry over (a quote's terms become the
            // invoice's); a source without receivable terms leaves them to the contact.
            skonto: (source.content.doc_type.is_receivable())
                .then(|| source.content.skonto.clone()),
            payment_method: Some(source.content.payment_method),
            exchange_rate: source.content.exchange_rate,
        };
        let (mut content, language) = resolve(&input, &contact, &company);
        if target == DocumentType::Invoice {
            content.down_payments = down_payment_deductions(&mut tx, &source).await?;
        }
        let corrects = target.is_correction().then_some(source.id);
        let new_id = insert(
            &mut tx,
            NewDoc {
                content: &content,
                contact_id: source.contact_id,
                contact_name: &contact.name,
                language,
                texts: &input.texts,
                source_id: Some(source.id),
                corrects_id: corrects,
            },
        )
        .await?;
        // A quote that becomes an order confirmation or an invoice was accepted.
        if source.content.doc_type == DocumentType::Quote
            && source.outcome.is_none()
            && target != DocumentType::DeliveryNote
        {
            record_outcome(&mut tx, actor, &source, Some(QuoteOutcome::Accepted)).await?;
        }
        let doc = load(&mut tx, new_id).await?;
        let mut new_json = audit_json(&doc);
        new_json["derived_from"] = source.id.into();
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "derive",
                entity: "document",
                entity_id: new_id.to_string(),
                old: None,
                new: Some(new_json),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Records what became of an issued quote (`None` makes it open again). The quote itself
    /// stays as issued; the change is logged.
    pub async fn set_quote_outcome(
        &self,
        actor: &Actor,
        id: i64,
        outcome: Option<QuoteOutcome>,
    ) -> Result<Document> {
        let mut tx = self.write().await?;
        let doc = load(&mut tx, id).await?;
        if doc.content.doc_type != DocumentType::Quote {
            return Err(StoreError::conflict(
                ErrorCode::NotAQuote,
                format!("document {id} is not a quote"),
            ));
        }
        if doc.state() != DocState::Issued {
            return Err(StoreError::conflict(
                ErrorCode::NotIssued,
                "only an issued quote can be accepted or declined",
            ));
        }
        record_outcome(&mut tx, actor, &doc, outcome).await?;
        let doc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The documents made from document `id` (its follow-ups and corrections), oldest first.
    pub async fn derived_documents(
        &self,
        id: i64,
    ) -> Result<Vec<(i64, DocumentType, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT id, doc_type, number FROM documents WHERE source_id = $1 OR corrects_id = $1 ORDER BY id LIMIT 100",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let doc_type: String = row.try_get("doc_type")?;
                Ok((
                    row.try_get("id")?,
                    DocumentType::parse(&doc_type)
                        .ok_or_else(|| StoreError::Corrupt(format!("doc_type {doc_type}")))?,
                    row.try_get("number")?,
                ))
            })
            .collect()
    }

    /// Cancels an issued invoice: issues a cancellation invoice that references it (titled
    /// `subject` when given, else with the original's subject) and marks the original
    /// cancelled. Returns the cancellation.
    pub async fn cancel_document(
        &self,
        actor: &Actor,
        id: i64,
        date: NaiveDate,
        subject: Option<&str>,
    ) -> Result<Document> {
        let mut tx = self.write().await?;
        let original = load(&mut tx, id).await?;
        let facts = match &original.stage {
            Stage::Draft => {
                return Err(StoreError::conflict(
                    ErrorCode::NotIssued,
                    "a draft is not cancelled but deleted",
                ));
            }
            Stage::Cancelled(_) => {
                return Err(StoreError::conflict(
                    ErrorCode::AlreadyCancelled,
                    "the document is already cancelled",
                ));
            }
            Stage::Issued(facts) => facts.clone(),
        };
        if !original.content.doc_type.can_be_cancelled() {
            return Err(StoreError::conflict(
                ErrorCode::NotCancellable,
                format!(
                    "a {} cannot be cancelled",
                    original.content.doc_type.as_str()
                ),
            ));
        }
        if original.paid > Decimal::ZERO {
            return Err(StoreError::conflict(
                ErrorCode::HasPayments,
                "the invoice has payments; issue a credit note and refund instead",
            ));
        }
        let (customer_number, contact, _) = load_contact(&mut tx, original.contact_id).await?;
        // The cancellation mirrors the original exactly, as issued (same parties, lines, rates).
        let content = DocumentContent {
            doc_type: DocumentType::Cancellation,
            date,
            due_date: None,
            ..original.content.clone()
        };
        let texts = DraftTexts {
            subject: subject.map_or_else(|| original.texts.subject.clone(), str::to_string),
            ..Default::default()
        };
        let cancel_id = insert(
            &mut tx,
            NewDoc {
                content: &content,
                contact_id: original.contact_id,
                contact_name: &contact.name,
                language: original.language,
                texts: &texts,
                source_id: Some(id),
                corrects_id: Some(id),
            },
        )
        .await?;
        let draft = ensure_draft(load(&mut tx, cancel_id).await?)?;
        self.issue_in(
            &mut tx,
            &draft,
            &customer_number,
            &facts.seller,
            &facts.buyer,
        )
        .await?;
        sqlx::query("UPDATE documents SET status = 'cancelled', cancelled_by_id = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = 'issued'")
            .bind(cancel_id)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let cancellation = load(&mut tx, cancel_id).await?;
        let change = Change {
            action: "cancel",
            entity: "document",
            entity_id: id.to_string(),
            old: Some(serde_json::json!({"state": "issued"})),
            new: Some(
                serde_json::json!({"state": "cancelled", "cancellation_id": cancel_id, "cancellation_number": cancellation.number()}),
            ),
        };
        audit::append(&mut tx, actor, change).await?;
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "issue",
                entity: "document",
                entity_id: cancel_id.to_string(),
                old: None,
                new: Some(audit_json(&cancellation)),
            },
        )
        .await?;
        tx.commit().await?;
        count_issued(draft.content.doc_type.as_str());
        Ok(cancellation)
    }

    pub async fn list_documents(
        &self,
        q: &DocumentQuery,
        today: NaiveDate,
    ) -> Result<Page<DocumentSummary>> {
        let mut filter = Filter::default();
        if let Some(t) = q.doc_type {
            filter.add(" AND d.doc_type = ?", [Arg::Text(t.as_str().into())]);
        }
        if let Some(s) = q.state {
            filter.add(" AND d.status = ?", [Arg::Text(s.as_str().into())]);
        }
        if let Some(from) = q.date_from {
            filter.add(" AND d.doc_date >= ?", [Arg::Text(date_str(from))]);
        }
        if let Some(to) = q.date_to {
            filter.add(" AND d.doc_date <= ?", [Arg::Text(date_str(to))]);
        }
        if let Some(s) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let text = Arg::Text(like_pattern(s));
            match kontor_domain::search::amount(s) {
                // "1.271,64" is also looked for among the totals.
                Some(amount) => {
                    let cents = to_cents(amount);
                    filter.add(
                        " AND (d.search LIKE ? ESCAPE '\\' OR d.gross_cents = ? OR d.gross_cents = ?)",
                        [text, Arg::Int(cents), Arg::Int(-cents)],
                    );
                }
                None => filter.add(" AND d.search LIKE ? ESCAPE '\\'", [text]),
            }
        }
        if let Some(amount) = q.amount {
            let cents = to_cents(amount.abs());
            filter.add(
                " AND (d.gross_cents = ? OR d.gross_cents = ?)",
                [Arg::Int(cents), Arg::Int(-cents)],
            );
        }
        if q.open_only {
            filter.add(
                &format!(" AND {RECEIVABLE} AND d.paid_cents < d.due_cents"),
                [],
            );
        }
        if let Some(status) = q.payment {
            // The same rules as `kontor_domain::payment::status`, in SQL.
            let today = || Arg::Text(date_str(today));
            match status {
                PaymentStatus::Paid => filter.add(
                    &format!(" AND {RECEIVABLE} AND d.paid_cents >= d.due_cents"),
                    [],
                ),
                PaymentStatus::Overdue => filter.add(
                    &format!(" AND {RECEIVABLE} AND d.paid_cents < d.due_cents AND d.due_date < ?"),
                    [today()],
                ),
                PaymentStatus::PartiallyPaid => filter.add(
                    &format!(
                        " AND {RECEIVABLE} AND d.paid_cents < d.due_cents AND d.paid_cents > 0 \
                         AND (d.due_date IS NULL OR d.due_date >= ?)"
                    ),
                    [today()],
                ),
                PaymentStatus::Open => filter.add(
                    &format!(
                        " AND {RECEIVABLE} AND d.paid_cents < d.due_cents AND d.paid_cents <= 0 \
                         AND (d.due_date IS NULL OR d.due_date >= ?)"
                    ),
                    [today()],
                ),
            }
        }
        if let Some(c) = q.contact_id {
            filter.add(" AND d.contact_id = ?", [Arg::Int(c)]);
        }
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM documents d WHERE 1 = 1{}",
            filter.sql
        );
        let count = filter.bind(sqlx::query(sql(&count_sql)));
        // The list's own arguments follow the filter's: the order's, then limit and offset.
        let mut args = filter;
        let order = document_order(q.sort, &mut args, today);
        let join = if matches!(
            q.sort,
            Some(Sort {
                key: DocumentSort::Contact,
                ..
            })
        ) {
            " JOIN contacts c ON c.id = d.contact_id"
        } else {
            ""
        };
        args.add(
            "",
            [Arg::Int(q.page.per_page + 1), Arg::Int(q.page.offset())],
        );
        let n = args.args.len();
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents d JOIN contacts c ON c.id = d.contact_id \
             WHERE d.id IN (SELECT d.id FROM documents d{join} WHERE 1 = 1{} ORDER BY {order} LIMIT ${} OFFSET ${}) ORDER BY {order}",
            args.sql,
            n - 1,
            n
        );
        // One row more than shown tells whether a next page exists without counting.
        let mut rows = args
            .bind(sqlx::query(sql(&list_sql)))
            .fetch_all(&self.pool)
            .await?;
        let has_more = rows.len() as i64 > q.page.per_page;
        rows.truncate(q.page.per_page as usize);
        let total: i64 = if q.skip_total {
            -1
        } else {
            count.fetch_one(&self.pool).await?.try_get("n")?
        };
        let items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            page: q.page.page,
            per_page: q.page.per_page,
            total,
            has_more,
        })
    }

    /// The summaries of the documents `ids`, in the order given; refuses (naming them) ids
    /// that are not this business's documents.
    pub async fn document_summaries(&self, ids: &[i64]) -> Result<Vec<DocumentSummary>> {
        let mut found = Vec::with_capacity(ids.len());
        // In chunks: one query per 100 ids keeps the statement small on both databases.
        for chunk in ids.chunks(100) {
            let mut filter = Filter::default();
            let marks = vec!["?"; chunk.len()].join(", ");
            filter.add(
                &format!(" AND d.id IN ({marks})"),
                chunk.iter().map(|&id| Arg::Int(id)),
            );
            let list_sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM documents d JOIN contacts c ON c.id = d.contact_id WHERE 1 = 1{}",
                filter.sql
            );
            let rows = filter
                .bind(sqlx::query(sql(&list_sql)))
                .fetch_all(&self.pool)
                .await?;
            for row in &rows {
                found.push(summary_from_row(row)?);
            }
        }
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !found.iter().any(|d| d.id == **id))
            .map(|id| id.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::not_found("document", missing.join(", ")));
        }
        found.sort_by_key(|d| ids.iter().position(|id| *id == d.id));
        Ok(found)
    }
}

/// The columns of a [`DocumentSummary`], from `documents d JOIN contacts c`.
const SUMMARY_COLUMNS: &str = "d.id, d.doc_type, d.status, d.number, d.contact_id, c.name AS contact_name, d.doc_date, \
    d.due_date, d.currency, d.net_cents, d.vat_cents, d.gross_cents, d.due_cents, d.paid_cents";

fn summary_from_row(row: &AnyRow) -> Result<DocumentSummary> {
    let doc_type: String = row.try_get("doc_type")?;
    let status: String = row.try_get("status")?;
    Ok(DocumentSummary {
        id: row.try_get("id")?,
        doc_type: DocumentType::parse(&doc_type)
            .ok_or_else(|| StoreError::Corrupt(doc_type.clone()))?,
        state: DocState::parse(&status).ok_or_else(|| StoreError::Corrupt(status.clone()))?,
        number: row.try_get("number")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        date: parse_date(&row.try_get::<String, _>("doc_date")?)?,
        due_date: parse_opt_date(row.try_get("due_date")?)?,
        currency: parse_value("currency", &row.try_get::<String, _>("currency")?)?,
        net: from_cents(row.try_get("net_cents")?),
        vat: from_cents(row.try_get("vat_cents")?),
        gross: from_cents(row.try_get("gross_cents")?),
        due: from_cents(row.try_get("due_cents")?),
        paid: from_cents(row.try_get("paid_cents")?),
    })
}

/// Issued receivables (invoices, down-payment invoices): the documents with a payment status.
const RECEIVABLE: &str =
    "d.status = 'issued' AND d.doc_type IN ('invoice', 'down_payment_invoice')";

/// A value bound to a numbered placeholder.
enum Arg {
    Text(String),
    Int(i64),
}

/// Conditions of a list query (each starting with " AND "), with their arguments in order.
#[derive(Default)]
struct Filter {
    sql: String,
    args: Vec<Arg>,
}

impl Filter {
    /// Appends `cond`, whose `?`s take `args` in order as the next numbered placeholders.
    fn add(&mut self, cond: &str, args: impl IntoIterator<Item = Arg>) {
        let mut args = args.into_iter();
        for c in cond.chars() {
            match (c, c == '?') {
                (_, true) => {
                    if let Some(arg) = args.next() {
                        self.args.push(arg);
                    }
                    self.sql.push_str(&format!("${}", self.args.len()));
                }
                (c, false) => self.sql.push(c),
            }
        }
        self.args.extend(args);
    }

    /// Binds the arguments, in order, to `query`.
    fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for arg in &self.args {
            query = match arg {
                Arg::Text(s) => query.bind(s.clone()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query
    }

    /// A placeholder for `arg`, to be used in SQL after the conditions.
    fn placeholder(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

/// The ORDER BY of the document list for `sort` (newest first without one): a fixed
/// expression per key, documents without a number or due date last in either direction,
/// ties by id in the same direction. Adds the arguments it needs to `args`.
fn document_order(sort: Option<Sort<DocumentSort>>, args: &mut Filter, today: NaiveDate) -> String {
    let Some(sort) = sort else {
        return "d.id DESC".into();
    };
    let dir = sort.direction();
    let key = match sort.key {
        DocumentSort::Number => format!("(d.number IS NULL), d.number {dir}"),
        DocumentSort::Date => format!("d.doc_date {dir}"),
        DocumentSort::Contact => format!("LOWER(c.name) {dir}"),
        DocumentSort::DueDate => format!("(d.due_date IS NULL), d.due_date {dir}"),
        // As the list shows them: corrections (credit notes, cancellations) negative.
        DocumentSort::Amount => format!(
            "CASE WHEN d.doc_type IN ('credit_note', 'cancellation') THEN -ABS(d.gross_cents) \
             ELSE d.gross_cents END {dir}"
        ),
        // The status a row shows, in the order of a document's life: draft, open, partially
        // paid, overdue, paid, issued (no payment status), cancelled.
        DocumentSort::Status => {
            let today = args.placeholder(Arg::Text(date_str(today)));
            format!(
                "CASE WHEN d.status = 'draft' THEN 0 WHEN d.status = 'cancelled' THEN 6 \
                 WHEN d.doc_type NOT IN ('invoice', 'down_payment_invoice') THEN 5 \
                 WHEN d.paid_cents >= d.due_cents THEN 4 \
                 WHEN d.due_date < {today} THEN 3 \
                 WHEN d.paid_cents > 0 THEN 2 ELSE 1 END {dir}"
            )
        }
    };
    format!("{key}, d.id {dir}")
}

/// The number of the invoice a draft correction refers to (BG-3), if it has one.
fn corrected_number(doc: &Document) -> Option<&str> {
    doc.preceding.as_ref().map(|p| p.number.as_str())
}

/// How far up a chain of derived documents (quote → order confirmation → delivery note)
/// down-payment invoices are looked for.
const MAX_CHAIN: usize = 16;

/// The down-payment invoices a final invoice derived from `source` deducts (§ 14 Abs. 5
/// UStG): every issued, not cancelled down-payment invoice derived from `source` or from a
/// document up its chain, unless another issued final invoice deducts it already; paid or
/// not (its VAT was invoiced either way). Each with its net and VAT per rate and what is still
/// open on it, oldest first.
async fn down_payment_deductions(
    conn: &mut AnyConnection,
    source: &Document,
) -> Result<Vec<DeductedDownPayment>> {
    let mut chain = vec![source.id];
    let mut up = source.source_id;
    while let Some(id) = up.filter(|id| !chain.contains(id) && chain.len() < MAX_CHAIN) {
        chain.push(id);
        up = sqlx::query("SELECT source_id FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<Option<i64>, _>("source_id"))
            .transpose()?
            .flatten();
    }
    let marks: Vec<String> = (1..=chain.len()).map(|i| format!("${i}")).collect();
    let mut query = sqlx::query(sql(format!(
        "SELECT {COLUMNS} FROM documents WHERE doc_type = 'down_payment_invoice' AND status = 'issued' \
         AND source_id IN ({}) ORDER BY doc_date, id",
        marks.join(", ")
    )));
    for id in &chain {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let taken = deducted_elsewhere(conn, source.contact_id).await?;
    let mut deductions = Vec::new();
    for row in &rows {
        let dp = from_row(row)?;
        let Some(facts) = dp.stage.facts() else {
            continue;
        };
        if taken.contains(&facts.number) {
            continue;
        }
        deductions.push(DeductedDownPayment::of_invoice(
            facts.number.clone(),
            dp.content.date,
            &dp.totals,
            dp.paid,
        ));
    }
    Ok(deductions)
}

/// The numbers of the down-payment invoices that issued, not cancelled final invoices to this
/// contact deduct.
async fn deducted_elsewhere(
    conn: &mut AnyConnection,
    contact_id: i64,
) -> Result<Vec<DocumentNumber>> {
    let rows = sqlx::query(
        "SELECT down_payments FROM documents WHERE contact_id = $1 AND doc_type = 'invoice' \
         AND status = 'issued' AND down_payments <> '[]'",
    )
    .bind(contact_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut numbers = Vec::new();
    for row in rows {
        let list: Vec<DeductedDownPayment> =
            serde_json::from_str(&row.try_get::<String, _>("down_payments")?)?;
        numbers.extend(list.into_iter().map(|d| d.number));
    }
    Ok(numbers)
}

/// For a draft final invoice derived from an order: its deductions as they are now (down
/// payments issued, cancelled or paid since the draft was made). `None` for any other draft.
async fn current_deductions(
    conn: &mut AnyConnection,
    draft: &Document,
) -> Result<Option<Vec<DeductedDownPayment>>> {
    let Some(source_id) = draft.source_id else {
        return Ok(None);
    };
    if draft.content.doc_type != DocumentType::Invoice {
        return Ok(None);
    }
    let source = load(conn, source_id).await?;
    Ok(Some(down_payment_deductions(conn, &source).await?))
}

/// Counts an issued document for `/metrics` (by document type only: no tenant data).
fn count_issued(doc_type: &'static str) {
    metrics::counter!("kontor_documents_issued_total", "type" => doc_type).increment(1);
}

/// Stores a quote's outcome with its time and logs the change (old → new).
async fn record_outcome(
    conn: &mut AnyConnection,
    actor: &Actor,
    doc: &Document,
    outcome: Option<QuoteOutcome>,
) -> Result<()> {
    if doc.outcome == outcome {
        return Ok(());
    }
    let at = now();
    sqlx::query(
        "UPDATE documents SET outcome = $1, outcome_at = $2, updated_at = $3, version = version + 1 WHERE id = $4",
    )
    .bind(outcome.map(QuoteOutcome::as_str))
    .bind(outcome.map(|_| at.clone()))
    .bind(&at)
    .bind(doc.id)
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "outcome",
            entity: "document",
            entity_id: doc.id.to_string(),
            old: Some(serde_json::json!({"outcome": doc.outcome.map(QuoteOutcome::as_str)})),
            new: Some(serde_json::json!({"outcome": outcome.map(QuoteOutcome::as_str)})),
        },
    )
    .await
}
