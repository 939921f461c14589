//! The editor's form: its fields per line and document, parsed into a draft with field problems.

use chrono::NaiveDate;
use kontor_domain::document::{DocumentType, Line, LineKind};
use kontor_domain::totals::{self};
use kontor_domain::{TaxMode, codes};
use kontor_storage::{Document, DraftInput, DraftTexts};
use rust_decimal::Decimal;

use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, Tr};
use crate::pages::articles::user_decimal;
use kontor_texts::Msg;

/// One editor row as typed.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    pub kind: String,
    pub article_id: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub vat_rate: String,
    pub discount: String,
    pub net: String,
}

/// The editor's fields as typed, so a rejected form comes back exactly as entered.
#[derive(Debug, Clone, Default)]
pub struct EditorForm {
    pub doc_type: String,
    pub contact_id: String,
    pub contact_label: String,
    pub date: String,
    pub delivery_date: String,
    pub due_date: String,
    pub tax_mode: String,
    pub currency: String,
    pub discount: String,
    pub prepaid: String,
    /// Skonto steps as typed: [(days, percent); 2].
    pub skonto: [(String, String); 2],
    pub payment_method: String,
    pub exchange_rate: String,
    pub subject: String,
    pub intro_text: String,
    pub closing_text: String,
    pub version: String,
    pub lines: Vec<LineForm>,
}

impl EditorForm {
    pub(super) fn from_form(form: &FormData) -> EditorForm {
        let col = |k: &str| {
            form.all(k)
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        };
        let kinds = col("line_kind");
        let (articles, descs, qtys, units, prices, rates, discounts) = (
            col("line_article_id"),
            col("line_description"),
            col("line_quantity"),
            col("line_unit"),
            col("line_unit_price"),
            col("line_vat_rate"),
            col("line_discount"),
        );
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let lines = (0..kinds.len().min(kontor_domain::document::limits::MAX_LINES))
            .map(|i| LineForm {
                kind: at(&kinds, i),
                article_id: at(&articles, i),
                description: at(&descs, i),
                quantity: at(&qtys, i),
                unit: at(&units, i),
                unit_price: at(&prices, i),
                vat_rate: at(&rates, i),
                discount: at(&discounts, i),
                net: String::new(),
            })
            .collect();
        EditorForm {
            doc_type: form.text("type"),
            contact_id: form.text("contact_id"),
            contact_label: form.text("contact_label"),
            date: form.text("date"),
            delivery_date: form.text("delivery_date"),
            due_date: form.text("due_date"),
            tax_mode: form.text("tax_mode"),
            currency: form.text("currency"),
            discount: form.text("discount_percent"),
            prepaid: form.text("prepaid_amount"),
            skonto: [
                (form.text("skonto1_days"), form.text("skonto1_percent")),
                (form.text("skonto2_days"), form.text("skonto2_percent")),
            ],
            payment_method: form.text("payment_method"),
            exchange_rate: form.text("exchange_rate"),
            subject: form.text("subject"),
            intro_text: form.get("intro_text").unwrap_or("").to_string(),
            closing_text: form.get("closing_text").unwrap_or("").to_string(),
            version: form.text("version"),
            lines,
        }
    }

    pub(super) fn from_document(d: &Document, contact_label: String, tr: &Tr) -> EditorForm {
        let date = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        EditorForm {
            doc_type: d.content.doc_type.as_str().into(),
            contact_id: d.contact_id.to_string(),
            contact_label,
            date: d.content.date.to_string(),
            delivery_date: date(&d.content.delivery_date),
            due_date: date(&d.content.due_date),
            tax_mode: d.content.tax_mode.as_str().into(),
            currency: d.content.currency.clone(),
            discount: tr.num(d.content.discount_percent),
            prepaid: tr.num(d.content.prepaid_amount),
            skonto: [0, 1].map(|i| {
                d.content
                    .skonto
                    .get(i)
                    .map(|s| (s.days.to_string(), tr.num(s.percent)))
                    .unwrap_or_default()
            }),
            payment_method: d.content.payment_method.as_str().into(),
            exchange_rate: d
                .content
                .exchange_rate
                .map(|r| tr.num(r))
                .unwrap_or_default(),
            subject: d.texts.subject.clone(),
            intro_text: d.texts.intro_text.clone(),
            closing_text: d.texts.closing_text.clone(),
            version: d.version.to_string(),
            lines: d
                .content
                .lines
                .iter()
                .map(|l| line_form(l, tr, &d.content.currency))
                .collect(),
        }
    }
}

