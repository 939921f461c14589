//! The body of `POST/PUT /documents` as JSON: read into the service layer's draft input, whose
//! one check (in `kontor_app::documents`) applies every rule and names the fields.

use kontor_app::documents::{DraftInput, LineInput, SkontoInput};
use kontor_domain::{DocumentType, Language, LineKind, PaymentMethod, TaxMode};
use serde::Deserialize;

use super::json::{Date, Dec};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    #[serde(rename = "type")]
    doc_type: Option<DocumentType>,
    contact_id: Option<i64>,
    date: Option<Date>,
    delivery_date: Option<Date>,
    due_date: Option<Date>,
    payment_terms_days: Option<i64>,
    tax_mode: Option<TaxMode>,
    currency: Option<String>,
    language: Option<Language>,
    discount_percent: Option<Dec>,
    prepaid_amount: Option<Dec>,
    /// Skonto steps; absent takes the contact's (else the company's) default, `[]` none.
    skonto: Option<Vec<SkontoJson>>,
    payment_method: Option<PaymentMethod>,
    /// Units of the document currency per 1 EUR (documents in another currency than EUR).
    exchange_rate: Option<Dec>,
    subject: Option<String>,
    intro_text: Option<String>,
    closing_text: Option<String>,
    /// Optimistic lock: the version the client last saw (PUT only).
    pub version: Option<i64>,
    lines: Option<Vec<LineJson>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineJson {
    kind: Option<LineKind>,
    article_id: Option<i64>,
    description: Option<String>,
    quantity: Option<Dec>,
    unit: Option<String>,
    unit_price: Option<Dec>,
    vat_rate: Option<Dec>,
    discount_percent: Option<Dec>,
}

/// One Skonto step as sent: `{"days": 14, "percent": "2"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkontoJson {
    days: Option<i64>,
    percent: Option<Dec>,
}

fn dec(d: Option<Dec>) -> Option<rust_decimal::Decimal> {
    d.map(|d| d.0)
}

impl DocumentInput {
    /// The draft as the service layer checks it (the version stays with the handler).
    pub fn into_input(self) -> DraftInput {
        DraftInput {
            doc_type: self.doc_type,
            contact_id: self.contact_id,
            date: self.date.map(|d| d.0),
            delivery_date: self.delivery_date.map(|d| d.0),
            due_date: self.due_date.map(|d| d.0),
            payment_terms_days: self.payment_terms_days,
            tax_mode: self.tax_mode,
            currency: self.currency,
            language: self.language,
            discount_percent: dec(self.discount_percent),
            prepaid_amount: dec(self.prepaid_amount),
            skonto: self.skonto.map(|steps| {
                steps
                    .into_iter()
                    .map(|s| SkontoInput {
                        days: s.days,
                        percent: dec(s.percent),
                    })
                    .collect()
            }),
            payment_method: self.payment_method,
            exchange_rate: dec(self.exchange_rate),
            subject: self.subject,
            intro_text: self.intro_text,
            closing_text: self.closing_text,
            lines: self
                .lines
                .unwrap_or_default()
                .into_iter()
                .map(|l| LineInput {
                    kind: l.kind,
                    article_id: l.article_id,
                    description: l.description,
                    quantity: dec(l.quantity),
                    unit: l.unit,
                    unit_price: dec(l.unit_price),
                    vat_rate: dec(l.vat_rate),
                    discount_percent: dec(l.discount_percent),
                })
                .collect(),
        }
    }
}
