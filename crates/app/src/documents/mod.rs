//! Documents: drafts, issuing with the files of record, deriving, cancelling, duplicating,
//! payments, and the PDF and XRechnung downloads.

mod archive;
mod bulk;
mod einvoice;
mod files;
mod input;
mod look;
mod subjects;

use std::collections::HashMap;

use chrono::NaiveDate;
use kontor_domain::totals::{self, Totals};
use kontor_domain::validation::Problem as IssueProblem;
use kontor_domain::{CurrencyCode, DocumentType, Line, TaxMode};
use kontor_storage::{
    Actor, AuditEntry, Document, DocumentQuery, DocumentSummary, DraftTexts, IdempotencyKey, Once,
    Page, Payment, PaymentInput, StoreError, StoredResponse,
};
use rust_decimal::Decimal;

pub use archive::{archive_missing, artefacts_for};
pub use bulk::MAX_BULK_DOCUMENTS;
pub use einvoice::facturx_xml;
pub use files::{Disposition, File, Syntax, pdf_name, syntax_param};
pub use input::{
    ContactState, DocField, DraftInput, FieldPath, FieldProblem, FieldProblems, LineField,
    LineInput, MAX_SUBJECT_CHARS, MAX_TEXT_CHARS, Problem, Replaces, SkontoInput,
};
pub use look::{look_extras, pdf_extras};

use crate::{App, Error, Result};

/// A draft that passed every rule of [`Documents::check`]; only the check makes one.
#[derive(Debug, Clone)]
pub struct CheckedDraft(kontor_storage::DraftInput);

impl CheckedDraft {
    /// The draft as storage takes it.
    pub fn draft(&self) -> &kontor_storage::DraftInput {
        &self.0
    }
}