pub(super) fn line_form(l: &Line, tr: &Tr, currency: &str) -> LineForm {
    LineForm {
        kind: l.kind.as_str().into(),
        article_id: l.article_id.map(|a| a.to_string()).unwrap_or_default(),
        description: l.description.clone(),
        quantity: tr.num(l.quantity),
        unit: l.unit.clone(),
        unit_price: tr.price(l.unit_price),
        vat_rate: tr.num(l.vat_rate),
        discount: tr.num(l.discount_percent),
        net: if l.kind == LineKind::Text {
            String::new()
        } else {
            tr.money(totals::line_amounts(l).net, currency)
        },
    }
}

/// Checks the editor's fields and builds the draft, naming each wrong field.
pub fn parse_editor(
    f: &EditorForm,
    lang: Lang,
    today: NaiveDate,
) -> (Option<DraftInput>, FieldErrors) {
    let mut e = FieldErrors::default();
    let doc_type = DocumentType::parse(&f.doc_type);
    if doc_type.is_none() {
        e.add("type", Msg::FormChooseDocumentType.text(lang));
    }
    let contact_id = f.contact_id.parse::<i64>().ok();
    if contact_id.is_none() {
        e.add("contact_id", Msg::FormChooseContact.text(lang));
    }
    let date_of = |s: &str, field: &str, e: &mut FieldErrors| -> Option<NaiveDate> {
        if s.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
            .ok();
        if parsed.is_none() {
            e.add(field, Msg::FormNotADate.text(lang));
        }
        parsed
    };
    let date = date_of(&f.date, "date", &mut e).unwrap_or(today);
    let delivery_date = date_of(&f.delivery_date, "delivery_date", &mut e);
    let due_date = date_of(&f.due_date, "due_date", &mut e);
    let tax_mode = if f.tax_mode.is_empty() {
        None
    } else {
        let m = TaxMode::parse(&f.tax_mode);
        if m.is_none() {
            e.add("tax_mode", "?");
        }
        m
    };
    let currency = if f.currency.is_empty() {
        None
    } else {
        Some(f.currency.to_uppercase())
    };
    if currency.as_deref().is_some_and(|c| !codes::is_currency(c)) {
        e.add("currency", "ISO 4217 (EUR, USD …)");
    }
    let dec = |s: &str, dp: u32, field: &str, e: &mut FieldErrors| -> Decimal {
        if s.is_empty() {
            return Decimal::ZERO;
        }
        user_decimal(s, dp, lang)
            .map_err(|m| e.add(field, m))
            .unwrap_or_default()
    };
    let discount_percent = dec(&f.discount, 2, "discount_percent", &mut e);
    if discount_percent > Decimal::ONE_HUNDRED {
        e.add("discount_percent", "0–100");
    }
    let prepaid_amount = dec(&f.prepaid, 2, "prepaid_amount", &mut e);
    // Skonto: up to two steps; a new document with none typed takes the contact's default,
    // a saved draft with none typed has none.
    let mut skonto = Vec::new();
    for (i, (days, percent)) in f.skonto.iter().enumerate() {
        if days.is_empty() && percent.is_empty() {
            continue;
        }
        let (days_field, pct_field) = SKONTO_FIELDS[i];
        let d = days.parse::<i64>().unwrap_or_else(|_| {
            e.add(days_field, Msg::FormWholeDays.text(lang));
            0
        });
        let p = if percent.is_empty() {
            e.add(pct_field, Msg::FormRequired.text(lang));
            Decimal::ZERO
        } else {
            dec(percent, 2, pct_field, &mut e)
        };
        skonto.push(kontor_domain::SkontoStep {
            days: d,
            percent: p,
        });
    }
    if e.is_empty() {
        for (field, message) in kontor_domain::terms::skonto_problems("skonto", &skonto) {
            let name = match field.as_str() {
                "skonto[0].days" => "skonto1_days",
                "skonto[0].percent" => "skonto1_percent",
                "skonto[1].percent" => "skonto2_percent",
                _ => "skonto2_days",
            };
            let msg = skonto_message(&message);
            e.add(name, problem_text(message, msg, lang));
        }
    }
    let skonto = if skonto.is_empty() && f.version.is_empty() {
        None
    } else {
        Some(skonto)
    };
    let payment_method = if f.payment_method.is_empty() {
        None
    } else {
        let m = kontor_domain::PaymentMethod::parse(&f.payment_method);
        if m.is_none() {
            e.add("payment_method", "transfer | direct_debit");
        }
        m
    };
    let exchange_rate = if f.exchange_rate.is_empty() {
        None
    } else {
        let r = dec(&f.exchange_rate, 6, "exchange_rate", &mut e);
        if let Some(m) = kontor_domain::terms::exchange_rate_problem(r)
            && e.get("exchange_rate").is_empty()
        {
            e.add(
                "exchange_rate",
                problem_text(m, Msg::FormExchangeRate, lang),
            );
        }
        Some(r)
    };
    let mut lines = Vec::with_capacity(f.lines.len());
    for (i, l) in f.lines.iter().enumerate() {
        let kind = LineKind::parse(&l.kind).unwrap_or_default();
        let field = |name: &str| format!("lines[{i}].{name}");
        if kind == LineKind::Text {
            lines.push(Line {
                kind,
                article_id: None,
                description: l.description.clone(),
                quantity: Decimal::ZERO,
                unit: "C62".into(),
                unit_price: Decimal::ZERO,
                vat_rate: Decimal::ZERO,
                discount_percent: Decimal::ZERO,
            });
            continue;
        }
        let quantity = if l.quantity.is_empty() {
            Decimal::ONE
        } else {
            dec(&l.quantity, 4, &field("quantity"), &mut e)
        };
        let unit = if l.unit.is_empty() {
            "C62".to_string()
        } else {
            l.unit.clone()
        };
        if !codes::is_unit(&unit) {
            e.add(field("unit"), "UN/ECE Rec 20");
        }
        let unit_price = dec(&l.unit_price, 4, &field("unit_price"), &mut e);
        let vat_rate = if l.vat_rate.is_empty() {
            Decimal::from(19)
        } else {
            dec(&l.vat_rate, 2, &field("vat_rate"), &mut e)
        };
        if !kontor_domain::tax::is_allowed_vat_rate(vat_rate) {
            e.add(field("vat_rate"), "19, 7, 0");
        }
        use kontor_domain::document::limits::{MAX_QUANTITY, MAX_UNIT_PRICE};
        if quantity > Decimal::from(MAX_QUANTITY) {
            e.add(field("quantity"), format!("max. {MAX_QUANTITY}"));
        }
        if unit_price > Decimal::from(MAX_UNIT_PRICE) {
            e.add(field("unit_price"), format!("max. {MAX_UNIT_PRICE}"));
        }
        let discount_percent = dec(&l.discount, 2, &field("discount"), &mut e);
        if discount_percent > Decimal::ONE_HUNDRED {
            e.add(field("discount"), "0–100");
        }
        if l.description.chars().count() > 2000 {
            e.add(field("description"), "max. 2000");
        }
        lines.push(Line {
            kind,
            article_id: l.article_id.parse().ok(),
            description: l.description.clone(),
            quantity,
            unit,
            unit_price,
            vat_rate,
            discount_percent,
        });
    }
    let input = match (doc_type, contact_id, e.is_empty()) {
        (Some(doc_type), Some(contact_id), true) => Some(DraftInput {
            doc_type,
            contact_id,
            date,
            delivery_date,
            due_date,
            payment_terms_days: None,
            tax_mode,
            currency,
            language: None,
            discount_percent,
            prepaid_amount,
            texts: DraftTexts {
                subject: f.subject.clone(),
                intro_text: f.intro_text.clone(),
                closing_text: f.closing_text.clone(),
            },
            lines,
            skonto,
            payment_method,
            exchange_rate,
        }),
        _ => None,
    };
    (input, e)
}

