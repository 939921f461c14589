//! The body of `POST/PUT /documents`: checked field by field and turned into a storage draft,
//! with lines completed from their articles (all loaded in one query).

use std::collections::HashMap;

use kontor_app::App;
use kontor_domain::{
    DocumentType, Language, Line, LineKind, PaymentMethod, TaxMode, UnitCode, VatRate,
};
use kontor_storage::{Article, DraftInput, DraftTexts};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::input;
use super::json::{Date, Dec};

/// Most lines one document may have.
pub use kontor_domain::document::limits::MAX_LINES;

use kontor_domain::ErrorCode;
/// Bounds that keep every product and sum far inside `Decimal` (whose arithmetic panics on
/// overflow) and inside the cents storage keeps as i64.
use kontor_domain::document::limits::MAX_QUANTITY;
use kontor_domain::document::limits::MAX_TOTAL;
use kontor_domain::document::limits::MAX_UNIT_PRICE;

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
    skonto: Option<Vec<input::SkontoInput>>,
    payment_method: Option<PaymentMethod>,
    /// Units of the document currency per 1 EUR (documents in another currency than EUR).
    exchange_rate: Option<Dec>,
    subject: Option<String>,
    intro_text: Option<String>,
    closing_text: Option<String>,
    /// Optimistic lock: the version the client last saw (PUT only).
    pub version: Option<i64>,
    lines: Option<Vec<LineInput>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    kind: Option<LineKind>,
    article_id: Option<i64>,
    description: Option<String>,
    quantity: Option<Dec>,
    unit: Option<String>,
    unit_price: Option<Dec>,
    vat_rate: Option<Dec>,
    discount_percent: Option<Dec>,
}

impl DocumentInput {
    /// Checks the body and builds the draft. `existing` is the type of the draft a PUT replaces.
    pub async fn into_draft(
        self,
        app: &App,
        existing: Option<DocumentType>,
    ) -> ApiResult<DraftInput> {
        let doc_type = match (self.doc_type, existing) {
            (Some(t), _) | (None, Some(t)) => t,
            (None, None) => {
                return Err(ApiError::field("type", ErrorCode::Required, "is required"));
            }
        };
        if existing.is_none() && doc_type.is_correction() {
            return Err(ApiError::field(
                "type",
                ErrorCode::NotCreatable,
                "credit notes and cancellations refer to an invoice: use POST /documents/{id}/derive or /cancel",
            ));
        }
        let contact_id = self
            .contact_id
            .ok_or_else(|| ApiError::field("contact_id", ErrorCode::Required, "is required"))?;
        let lines = self.lines.unwrap_or_default();
        if lines.len() > MAX_LINES {
            return Err(ApiError::field(
                "lines",
                ErrorCode::TooMany,
                format!("a document may have at most {MAX_LINES} lines"),
            ));
        }
        let articles = load_articles(app, &lines).await?;
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| line.validate(i, &articles))
            .collect::<ApiResult<Vec<Line>>>()?;
        let line_total: Decimal = lines
            .iter()
            .filter(|l| l.counts())
            .map(|l| l.quantity * l.unit_price)
            .sum();
        if line_total > Decimal::from(MAX_TOTAL) {
            return Err(ApiError::field(
                "lines",
                ErrorCode::OutOfRange,
                format!("the document total must not exceed {MAX_TOTAL}"),
            ));
        }
        let currency = self
            .currency
            .as_deref()
            .map(|c| input::currency("currency", c.trim()))
            .transpose()?;
        Ok(DraftInput {
            doc_type,
            contact_id,
            date: self.date.map_or_else(|| app.today(), |d| d.0),
            delivery_date: self.delivery_date.map(|d| d.0),
            due_date: self.due_date.map(|d| d.0),
            payment_terms_days: self
                .payment_terms_days
                .map(|d| input::days("payment_terms_days", d))
                .transpose()?,
            tax_mode: self.tax_mode,
            currency,
            language: self.language,
            discount_percent: input::percent(
                "discount_percent",
                self.discount_percent.map_or(Decimal::ZERO, |d| d.0),
            )?,
            prepaid_amount: input::decimal(
                "prepaid_amount",
                self.prepaid_amount.map_or(Decimal::ZERO, |d| d.0),
                2,
                Decimal::ZERO,
                Some(Decimal::from(MAX_TOTAL)),
            )?,
            texts: DraftTexts {
                subject: input::text("subject", self.subject, 200, false)?,
                intro_text: input::text("intro_text", self.intro_text, 10_000, false)?,
                closing_text: input::text("closing_text", self.closing_text, 10_000, false)?,
            },
            lines,
            skonto: self
                .skonto
                .map(|steps| input::skonto("skonto", steps))
                .transpose()?,
            payment_method: self.payment_method,
            exchange_rate: self
                .exchange_rate
                .map(|r| input::exchange_rate("exchange_rate", r.0))
                .transpose()?,
        })
    }
}