/// The totals a draft would have, for showing them while it is edited.
#[derive(Debug, Clone)]
pub struct Preview {
    pub totals: Totals,
    pub lines: Vec<Line>,
    pub currency: String,
}

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

    /// Checks what a user sent for a new draft (`replaces: None`) or for the saved draft
    /// `replaces`: every rule, the articles of its lines loaded in one query, the contact.
    /// Problems come back as [`Error::Input`], each naming its field.
    pub async fn check(
        &self,
        input: DraftInput,
        replaces: Option<&Document>,
    ) -> Result<CheckedDraft> {
        let contact = match input.contact_id {
            Some(id) => Some(self.contact_state(id).await?),
            None => None,
        };
        let articles = self.articles_of(&input).await?;
        let known = input::Known {
            today: self.app.today(),
            replaces: replaces.map(|d| Replaces {
                doc_type: d.content.doc_type,
                contact_id: d.contact_id,
            }),
            articles: &articles,
            contact,
        };
        let (draft, problems) = input::check(input, &known);
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        Ok(CheckedDraft(draft))
    }

    /// The totals `input` would have, checked by the same rules as a saved draft; the type
    /// and the contact may still be open. Without a tax mode, the company's decides. For the
    /// saved draft `saved` of a final invoice, its deducted down payments count too (they
    /// come from the order, not from the input).
    pub async fn preview(&self, input: DraftInput, saved: Option<i64>) -> Result<Preview> {
        let articles = self.articles_of(&input).await?;
        let known = input::Known {
            today: self.app.today(),
            replaces: None,
            articles: &articles,
            contact: None,
        };
        let (checked, mut problems) = input::check(input, &known);
        problems.0.retain(|p| {
            !matches!(
                p.field,
                FieldPath::Document(DocField::Type | DocField::ContactId)
            )
        });
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        let tax_mode = match checked.tax_mode {
            Some(mode) => mode,
            None if self.app.store.company().await?.small_business => TaxMode::SmallBusiness,
            None => TaxMode::Standard,
        };
        let deductions = match saved {
            Some(id) => {
                let doc = self.get(id).await?;
                if doc.is_draft() {
                    doc.content.down_payments
                } else {
                    Vec::new()
                }
            }
            None => Vec::new(),
        };
        let totals = totals::compute_parts(
            tax_mode,
            &checked.lines,
            checked.discount_percent,
            checked.prepaid_amount,
        )
        .deducting(&deductions);
        Ok(Preview {
            totals,
            lines: checked.lines,
            currency: checked.currency.unwrap_or(CurrencyCode::EUR).to_string(),
        })
    }

    async fn contact_state(&self, id: i64) -> Result<ContactState> {
        match self.app.store.contact(id).await {
            Ok(c) if c.archived => Ok(ContactState::Archived),
            Ok(_) => Ok(ContactState::Active),
            Err(StoreError::NotFound { .. }) => Ok(ContactState::Missing),
            Err(e) => Err(e.into()),
        }
    }

    /// The articles the lines name, in one query.
    async fn articles_of(
        &self,
        input: &DraftInput,
    ) -> Result<HashMap<i64, kontor_storage::Article>> {
        let ids = input::article_ids(input);
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .app
            .store
            .articles_by_id(&ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect())
    }

    /// Checks and creates a draft.
    pub async fn create(&self, actor: &Actor, input: DraftInput) -> Result<Document> {
        let draft = self.check(input, None).await?;
        self.store_new(actor, &draft).await
    }

    async fn store_new(&self, actor: &Actor, draft: &CheckedDraft) -> Result<Document> {
        Ok(self.app.store.create_document(actor, &draft.0).await?)
    }

    /// Checks and creates a draft once per idempotency key: a repeat returns the first answer.
    pub async fn create_once(
        &self,
        actor: &Actor,
        input: DraftInput,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Document) -> kontor_storage::Result<StoredResponse>,
    ) -> Result<Once<Document>> {
        let draft = self.check(input, None).await?;
        Ok(self
            .app
            .store
            .create_document_once(actor, &draft.0, key, respond)
            .await?)
    }

    /// Checks and replaces a draft; `version` is the one the editor last saw (optimistic
    /// lock).
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        input: DraftInput,
        version: Option<i64>,
    ) -> Result<Document> {
        let existing = self.get(id).await?;
        let draft = self.check(input, Some(&existing)).await?;
        Ok(self
            .app
            .store
            .update_document(actor, id, &draft.0, version)
            .await?)
    }

    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<()> {
        Ok(self.app.store.delete_document(actor, id).await?)
    }

    /// What stops a draft from being issued (empty: ready).
    /// What issuing draft `id` would bring: problems, warnings, and the e-invoice formats.
    pub async fn issue_preview(&self, id: i64) -> Result<crate::model::IssuePreview> {
        Ok(self.app.store.issue_preview(id).await?)
    }

    pub async fn issue_check(&self, id: i64) -> Result<Vec<IssueProblem>> {
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
        let source = self.get(id).await?;
        let subject = subjects::derived(
            &source.texts.subject,
            source.content.doc_type,
            target,
            source.language,
        );
        Ok(self
            .app
            .store
            .derive_document(actor, id, target, date, Some(&subject))
            .await?)
    }

    /// Cancels an issued invoice by issuing its cancellation (dated `date` or today), titled
    /// Records that the customer accepted or declined an issued quote (`None`: open again).
    pub async fn set_quote_outcome(
        &self,
        actor: &Actor,
        id: i64,
        outcome: Option<kontor_domain::QuoteOutcome>,
    ) -> Result<Document> {
        Ok(self.app.store.set_quote_outcome(actor, id, outcome).await?)
    }

    /// The documents made from document `id` (follow-ups and corrections), oldest first.
    pub async fn derived(&self, id: i64) -> Result<Vec<Derived>> {
        Ok(self
            .app
            .store
            .derived_documents(id)
            .await?
            .into_iter()
            .map(|(id, doc_type, number)| Derived {
                id,
                doc_type,
                number,
            })
            .collect())
    }

    /// "Stornorechnung zu Rechnung … vom …" with the `reason` when one is given; its files are
    /// archived right after.
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: i64,
        date: Option<NaiveDate>,
        reason: Option<&str>,
    ) -> Result<Document> {
        let date = date.unwrap_or_else(|| self.app.today());
        let original = self.get(id).await?;
        // A draft has no number; the store refuses it (and a cancelled one) with the reason.
        let subject = original.number().map(|number| {
            subjects::cancellation(
                original.content.doc_type,
                number,
                original.content.date,
                original.language,
                reason,
            )
        });
        let cancellation = self
            .app
            .store
            .cancel_document(actor, id, date, subject.as_deref())
            .await?;
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
        let input = kontor_storage::DraftInput {
            doc_type,
            contact_id: d.contact_id,
            date: today,
            delivery_date: Some(today),
            due_date: None,
            payment_terms_days: None,
            tax_mode: Some(d.content.tax_mode),
            currency: Some(d.content.currency),
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
        self.store_new(actor, &CheckedDraft(input)).await
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

    /// Takes back payment `payment_id` of invoice `id` with a reversal booked on `date`.
    pub async fn reverse_payment(
        &self,
        actor: &Actor,
        id: i64,
        payment_id: i64,
        date: NaiveDate,
        reason: &str,
    ) -> Result<Payment> {
        if reason.trim().is_empty() {
            return Err(Error::field(
                "reason",
                kontor_domain::ErrorCode::Required,
                "is required",
            ));
        }
        Ok(self
            .app
            .store
            .reverse_payment(actor, id, payment_id, date, reason.trim())
            .await?)
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

    /// The archived PDFs of the issued documents among `ids` (at most
    /// [`MAX_BULK_DOCUMENTS`], all this business's) in one ZIP, each named by its number.
    pub async fn pdf_zip(&self, ids: &[i64], lang: kontor_domain::Language) -> Result<File> {
        bulk::pdf_zip(self.app, ids, lang).await
    }

    /// The documents `ids` (at most [`MAX_BULK_DOCUMENTS`], all this business's) as a CSV
    /// for a spreadsheet, with headers in `lang`.
    pub async fn export_csv(&self, ids: &[i64], lang: kontor_domain::Language) -> Result<File> {
        bulk::csv(self.app, ids, lang).await
    }
}

/// A document made from another one: what the source's page links to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Derived {
    pub id: i64,
    #[serde(rename = "type")]
    pub doc_type: kontor_domain::DocumentType,
    /// None while it is a draft.
    pub number: Option<String>,
}
