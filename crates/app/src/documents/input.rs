//! What a user sent for a draft, whichever face it came through, and the one check that turns it
//! into a storage draft or a list of typed field problems (with their German and English texts).
//!
//! The faces only parse their own syntax (JSON strings in the API, German or English numbers in
//! the editor) into a [`DraftInput`]; every rule — required fields, limits, line kinds, article
//! completion, Skonto, exchange rate, the contact — is applied here.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use kontor_domain::document::limits::{MAX_LINES, MAX_QUANTITY, MAX_TOTAL, MAX_UNIT_PRICE};
use kontor_domain::{
    CurrencyCode, DocumentType, ErrorCode, Language, Line, LineKind, PaymentMethod, SkontoStep,
    TaxMode, UnitCode, VatRate,
};
use kontor_storage::{Article, DraftTexts};
use rust_decimal::Decimal;

/// Longest subject of a document.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest intro text, closing text or line description.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// A draft as a user sent it: every field optional, decimals and dates already read by the
/// face's own syntax, nothing checked yet.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub doc_type: Option<DocumentType>,
    pub contact_id: Option<i64>,
    /// `None` is today.
    pub date: Option<NaiveDate>,
    pub delivery_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i64>,
    pub tax_mode: Option<TaxMode>,
    pub currency: Option<String>,
    pub language: Option<Language>,
    pub discount_percent: Option<Decimal>,
    pub prepaid_amount: Option<Decimal>,
    /// Skonto steps; `None` takes the contact's (else the company's) default, `Some([])` none.
    pub skonto: Option<Vec<SkontoInput>>,
    pub payment_method: Option<PaymentMethod>,
    /// Units of the document currency per 1 EUR.
    pub exchange_rate: Option<Decimal>,
    pub subject: Option<String>,
    pub intro_text: Option<String>,
    pub closing_text: Option<String>,
    pub lines: Vec<LineInput>,
}

/// One line as sent; blanks are completed from the article, then from the defaults.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub kind: Option<LineKind>,
    pub article_id: Option<i64>,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
    pub unit_price: Option<Decimal>,
    pub vat_rate: Option<Decimal>,
    pub discount_percent: Option<Decimal>,
}

/// One Skonto step as sent.
#[derive(Debug, Clone, Default)]
pub struct SkontoInput {
    pub days: Option<i64>,
    pub percent: Option<Decimal>,
}

/// A field of the document itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocField {
    Type,
    ContactId,
    Date,
    DeliveryDate,
    DueDate,
    PaymentTermsDays,
    TaxMode,
    Currency,
    DiscountPercent,
    PrepaidAmount,
    /// The Skonto steps as a whole (too many of them).
    Skonto,
    /// One Skonto step as a whole (its order against the one before).
    SkontoStep(usize),
    SkontoDays(usize),
    SkontoPercent(usize),
    PaymentMethod,
    ExchangeRate,
    Subject,
    IntroText,
    ClosingText,
    /// The lines as a whole (how many, their sum).
    Lines,
}

/// A field of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineField {
    ArticleId,
    Description,
    Quantity,
    Unit,
    UnitPrice,
    VatRate,
    DiscountPercent,
}

/// Where a problem is: a document field or a field of the line at an index (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPath {
    Document(DocField),
    Line(usize, LineField),
}

