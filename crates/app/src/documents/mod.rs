//! Documents: drafts, issuing with the files of record, deriving, cancelling, duplicating,
//! payments, and the PDF and XRechnung downloads.

mod archive;
mod einvoice;
mod files;
mod look;

use chrono::NaiveDate;
use kontor_domain::DocumentType;
use kontor_domain::validation::Problem;
use kontor_storage::{
    Actor, AuditEntry, Document, DocumentQuery, DocumentSummary, DraftInput, DraftTexts,
    IdempotencyKey, Once, Page, Payment, PaymentInput, StoredResponse,
};
use rust_decimal::Decimal;

pub use archive::{archive_missing, artefacts_for};
pub use einvoice::facturx_xml;
pub use files::{Disposition, File, Syntax, pdf_name, syntax_param};
pub use look::{look_extras, pdf_extras};

use crate::{App, Result};

/// The document operations of one business.
pub struct Documents<'a> {
    pub(crate) app: &'a App,
}

impl Documents<'_> {
    pub async fn get(&self, id: i64) -> Result<Document> {
        Ok(self.app.store.document(id).await?)
    }

    /// A page of the document list; statuses are those of today.
    pub async fn list(&self, query: &DocumentQuery) -> Result<Page<DocumentSummary>> {
        Ok(self
            .app
            .store
            .list_documents(query, self.app.today())
            .await?)
    }

    pub async fn create(&self, actor: &Actor, draft: &DraftInput) -> Result<Document> {
        Ok(self.app.store.create_document(actor, draft).await?)
    }

    /// Creates a draft once per idempotency key: a repeat returns the first answer.
    pub async fn create_once(
        &self,
        actor: &Actor,
        draft: &DraftInput,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Document) -> kontor_storage::Result<StoredResponse>,
    ) -> Result<Once<Document>> {
        Ok(self
            .app
            .store
            .create_document_once(actor, draft, key, respond)
            .await?)
    }

    /// Replaces a draft; `version` is the one the editor last saw (optimistic lock).
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        draft: &DraftInput,
        version: Option<i64>,
    ) -> Result<Document> {
        Ok(self
            .app
            .store
            .update_document(actor, id, draft, version)
            .await?)
    }

    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<()> {
        Ok(self.app.store.delete_document(actor, id).await?)
    }

    /// What stops a draft from being issued (empty: ready).
    pub async fn issue_check(&self, id: i64) -> Result<Vec<Problem>> {
        Ok(self.app.store.issue_check(id).await?)
    }

    /// Issues a draft: numbers and locks it; its files of record are archived right after.
    pub async fn issue(&self, actor: &Actor, id: i64) -> Result<Document> {
        let doc = self.app.store.issue_document(actor, id).await?;
        archive::archive_later(self.app, &doc);
        Ok(doc)
    }

    /// A follow-up draft of another type from an issued document, dated `date` or today.
    pub async fn derive(
        &self,
        actor: &Actor,
        id: i64,
        target: DocumentType,
        date: Option<NaiveDate>,
    ) -> Result<Document> {
        let date = date.unwrap_or_else(|| self.app.today());
        Ok(self
            .app
            .store
            .derive_document(actor, id, target, date)
            .await?)
    }

    /// Cancels an issued invoice by issuing its cancellation (dated `date` or today), whose
    /// files are archived right after.
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: i64,
        date: Option<NaiveDate>,
    ) -> Result<Document> {
        let date = date.unwrap_or_else(|| self.app.today());
        let cancellation = self.app.store.cancel_document(actor, id, date).await?;
        archive::archive_later(self.app, &cancellation);
        Ok(cancellation)
    }

    /// A new draft with the content of any document, dated today (a cancellation becomes an
    /// invoice again).
    pub async fn duplicate(&self, actor: &Actor, id: i64) -> Result<Document> {
        let d = self.get(id).await?;
        let today = self.app.today();
        let doc_type = if d.content.doc_type == DocumentType::Cancellation {
            DocumentType::Invoice
        } else {
            d.content.doc_type
        };
        let input = DraftInput {
            doc_type,
            contact_id: d.contact_id,
            date: today,
            delivery_date: Some(today),
            due_date: None,
            payment_terms_days: None,
            tax_mode: Some(d.content.tax_mode),
            currency: Some(d.content.currency.clone()),
            language: Some(d.language),
            discount_percent: d.content.discount_percent,
            prepaid_amount: Decimal::ZERO,
            texts: DraftTexts {
                subject: d.texts.subject.clone(),
                intro_text: d.texts.intro_text.clone(),
                closing_text: d.texts.closing_text.clone(),
            },
            lines: d.content.lines.clone(),
            skonto: d
                .content
                .doc_type
                .is_receivable()
                .then(|| d.content.skonto.clone()),
            payment_method: Some(d.content.payment_method),
            exchange_rate: d.content.exchange_rate,
        };
        self.create(actor, &input).await
    }

    /// The payments of an invoice (the document must exist).
    pub async fn payments(&self, id: i64) -> Result<Vec<Payment>> {
        self.app.store.document(id).await?;
        Ok(self.app.store.payments(id).await?)
    }

    pub async fn add_payment(
        &self,
        actor: &Actor,
        id: i64,
        payment: &PaymentInput,
    ) -> Result<Payment> {
        Ok(self.app.store.add_payment(actor, id, payment).await?)
    }

    /// Records a payment once per idempotency key: a repeat returns the first answer.
    pub async fn add_payment_once(
        &self,
        actor: &Actor,
        id: i64,
        payment: &PaymentInput,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Payment) -> kontor_storage::Result<StoredResponse>,
    ) -> Result<Once<Payment>> {
        Ok(self
            .app
            .store
            .add_payment_once(actor, id, payment, key, respond)
            .await?)
    }

    /// The newest audit entries of a document.
    pub async fn audit(&self, id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self
            .app
            .store
            .audit_entries("document", &id.to_string(), limit)
            .await?)
    }

    /// The PDF: the archived original of an issued document (archived now if that was
    /// missed), a fresh rendering with the draft watermark for a draft.
    pub async fn pdf(&self, id: i64) -> Result<File> {
        files::pdf(self.app, id).await
    }

    /// The XRechnung archived at issue, byte for byte.
    pub async fn xrechnung(&self, id: i64, syntax: Syntax) -> Result<File> {
        files::xrechnung(self.app, id, syntax).await
    }
}
