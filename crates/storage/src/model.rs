//! The records storage hands out: contacts, articles, documents, payments, ranges, users.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use kontor_domain::document::{DocumentContent, DocumentType};
use kontor_domain::payment::{self, PaymentStatus};
use kontor_domain::totals::Totals;
use kontor_domain::{CompanyProfile, ContactData, DocumentNumber, Draft, Issued, Preceding, Texts};
use rust_decimal::Decimal;
use serde::Serialize;

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    /// Number of matching rows; -1 when the query asked not to count them.
    pub total: i64,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// Which page of a list to fetch (1-based; `per_page` is capped at 200).
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: 50,
        }
    }
}

impl PageRequest {
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, 200),
        }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub id: i64,
    pub number: String,
    pub archived: bool,
    #[serde(flatten)]
    pub data: ContactData,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Matches name, number, city or e-mail.
    pub search: Option<String>,
    pub include_archived: bool,
    /// The order; by name when not given.
    pub sort: Option<crate::sort::Sort<crate::sort::ContactSort>>,
    pub page: PageRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleData {
    pub name: String,
    pub description: String,
    pub unit: kontor_domain::UnitCode,
    pub unit_price: Decimal,
    pub vat_rate: kontor_domain::VatRate,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: i64,
    pub number: String,
    #[serde(flatten)]
    pub data: ArticleData,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub search: Option<String>,
    pub include_inactive: bool,
    /// The order; by name when not given.
    pub sort: Option<crate::sort::Sort<crate::sort::ArticleSort>>,
    pub page: PageRequest,
}

/// The life-cycle state stored with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocState {
    Draft,
    Issued,
    Cancelled,
}

impl DocState {
    pub fn as_str(self) -> &'static str {
        match self {
            DocState::Draft => "draft",
            DocState::Issued => "issued",
            DocState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<DocState> {
        match s {
            "draft" => Some(DocState::Draft),
            "issued" => Some(DocState::Issued),
            "cancelled" => Some(DocState::Cancelled),
            _ => None,
        }
    }
}

/// What a draft holds besides its content: texts and links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftTexts {
    pub subject: String,
    pub intro_text: String,
    pub closing_text: String,
}

/// A draft as submitted: content validated by the caller, defaults still to be filled in.
#[derive(Debug, Clone)]
pub struct DraftInput {
    pub doc_type: DocumentType,
    pub contact_id: i64,
    pub date: NaiveDate,
    pub delivery_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Payment terms in days, used for the due date when none is given.
    pub payment_terms_days: Option<i64>,
    pub tax_mode: Option<kontor_domain::TaxMode>,
    pub currency: Option<kontor_domain::CurrencyCode>,
    pub language: Option<kontor_domain::Language>,
    pub discount_percent: Decimal,
    pub prepaid_amount: Decimal,
    pub texts: DraftTexts,
    pub lines: Vec<kontor_domain::Line>,
    /// Skonto steps; `None` takes the contact's, else the company's default.
    pub skonto: Option<Vec<kontor_domain::SkontoStep>>,
    /// `None` takes the contact's payment method.
    pub payment_method: Option<kontor_domain::PaymentMethod>,
    /// Units of the document currency per 1 EUR (ignored for EUR documents).
    pub exchange_rate: Option<Decimal>,
}

/// What issuing fixed for good: the number, the seller and buyer as they were, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueFacts {
    pub number: DocumentNumber,
    pub seller: CompanyProfile,
    pub buyer: ContactData,
    pub issued_at: DateTime<Utc>,
}

/// Where a document is in its life, decided once when the row is loaded: a row that claims to
/// be issued without a complete, readable snapshot is refused as corrupt.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Draft,
    Issued(IssueFacts),
    Cancelled(IssueFacts),
}

impl Stage {
    pub fn state(&self) -> DocState {
        match self {
            Stage::Draft => DocState::Draft,
            Stage::Issued(_) => DocState::Issued,
            Stage::Cancelled(_) => DocState::Cancelled,
        }
    }
    /// The facts of issue; `None` for a draft.
    pub fn facts(&self) -> Option<&IssueFacts> {
        match self {
            Stage::Draft => None,
            Stage::Issued(facts) | Stage::Cancelled(facts) => Some(facts),
        }
    }
}

/// A document as the domain sees it: a draft or an issued document (also when cancelled).
// Built to be matched right away, never stored in bulk: the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Staged {
    Draft(Draft),
    Issued(Issued),
}

/// A document row: a draft, or an issued or cancelled document with its [`IssueFacts`].
#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub stage: Stage,
    pub contact_id: i64,
    pub content: DocumentContent,
    pub language: kontor_domain::Language,
    pub texts: DraftTextsOut,
    pub source_id: Option<i64>,
    pub corrects_id: Option<i64>,
    /// The issued invoice `corrects_id` points to (EN 16931 BG-3): its number and date.
    pub preceding: Option<Preceding>,
    pub cancelled_by_id: Option<i64>,
    /// What became of an issued quote (none while it is open, and for other types).
    pub outcome: Option<kontor_domain::QuoteOutcome>,
    pub totals: Totals,
    pub paid: Decimal,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct DraftTextsOut {
    pub subject: String,
    pub intro_text: String,
    pub closing_text: String,
}

/// The status a user sees: draft, issued, cancelled, or for issued invoices the payment state.
pub fn display_status(
    state: DocState,
    doc_type: DocumentType,
    due: Decimal,
    paid: Decimal,
    due_date: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    match state {
        DocState::Draft => "draft",
        DocState::Cancelled => "cancelled",
        DocState::Issued if doc_type.is_receivable() => {
            payment::status(due, paid, due_date, today).as_str()
        }
        DocState::Issued => "issued",
    }
}