impl fmt::Display for FieldPath {
    /// The path as the JSON body names it, e.g. `lines[2].quantity` or `skonto[0].days`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Document(field) => match field {
                DocField::Type => f.write_str("type"),
                DocField::ContactId => f.write_str("contact_id"),
                DocField::Date => f.write_str("date"),
                DocField::DeliveryDate => f.write_str("delivery_date"),
                DocField::DueDate => f.write_str("due_date"),
                DocField::PaymentTermsDays => f.write_str("payment_terms_days"),
                DocField::TaxMode => f.write_str("tax_mode"),
                DocField::Currency => f.write_str("currency"),
                DocField::DiscountPercent => f.write_str("discount_percent"),
                DocField::PrepaidAmount => f.write_str("prepaid_amount"),
                DocField::Skonto => f.write_str("skonto"),
                DocField::SkontoStep(i) => write!(f, "skonto[{i}]"),
                DocField::SkontoDays(i) => write!(f, "skonto[{i}].days"),
                DocField::SkontoPercent(i) => write!(f, "skonto[{i}].percent"),
                DocField::PaymentMethod => f.write_str("payment_method"),
                DocField::ExchangeRate => f.write_str("exchange_rate"),
                DocField::Subject => f.write_str("subject"),
                DocField::IntroText => f.write_str("intro_text"),
                DocField::ClosingText => f.write_str("closing_text"),
                DocField::Lines => f.write_str("lines"),
            },
            FieldPath::Line(i, field) => {
                let name = match field {
                    LineField::ArticleId => "article_id",
                    LineField::Description => "description",
                    LineField::Quantity => "quantity",
                    LineField::Unit => "unit",
                    LineField::UnitPrice => "unit_price",
                    LineField::VatRate => "vat_rate",
                    LineField::DiscountPercent => "discount_percent",
                };
                write!(f, "lines[{i}].{name}")
            }
        }
    }
}

/// What is wrong with a field; carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// A line price that neither was sent nor comes from an article.
    PriceOrArticleRequired,
    /// Credit notes and cancellations are derived from an invoice, never created.
    NotCreatable,
    /// The type of a saved draft cannot change.
    TypeChanged,
    TooManyLines {
        max: usize,
    },
    TotalTooLarge {
        max: i64,
    },
    UnknownArticle {
        id: i64,
    },
    UnknownContact {
        id: i64,
    },
    ContactArchived,
    TooLong {
        max: usize,
    },
    UnknownUnit,
    UnknownVatRate,
    UnknownCurrency,
    TooManyDecimals {
        max: u32,
    },
    Negative,
    AtMost {
        max: Decimal,
    },
    /// Zero where only a positive value makes sense (a quantity).
    NotPositive,
    DaysOutOfRange,
    SkontoTooManySteps {
        max: usize,
    },
    SkontoDaysOutOfRange,
    SkontoPercentOutOfRange,
    /// The second Skonto step must have more days and a smaller percentage.
    SkontoOrder,
    ExchangeRateNotPositive,
    ExchangeRateTooLarge,
}

/// One problem with what a user sent: where, its stable code, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: FieldPath,
    pub code: ErrorCode,
    pub problem: Problem,
}

impl FieldProblem {
    fn new(field: FieldPath, code: ErrorCode, problem: Problem) -> FieldProblem {
        FieldProblem {
            field,
            code,
            problem,
        }
    }

