//! The editor's form: its fields per line and document, parsed into a draft with field problems.

use chrono::NaiveDate;
use kontor_app::documents::{
    DocField, DraftInput, FieldPath, FieldProblems, LineField, LineInput, SkontoInput,
};
use kontor_app::model::Document;
use kontor_domain::document::{DocumentType, Line, LineKind};
use kontor_domain::totals;
use kontor_domain::{DeductedDownPayment, Language, PaymentMethod, TaxMode};
use kontor_texts::Msg;
use rust_decimal::Decimal;

use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, Tr};

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
    /// A final invoice's deducted down payments: shown, never edited (they come from the order).
    pub down_payments: Vec<DeductedDownPayment>,
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
        let lines = (0..kinds.len())
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
            down_payments: Vec::new(),
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
            currency: d.content.currency.to_string(),
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
                .map(|l| line_form(l, tr, d.content.currency.as_str()))
                .collect(),
            down_payments: d.content.down_payments.clone(),
        }
    }
}

pub(super) fn line_form(l: &Line, tr: &Tr, currency: &str) -> LineForm {
    LineForm {
        kind: l.kind.as_str().into(),
        article_id: l.article_id.map(|a| a.to_string()).unwrap_or_default(),
        description: l.description.clone(),
        quantity: tr.num(l.quantity),
        unit: l.unit.to_string(),
        unit_price: tr.price(l.unit_price),
        vat_rate: tr.num(l.vat_rate.percent()),
        discount: tr.num(l.discount_percent),
        net: if l.kind == LineKind::Text {
            String::new()
        } else {
            tr.money(totals::line_amounts(l).net, currency)
        },
    }
}

/// Reads the editor's fields by the form's syntax (German or English numbers, dates as
/// `YYYY-MM-DD` or `TT.MM.JJJJ`, empty meaning "not given") into the service layer's draft
/// input. Only what cannot be read is named here; the rules are the service layer's.
pub fn read_editor(f: &EditorForm, lang: Lang) -> (DraftInput, FieldErrors) {
    let mut e = FieldErrors::default();
    let given = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let doc_type = given(&f.doc_type).and_then(|t| {
        let parsed = DocumentType::parse(&t);
        if parsed.is_none() {
            e.add("type", Msg::FormChooseType.text(lang));
        }
        parsed
    });
    let contact_id = given(&f.contact_id).and_then(|c| {
        let parsed = c.parse::<i64>().ok();
        if parsed.is_none() {
            e.add("contact_id", Msg::FormChooseContact.text(lang));
        }
        parsed
    });
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
    let date = date_of(&f.date, "date", &mut e);
    let delivery_date = date_of(&f.delivery_date, "delivery_date", &mut e);
    let due_date = date_of(&f.due_date, "due_date", &mut e);
    let choice = |s: &str, field: &str, known: bool, e: &mut FieldErrors| {
        if !s.is_empty() && !known {
            e.add(field, Msg::FormUnknownValue.text(lang));
        }
    };
    let tax_mode = TaxMode::parse(&f.tax_mode);
    choice(&f.tax_mode, "tax_mode", tax_mode.is_some(), &mut e);
    let payment_method = PaymentMethod::parse(&f.payment_method);
    choice(
        &f.payment_method,
        "payment_method",
        payment_method.is_some(),
        &mut e,
    );
    let currency = given(&f.currency).map(|c| c.to_uppercase());
    let dec = |s: &str, field: &str, e: &mut FieldErrors| -> Option<Decimal> {
        if s.is_empty() {
            return None;
        }
        number(s, lang).map_err(|m| e.add(field, m)).ok()
    };
    let discount_percent = dec(&f.discount, "discount_percent", &mut e);
    let prepaid_amount = dec(&f.prepaid, "prepaid_amount", &mut e);
    let exchange_rate = dec(&f.exchange_rate, "exchange_rate", &mut e);
    // Skonto: up to two steps, an empty pair is no step; a new document with none typed takes
    // the contact's default, a saved draft with none typed has none.
    let mut skonto = Vec::new();
    for (i, (days, percent)) in f.skonto.iter().enumerate() {
        if days.is_empty() && percent.is_empty() {
            continue;
        }
        let (days_field, pct_field) = SKONTO_FIELDS[i];
        let days = given(days).and_then(|d| {
            let parsed = d.parse::<i64>().ok();
            if parsed.is_none() {
                e.add(days_field, Msg::FormWholeDays.text(lang));
            }
            parsed
        });
        let percent = dec(percent, pct_field, &mut e);
        skonto.push(SkontoInput { days, percent });
    }
    let skonto = (!skonto.is_empty() || !f.version.is_empty()).then_some(skonto);
    let lines = f
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let field = |name: &str| format!("lines[{i}].{name}");
            LineInput {
                kind: Some(LineKind::parse(&l.kind).unwrap_or_default()),
                article_id: l.article_id.parse().ok(),
                description: given(&l.description),
                quantity: dec(&l.quantity, &field("quantity"), &mut e),
                unit: given(&l.unit),
                unit_price: dec(&l.unit_price, &field("unit_price"), &mut e),
                vat_rate: dec(&l.vat_rate, &field("vat_rate"), &mut e),
                discount_percent: dec(&l.discount, &field("discount"), &mut e),
            }
        })
        .collect();
    let input = DraftInput {
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
        skonto,
        payment_method,
        exchange_rate,
        subject: Some(f.subject.clone()),
        intro_text: Some(f.intro_text.clone()),
        closing_text: Some(f.closing_text.clone()),
        lines,
    };
    (input, e)
}

/// A number typed in German ("1.234,50") or English ("1234.50") notation; its sign and
/// decimals are checked by the rules.
fn number(s: &str, lang: Lang) -> Result<Decimal, String> {
    crate::forms::user_decimal_unchecked(s, lang)
}

/// Adds the service layer's problems to `errors` under the editor's input names, in the
/// page's language (a field keeps the first message it got).
pub fn add_problems(errors: &mut FieldErrors, problems: &FieldProblems, lang: Lang) {
    let language = if lang == Lang::En {
        Language::En
    } else {
        Language::De
    };
    for p in problems.iter() {
        errors.add(form_field(p.field), p.message(language));
    }
}

/// The editor's input name for a field of the draft.
fn form_field(path: FieldPath) -> String {
    match path {
        FieldPath::Document(field) => match field {
            DocField::Skonto => "skonto1_days".into(),
            DocField::SkontoDays(i) | DocField::SkontoStep(i) => format!("skonto{}_days", i + 1),
            DocField::SkontoPercent(i) => format!("skonto{}_percent", i + 1),
            other => FieldPath::Document(other).to_string(),
        },
        FieldPath::Line(i, field) => {
            let name = match field {
                // The article is chosen in the description's cell.
                LineField::ArticleId | LineField::Description => "description",
                LineField::Quantity => "quantity",
                LineField::Unit => "unit",
                LineField::UnitPrice => "unit_price",
                LineField::VatRate => "vat_rate",
                LineField::DiscountPercent => "discount",
            };
            format!("lines[{i}].{name}")
        }
    }
}

/// The editor's Skonto inputs: (days, percent) per step.
const SKONTO_FIELDS: [(&str, &str); 2] = [
    ("skonto1_days", "skonto1_percent"),
    ("skonto2_days", "skonto2_percent"),
];

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