/// The articles the lines refer to, fetched in one query.
async fn load_articles(app: &App, lines: &[LineInput]) -> ApiResult<HashMap<i64, Article>> {
    let mut ids: Vec<i64> = lines.iter().filter_map(|l| l.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(app
        .store()
        .articles_by_id(&ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

impl LineInput {
    fn validate(self, i: usize, articles: &HashMap<i64, Article>) -> ApiResult<Line> {
        let field = |name: &str| format!("lines[{i}].{name}");
        let article = match self.article_id {
            Some(id) => Some(articles.get(&id).ok_or_else(|| {
                ApiError::field(
                    field("article_id"),
                    ErrorCode::UnknownArticle,
                    format!("article {id} does not exist"),
                )
            })?),
            None => None,
        };
        let kind = self.kind.unwrap_or_default();
        let description = self
            .description
            .or_else(|| article.map(|a| a.data.name.clone()));
        let description = input::text(&field("description"), description, 10_000, false)?;
        let unit = match self.unit {
            Some(unit) => input::unit(&field("unit"), unit.trim())?,
            None => article.map_or(UnitCode::PIECE, |a| a.data.unit),
        };
        let vat_rate = match self.vat_rate {
            Some(rate) => input::vat_rate(&field("vat_rate"), rate.0)?,
            None => article.map_or(VatRate::STANDARD, |a| a.data.vat_rate.normalize()),
        };
        if kind == LineKind::Text {
            // A text line carries no amounts, whatever was sent.
            return Ok(Line {
                kind,
                article_id: self.article_id,
                description,
                quantity: Decimal::ZERO,
                unit,
                unit_price: Decimal::ZERO,
                vat_rate,
                discount_percent: Decimal::ZERO,
            });
        }
        let quantity = input::decimal(
            &field("quantity"),
            self.quantity.map_or(Decimal::ONE, |d| d.0),
            4,
            Decimal::ZERO,
            Some(Decimal::from(MAX_QUANTITY)),
        )?;
        if quantity.is_zero() {
            return Err(ApiError::field(
                field("quantity"),
                ErrorCode::OutOfRange,
                "must be greater than 0",
            ));
        }
        let unit_price = self
            .unit_price
            .map(|d| d.0)
            .or_else(|| article.map(|a| a.data.unit_price))
            .ok_or_else(|| {
                ApiError::field(
                    field("unit_price"),
                    ErrorCode::Required,
                    "is required (or give an article_id)",
                )
            })?;
        let unit_price = input::decimal(
            &field("unit_price"),
            unit_price,
            4,
            Decimal::ZERO,
            Some(Decimal::from(MAX_UNIT_PRICE)),
        )?;
        let discount_percent = input::percent(
            &field("discount_percent"),
            self.discount_percent.map_or(Decimal::ZERO, |d| d.0),
        )?;
        Ok(Line {
            kind,
            article_id: self.article_id,
            description,
            quantity,
            unit,
            unit_price,
            vat_rate,
            discount_percent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_accepted_document_cannot_overflow() {
        let lines = Decimal::from(i64::try_from(MAX_LINES).unwrap_or(i64::MAX));
        let worst = Decimal::from(MAX_QUANTITY)
            * Decimal::from(MAX_UNIT_PRICE)
            * lines
            * Decimal::ONE_HUNDRED;
        assert!(worst.checked_mul(Decimal::from(19)).is_some());
    }
}