/// The editor's Skonto inputs: (days, percent) per step.
const SKONTO_FIELDS: [(&str, &str); 2] = [
    ("skonto1_days", "skonto1_percent"),
    ("skonto2_days", "skonto2_percent"),
];

/// The catalogue text of a Skonto problem the domain's rules report.
fn skonto_message(english: &str) -> Msg {
    if english.starts_with("must be between 1 and 365") {
        Msg::FormSkontoDays
    } else if english.starts_with("must be greater than 0") {
        Msg::FormSkontoPercent
    } else if english.starts_with("has more than 2") {
        Msg::FormSkontoDecimals
    } else {
        Msg::FormSkontoSteps
    }
}

/// A problem found by a domain rule: the rule's own (English) message in English, where it
/// may carry details, the catalogue's text otherwise.
fn problem_text(rule_message: String, msg: Msg, lang: Lang) -> String {
    match lang {
        Lang::En => rule_message,
        Lang::De => msg.text(lang).to_string(),
    }
}

impl LineForm {
    /// The row a new line starts as (used by the editor's row template).
    pub fn blank() -> LineForm {
        LineForm {
            kind: "item".into(),
            quantity: "1".into(),
            unit: "C62".into(),
            vat_rate: "19".into(),
            ..Default::default()
        }
    }
}