impl Document {
    pub fn state(&self) -> DocState {
        self.stage.state()
    }
    pub fn is_draft(&self) -> bool {
        self.stage == Stage::Draft
    }
    /// The number; `None` for a draft.
    pub fn number(&self) -> Option<&str> {
        self.stage.facts().map(|f| f.number.as_str())
    }
    /// The seller as at issue; `None` for a draft.
    pub fn seller(&self) -> Option<&CompanyProfile> {
        self.stage.facts().map(|f| &f.seller)
    }
    /// The buyer as at issue; `None` for a draft.
    pub fn buyer(&self) -> Option<&ContactData> {
        self.stage.facts().map(|f| &f.buyer)
    }
    /// The time of issue as stored (RFC 3339, UTC, microseconds); `None` for a draft.
    pub fn issued_at(&self) -> Option<String> {
        self.stage
            .facts()
            .map(|f| f.issued_at.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
    fn domain_texts(&self) -> Texts {
        Texts {
            subject: self.texts.subject.clone(),
            intro: self.texts.intro_text.clone(),
            closing: self.texts.closing_text.clone(),
        }
    }
    /// The domain document: a draft, or the document as issued.
    pub fn to_domain(&self) -> Staged {
        match self.to_issued() {
            Some(issued) => Staged::Issued(issued),
            None => Staged::Draft(self.draft_of()),
        }
    }
    /// The document as issued (also when cancelled since); `None` for a draft.
    pub fn to_issued(&self) -> Option<Issued> {
        let facts = self.stage.facts()?;
        Some(Issued {
            number: facts.number.clone(),
            content: self.content.clone(),
            totals: self.totals.clone(),
            language: self.language,
            texts: self.domain_texts(),
            seller: facts.seller.clone(),
            buyer: facts.buyer.clone(),
            preceding: self.preceding.clone(),
            issued_at: facts.issued_at,
        })
    }
    /// The draft; `None` once issued.
    pub fn to_draft(&self) -> Option<Draft> {
        self.is_draft().then(|| self.draft_of())
    }
    fn draft_of(&self) -> Draft {
        Draft {
            content: self.content.clone(),
            totals: self.totals.clone(),
            language: self.language,
            texts: self.domain_texts(),
            preceding: self.preceding.clone(),
        }
    }
    pub fn status(&self, today: NaiveDate) -> &'static str {
        if self.state() == DocState::Issued && self.content.doc_type == DocumentType::Quote {
            return kontor_domain::quote_status(self.outcome, self.content.due_date, today);
        }
        display_status(
            self.state(),
            self.content.doc_type,
            self.totals.due,
            self.paid,
            self.content.due_date,
            today,
        )
    }
    pub fn payment_status(&self, today: NaiveDate) -> Option<PaymentStatus> {
        (self.state() == DocState::Issued && self.content.doc_type.is_receivable())
            .then(|| payment::status(self.totals.due, self.paid, self.content.due_date, today))
    }
    pub fn open_amount(&self) -> Decimal {
        (self.totals.due - self.paid).max(Decimal::ZERO)
    }
}

/// A row of the document list: enough to show, no lines.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub id: i64,
    pub doc_type: DocumentType,
    pub state: DocState,
    pub number: Option<String>,
    pub contact_id: i64,
    pub contact_name: String,
    pub date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub currency: kontor_domain::CurrencyCode,
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    pub due: Decimal,
    pub paid: Decimal,
}

impl DocumentSummary {
    pub fn status(&self, today: NaiveDate) -> &'static str {
        display_status(
            self.state,
            self.doc_type,
            self.due,
            self.paid,
            self.due_date,
            today,
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    pub doc_type: Option<DocumentType>,
    pub state: Option<DocState>,
    pub contact_id: Option<i64>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// Matches number, contact name, subject, or (when it reads as an amount, see
    /// [`kontor_domain::search::amount`]) the gross total.
    pub search: Option<String>,
    /// Only issued receivables with an open amount.
    pub open_only: bool,
    /// Only issued receivables that show this payment status today.
    pub payment: Option<PaymentStatus>,
    /// Only documents with this gross total (a correction's, shown negative, matches too).
    pub amount: Option<Decimal>,
    /// The order; newest first when not given.
    pub sort: Option<crate::sort::Sort<crate::sort::DocumentSort>>,
    /// Leave the total uncounted (`Page::total` is -1); the page still knows `has_more`.
    pub skip_total: bool,
    pub page: PageRequest,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: i64,
    pub document_id: i64,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub method: String,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    /// For a reversal: the payment it takes back (its amount is that payment's, negated).
    pub reverses_id: Option<i64>,
    /// Whether a later reversal took this payment back.
    pub reversed: bool,
}

#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub method: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NumberRange {
    pub key: String,
    pub pattern: String,
    pub reset: kontor_domain::numbering::ResetRule,
    pub first_counter: i64,
    /// The number the next document of this range would get today.
    pub next_preview: String,
}

/// What users may do. Enforced by the server on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Auditor,
    Sales,
    Accountant,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::Sales => "sales",
            Role::Auditor => "auditor",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Accountant, Role::Sales, Role::Auditor]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub language: String,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

/// What issuing a draft would bring (see `Store::issue_preview`).
#[derive(Debug, Clone, Serialize)]
pub struct IssuePreview {
    /// What refuses the issue.
    pub problems: Vec<kontor_domain::validation::Problem>,
    /// What the reader will miss, without refusing it.
    pub warnings: Vec<kontor_domain::validation::Problem>,
    /// For invoices and corrections: what an XRechnung still needs (empty: it will have one).
    /// None for documents that are no invoices (no e-invoice at all).
    pub xrechnung_missing: Option<Vec<kontor_domain::validation::Problem>>,
}