    /// What is wrong, for a person, without the field's name (the faces show it next to the
    /// field or prefix their own name). English is the API's wording.
    pub fn message(&self, lang: Language) -> String {
        let en = lang == Language::En;
        let pick = |de: String, english: String| if en { english } else { de };
        match &self.problem {
            Problem::Required => match self.field {
                FieldPath::Document(DocField::Type) if !en => "Dokumenttyp wählen".into(),
                FieldPath::Document(DocField::ContactId) if !en => "Kontakt wählen".into(),
                _ => pick("Pflichtfeld".into(), "is required".into()),
            },
            Problem::PriceOrArticleRequired => pick(
                "Pflichtfeld (oder einen Artikel wählen)".into(),
                "is required (or give an article_id)".into(),
            ),
            Problem::NotCreatable => pick(
                crate::messages::texts(ErrorCode::NotCreatable).0.into(),
                "credit notes and cancellations refer to an invoice: use POST /documents/{id}/derive or /cancel".into(),
            ),
            Problem::TypeChanged => pick(
                "Der Dokumenttyp kann nicht geändert werden; legen Sie ein Folgedokument an.".into(),
                "the type of a document cannot change; derive a new document instead".into(),
            ),
            Problem::TooManyLines { max } => pick(
                format!("höchstens {max} Positionen"),
                format!("a document may have at most {max} lines"),
            ),
            Problem::TotalTooLarge { max } => pick(
                format!("die Summe der Positionen darf {max} nicht übersteigen"),
                format!("the document total must not exceed {max}"),
            ),
            Problem::UnknownArticle { id } => pick(
                format!("Artikel {id} gibt es nicht"),
                format!("article {id} does not exist"),
            ),
            Problem::UnknownContact { id } => pick(
                format!("Kontakt {id} gibt es nicht"),
                format!("contact {id} does not exist"),
            ),
            Problem::ContactArchived => pick(
                "der Kontakt ist archiviert".into(),
                "the contact is archived".into(),
            ),
            Problem::TooLong { max } => pick(
                format!("höchstens {max} Zeichen"),
                format!("is longer than {max} characters"),
            ),
            Problem::UnknownUnit => pick(
                "unbekannte Einheit (UN/ECE Rec 20, z. B. C62, HUR, KGM)".into(),
                "unknown unit (use a UN/ECE Rec 20 code such as C62, HUR, KGM)".into(),
            ),
            Problem::UnknownVatRate => pick(
                "unbekannter Steuersatz (erlaubt: 19, 7, 0)".into(),
                "unknown VAT rate (allowed: 19, 7, 0)".into(),
            ),
            Problem::UnknownCurrency => pick(
                "unbekannte Währung (ISO 4217, z. B. EUR)".into(),
                "unknown currency (use an ISO 4217 code such as EUR)".into(),
            ),
            Problem::TooManyDecimals { max } => pick(
                format!("höchstens {max} Nachkommastellen"),
                format!("has more than {max} decimal places"),
            ),
            Problem::Negative => pick(
                "darf nicht negativ sein".into(),
                "must not be negative".into(),
            ),
            Problem::AtMost { max } => pick(
                format!("höchstens {}", max.to_string().replace('.', ",")),
                format!("must be at most {max}"),
            ),
            Problem::NotPositive => pick(
                "muss größer als 0 sein".into(),
                "must be greater than 0".into(),
            ),
            Problem::DaysOutOfRange => pick(
                "0 bis 365 Tage".into(),
                "must be between 0 and 365".into(),
            ),
            Problem::SkontoTooManySteps { max } => pick(
                format!("höchstens {max} Skonto-Stufen"),
                format!("at most {max} Skonto steps are possible"),
            ),
            Problem::SkontoDaysOutOfRange => pick(
                "1 bis 365 Tage".into(),
                "must be between 1 and 365 days".into(),
            ),
            Problem::SkontoPercentOutOfRange => pick(
                "größer als 0 und kleiner als 100".into(),
                "must be greater than 0 and less than 100".into(),
            ),
            Problem::SkontoOrder => pick(
                "die zweite Stufe braucht mehr Tage und weniger Prozent als die erste".into(),
                "the second step needs more days and a smaller percentage than the first".into(),
            ),
            Problem::ExchangeRateNotPositive => pick(
                "größer als 0 (Einheiten der Währung je 1 EUR)".into(),
                "must be greater than 0 (units of the document currency per 1 EUR)".into(),
            ),
            Problem::ExchangeRateTooLarge => pick("zu groß".into(), "is too large".into()),
        }
    }
}

/// The problems of one input, in the order the fields are checked (the API reports the first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldProblems(pub Vec<FieldProblem>);

impl FieldProblems {
    fn add(&mut self, field: FieldPath, code: ErrorCode, problem: Problem) {
        self.0.push(FieldProblem::new(field, code, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first(&self) -> Option<&FieldProblem> {
        self.0.first()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldProblem> {
        self.0.iter()
    }
}

/// The draft a saved document is checked against: its type and contact.
#[derive(Debug, Clone, Copy)]
pub struct Replaces {
    pub doc_type: DocumentType,
    pub contact_id: i64,
}

/// How the contact named by the input stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactState {
    Active,
    Archived,
    Missing,
}

/// What the checks read from the business's data.
pub(crate) struct Known<'a> {
    pub today: NaiveDate,
    pub replaces: Option<Replaces>,
    /// The articles the lines name, by id.
    pub articles: &'a HashMap<i64, Article>,
    /// `None`: the contact is not checked (live totals).
    pub contact: Option<ContactState>,
}

fn doc(field: DocField) -> FieldPath {
    FieldPath::Document(field)
}

/// The article ids the lines name, each once (to load them in one query).
pub(crate) fn article_ids(input: &DraftInput) -> Vec<i64> {
    let mut ids: Vec<i64> = input.lines.iter().filter_map(|l| l.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Applies every rule to `input`. The storage draft is built with placeholders for a missing
/// type or contact, so live totals can still be shown; such a draft is never stored because
/// the problems name them.
pub(crate) fn check(
    input: DraftInput,
    known: &Known<'_>,
) -> (kontor_storage::DraftInput, FieldProblems) {
    let mut p = FieldProblems::default();
    let doc_type = input.doc_type.or(known.replaces.map(|r| r.doc_type));
    match doc_type {
        None => p.add(doc(DocField::Type), ErrorCode::Required, Problem::Required),
        Some(t) if known.replaces.is_none() && t.is_correction() => p.add(
            doc(DocField::Type),
            ErrorCode::NotCreatable,
            Problem::NotCreatable,
        ),
        Some(_) => {}
    }
    if input.contact_id.is_none() {
        p.add(
            doc(DocField::ContactId),
            ErrorCode::Required,
            Problem::Required,
        );
    }
    let lines = if input.lines.len() > MAX_LINES {
        p.add(
            doc(DocField::Lines),
            ErrorCode::TooMany,
            Problem::TooManyLines { max: MAX_LINES },
        );
        Vec::new()
    } else {
        let before = p.0.len();
        let lines: Vec<Line> = input
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| check_line(i, line, known.articles, &mut p))
            .collect();
        let line_total: Decimal = lines
            .iter()
            .filter(|l| l.counts())
            .map(|l| l.quantity * l.unit_price)
            .sum();
        if p.0.len() == before && line_total > Decimal::from(MAX_TOTAL) {
            p.add(
                doc(DocField::Lines),
                ErrorCode::OutOfRange,
                Problem::TotalTooLarge { max: MAX_TOTAL },
            );
        }
        lines
    };
    let currency = input.currency.and_then(|c| {
        CurrencyCode::parse(c.trim())
            .map_err(|_| {
                p.add(
                    doc(DocField::Currency),
                    ErrorCode::UnknownCurrency,
                    Problem::UnknownCurrency,
                )
            })
            .ok()
    });
    if input
        .payment_terms_days
        .is_some_and(|d| !(0..=365).contains(&d))
    {
        p.add(
            doc(DocField::PaymentTermsDays),
            ErrorCode::OutOfRange,
            Problem::DaysOutOfRange,
        );
    }
    let discount_percent = percent(
        doc(DocField::DiscountPercent),
        input.discount_percent.unwrap_or_default(),
        &mut p,
    );
    let prepaid_amount = decimal(
        doc(DocField::PrepaidAmount),
        input.prepaid_amount.unwrap_or_default(),
        2,
        Some(Decimal::from(MAX_TOTAL)),
        &mut p,
    );
    let subject = text(
        doc(DocField::Subject),
        input.subject,
        MAX_SUBJECT_CHARS,
        &mut p,
    );
    let intro_text = text(
        doc(DocField::IntroText),
        input.intro_text,
        MAX_TEXT_CHARS,
        &mut p,
    );
    let closing_text = text(
        doc(DocField::ClosingText),
        input.closing_text,
        MAX_TEXT_CHARS,
        &mut p,
    );
    let skonto = input.skonto.map(|steps| check_skonto(steps, &mut p));
    let exchange_rate = input.exchange_rate.map(|rate| {
        let field = doc(DocField::ExchangeRate);
        match kontor_domain::terms::exchange_rate_problem(rate) {
            None => {}
            Some(_) if rate <= Decimal::ZERO => {
                p.add(field, ErrorCode::Invalid, Problem::ExchangeRateNotPositive)
            }
            Some(_) if rate.normalize().scale() > 6 => p.add(
                field,
                ErrorCode::Invalid,
                Problem::TooManyDecimals { max: 6 },
            ),
            Some(_) => p.add(field, ErrorCode::Invalid, Problem::ExchangeRateTooLarge),
        }
        rate.normalize()
    });
    if let (Some(id), Some(contact)) = (input.contact_id, known.contact) {
        let unchanged = known.replaces.is_some_and(|r| r.contact_id == id);
        match contact {
            ContactState::Missing => p.add(
                doc(DocField::ContactId),
                ErrorCode::Invalid,
                Problem::UnknownContact { id },
            ),
            ContactState::Archived if !unchanged => p.add(
                doc(DocField::ContactId),
                ErrorCode::Invalid,
                Problem::ContactArchived,
            ),
            _ => {}
        }
    }
    if let (Some(replaces), Some(t)) = (known.replaces, input.doc_type)
        && replaces.doc_type != t
    {
        p.add(
            doc(DocField::Type),
            ErrorCode::Invalid,
            Problem::TypeChanged,
        );
    }
    let draft = kontor_storage::DraftInput {
        doc_type: doc_type.unwrap_or(DocumentType::Invoice),
        contact_id: input.contact_id.unwrap_or_default(),
        date: input.date.unwrap_or(known.today),
        delivery_date: input.delivery_date,
        due_date: input.due_date,
        payment_terms_days: input.payment_terms_days,
        tax_mode: input.tax_mode,
        currency,
        language: input.language,
        discount_percent,
        prepaid_amount,
        texts: DraftTexts {
            subject,
            intro_text,
            closing_text,
        },
        lines,
        skonto,
        payment_method: input.payment_method,
        exchange_rate,
    };
    (draft, p)
}

/// Checks one line and completes it from its article; a text line carries no amounts.
fn check_line(
    i: usize,
    line: LineInput,
    articles: &HashMap<i64, Article>,
    p: &mut FieldProblems,
) -> Line {
    let field = |f: LineField| FieldPath::Line(i, f);
    let article = line.article_id.and_then(|id| {
        let found = articles.get(&id);
        if found.is_none() {
            p.add(
                field(LineField::ArticleId),
                ErrorCode::UnknownArticle,
                Problem::UnknownArticle { id },
            );
        }
        found
    });
    let kind = line.kind.unwrap_or_default();
    let description = line
        .description
        .or_else(|| article.map(|a| a.data.name.clone()));
    let description = text(
        field(LineField::Description),
        description,
        MAX_TEXT_CHARS,
        p,
    );
    let unit = match line.unit {
        Some(unit) => UnitCode::parse(unit.trim())
            .map_err(|_| {
                p.add(
                    field(LineField::Unit),
                    ErrorCode::UnknownUnit,
                    Problem::UnknownUnit,
                )
            })
            .unwrap_or_default(),
        None => article.map_or(UnitCode::PIECE, |a| a.data.unit),
    };
    let vat_rate = match line.vat_rate {
        Some(rate) => VatRate::new(rate.normalize())
            .map_err(|_| {
                p.add(
                    field(LineField::VatRate),
                    ErrorCode::UnknownVatRate,
                    Problem::UnknownVatRate,
                )
            })
            .unwrap_or_default(),
        None => article.map_or(VatRate::STANDARD, |a| a.data.vat_rate),
    };
    if kind == LineKind::Text {
        return Line {
            kind,
            article_id: line.article_id,
            description,
            quantity: Decimal::ZERO,
            unit,
            unit_price: Decimal::ZERO,
            vat_rate,
            discount_percent: Decimal::ZERO,
        };
    }
    let quantity = decimal(
        field(LineField::Quantity),
        line.quantity.unwrap_or(Decimal::ONE),
        4,
        Some(Decimal::from(MAX_QUANTITY)),
        p,
    );
    if line.quantity.is_some_and(|q| q.is_zero()) {
        p.add(
            field(LineField::Quantity),
            ErrorCode::OutOfRange,
            Problem::NotPositive,
        );
    }
    let unit_price = match line
        .unit_price
        .or_else(|| article.map(|a| a.data.unit_price))
    {
        Some(price) => decimal(
            field(LineField::UnitPrice),
            price,
            4,
            Some(Decimal::from(MAX_UNIT_PRICE)),
            p,
        ),
        None => {
            p.add(
                field(LineField::UnitPrice),
                ErrorCode::Required,
                Problem::PriceOrArticleRequired,
            );
            Decimal::ZERO
        }
    };
    let discount_percent = percent(
        field(LineField::DiscountPercent),
        line.discount_percent.unwrap_or_default(),
        p,
    );
    Line {
        kind,
        article_id: line.article_id,
        description,
        quantity,
        unit,
        unit_price,
        vat_rate,
        discount_percent,
    }
}

/// Skonto steps: both parts of each step, then their shape as the domain checks it.
fn check_skonto(steps: Vec<SkontoInput>, p: &mut FieldProblems) -> Vec<SkontoStep> {
    let mut out = Vec::with_capacity(steps.len());
    let mut complete = true;
    for (i, step) in steps.into_iter().enumerate() {
        if step.days.is_none() {
            p.add(
                doc(DocField::SkontoDays(i)),
                ErrorCode::Required,
                Problem::Required,
            );
        }
        if step.percent.is_none() {
            p.add(
                doc(DocField::SkontoPercent(i)),
                ErrorCode::Required,
                Problem::Required,
            );
        }
        match (step.days, step.percent) {
            (Some(days), Some(percent)) => out.push(SkontoStep {
                days,
                percent: percent.normalize(),
            }),
            _ => complete = false,
        }
    }
    if complete {
        for (field, message) in kontor_domain::terms::skonto_problems("skonto", &out) {
            let (field, problem) = skonto_problem(&field, &message);
            p.add(field, ErrorCode::Invalid, problem);
        }
    }
    out
}

/// The typed form of a problem the domain's Skonto check reports as `skonto[i].days` etc.
fn skonto_problem(field: &str, message: &str) -> (FieldPath, Problem) {
    let index = |s: &str| s.parse::<usize>().unwrap_or(0);
    let inner = field
        .strip_prefix("skonto[")
        .and_then(|rest| rest.split_once(']'));
    match inner {
        None => (
            doc(DocField::Skonto),
            Problem::SkontoTooManySteps {
                max: kontor_domain::terms::MAX_SKONTO_STEPS,
            },
        ),
        Some((i, ".days")) => (
            doc(DocField::SkontoDays(index(i))),
            Problem::SkontoDaysOutOfRange,
        ),
        Some((i, ".percent")) if message.starts_with("has more than") => (
            doc(DocField::SkontoPercent(index(i))),
            Problem::TooManyDecimals { max: 2 },
        ),
        Some((i, ".percent")) => (
            doc(DocField::SkontoPercent(index(i))),
            Problem::SkontoPercentOutOfRange,
        ),
        Some((i, _)) => (doc(DocField::SkontoStep(index(i))), Problem::SkontoOrder),
    }
}

/// A decimal with at most `max_dp` places between 0 and `max`; the value comes back
/// normalised.
fn decimal(
    field: FieldPath,
    value: Decimal,
    max_dp: u32,
    max: Option<Decimal>,
    p: &mut FieldProblems,
) -> Decimal {
    let value = value.normalize();
    if value.scale() > max_dp {
        p.add(
            field,
            ErrorCode::TooManyDecimals,
            Problem::TooManyDecimals { max: max_dp },
        );
    } else if value < Decimal::ZERO {
        p.add(field, ErrorCode::OutOfRange, Problem::Negative);
    } else if let Some(max) = max
        && value > max
    {
        p.add(field, ErrorCode::OutOfRange, Problem::AtMost { max });
    }
    value
}

/// A percentage between 0 and 100 with up to 2 decimals.
fn percent(field: FieldPath, value: Decimal, p: &mut FieldProblems) -> Decimal {
    decimal(field, value, 2, Some(Decimal::ONE_HUNDRED), p)
}

/// A trimmed text of at most `max` characters.
fn text(field: FieldPath, value: Option<String>, max: usize, p: &mut FieldProblems) -> String {
    let value = value.unwrap_or_default().trim().to_string();
    if value.chars().count() > max {
        p.add(field, ErrorCode::TooLong, Problem::TooLong { max });
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(articles: &HashMap<i64, Article>) -> Known<'_> {
        Known {
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
            replaces: None,
            articles,
            contact: Some(ContactState::Active),
        }
    }

    fn item(price: &str) -> LineInput {
        LineInput {
            description: Some("Beratung".into()),
            unit_price: price.parse().ok(),
            ..LineInput::default()
        }
    }

    fn invoice(lines: Vec<LineInput>) -> DraftInput {
        DraftInput {
            doc_type: Some(DocumentType::Invoice),
            contact_id: Some(1),
            lines,
            ..DraftInput::default()
        }
    }

    fn problems(input: DraftInput, known: &Known<'_>) -> Vec<(String, ErrorCode, Problem)> {
        check(input, known)
            .1
            .0
            .into_iter()
            .map(|p| (p.field.to_string(), p.code, p.problem))
            .collect()
    }

    #[test]
    fn a_complete_draft_passes_with_defaults_filled_in() {
        let articles = HashMap::new();
        let (draft, p) = check(invoice(vec![item("85.50")]), &known(&articles));
        assert!(p.is_empty(), "{p:?}");
        let line = &draft.lines[0];
        assert_eq!(
            (line.quantity, line.unit.as_str(), line.vat_rate),
            (Decimal::ONE, "C62", VatRate::STANDARD)
        );
        assert_eq!(draft.date.to_string(), "2026-11-26");
    }

    #[test]
    fn every_wrong_field_is_named_in_the_order_it_is_checked() {
        let articles = HashMap::new();
        let mut input = invoice(vec![
            item("1"),
            LineInput {
                quantity: Some(Decimal::ZERO),
                unit: Some("XYZ".into()),
                ..item("1.23456")
            },
            LineInput {
                article_id: Some(7),
                ..LineInput::default()
            },
        ]);
        input.contact_id = None;
        input.discount_percent = Some(Decimal::from(101));
        input.skonto = Some(vec![SkontoInput {
            days: Some(7),
            percent: Some(Decimal::from(100)),
        }]);
        input.exchange_rate = Some(Decimal::ZERO);
        let found = problems(input, &known(&articles));
        let fields: Vec<&str> = found.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "contact_id",
                "lines[1].unit",
                "lines[1].quantity",
                "lines[1].unit_price",
                "lines[2].article_id",
                "lines[2].unit_price",
                "discount_percent",
                "skonto[0].percent",
                "exchange_rate",
            ]
        );
        assert_eq!(found[3].1, ErrorCode::TooManyDecimals);
        assert_eq!(found[7].2, Problem::SkontoPercentOutOfRange);
    }

    #[test]
    fn texts_are_german_and_english() {
        let p = FieldProblem::new(
            FieldPath::Line(2, LineField::Quantity),
            ErrorCode::OutOfRange,
            Problem::Negative,
        );
        assert_eq!(p.field.to_string(), "lines[2].quantity");
        assert_eq!(p.message(Language::En), "must not be negative");
        assert_eq!(p.message(Language::De), "darf nicht negativ sein");
    }

    #[test]
    fn the_contact_and_the_type_are_checked_against_the_saved_draft() {
        let articles = HashMap::new();
        let mut k = known(&articles);
        k.contact = Some(ContactState::Archived);
        let fields = |input: DraftInput, k: &Known<'_>| -> Vec<Problem> {
            problems(input, k).into_iter().map(|(_, _, p)| p).collect()
        };
        assert_eq!(fields(invoice(vec![]), &k), vec![Problem::ContactArchived]);
        k.replaces = Some(Replaces {
            doc_type: DocumentType::Quote,
            contact_id: 1,
        });
        assert_eq!(fields(invoice(vec![]), &k), vec![Problem::TypeChanged]);
        let mut credit = invoice(vec![]);
        credit.doc_type = Some(DocumentType::CreditNote);
        k.replaces = None;
        k.contact = None;
        assert_eq!(fields(credit, &k), vec![Problem::NotCreatable]);
    }

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
