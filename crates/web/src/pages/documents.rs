//! Documents: the filtered list, the editor with live totals computed by the server, and the
//! actions on a document (issue, derive, cancel, duplicate, payments).

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kontor_domain::document::{DocumentType, Line, LineKind};
use kontor_domain::totals::{self, Totals};
use kontor_domain::validation::Problem;
use kontor_domain::{CurrencyCode, TaxMode, UnitCode, VatRate, codes};
use kontor_storage::{
    AuditEntry, DocState, Document, DocumentQuery, DocumentSummary, DraftInput, DraftTexts, Page,
    PageRequest, Payment, PaymentInput, Role,
};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, Tr};
use crate::layout::{Layout, render};
use crate::pages::articles::user_decimal;
use crate::pages::pager::Pager;
use crate::session::{self, Ctx, check_csrf};
use kontor_app::Error as AppError;

// ---------------------------------------------------------------- list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub status: Option<String>,
    pub contact_id: Option<String>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
}

#[derive(Template)]
#[template(path = "documents_list.html")]
struct ListPage {
    l: Layout,
    f: ListQuery,
    page: Page<DocumentSummary>,
    pager: Pager,
    types: Vec<DocumentType>,
    today: NaiveDate,
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let status = f.status.as_deref().unwrap_or("");
    let query = DocumentQuery {
        doc_type: f.doc_type.as_deref().and_then(DocumentType::parse),
        state: DocState::parse(status),
        open_only: status == "open",
        contact_id: f.contact_id.as_deref().and_then(|c| c.parse().ok()),
        date_from: parse_date(&f.date_from),
        date_to: parse_date(&f.date_to),
        search: f.q.clone(),
        page: PageRequest::new(f.page, Some(50)),
        skip_total: true,
    };
    let today = state.app.today();
    let page = state
        .app
        .documents()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let params = [
        ("type", opt(&f.doc_type)),
        ("status", opt(&f.status)),
        ("contact_id", opt(&f.contact_id)),
        ("date_from", opt(&f.date_from)),
        ("date_to", opt(&f.date_to)),
        ("q", opt(&f.q)),
    ];
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = Pager::new(&page, "/documents", &borrowed);
    let l = Layout::new(&ctx, ctx.tr.t("docs.title"), "documents");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            f,
            page,
            pager,
            types: DocumentType::ALL.to_vec(),
            today,
        },
    ))
}

// ---------------------------------------------------------------- editor

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
    fn from_form(form: &FormData) -> EditorForm {
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

    fn from_document(d: &Document, contact_label: String, tr: &Tr) -> EditorForm {
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
        }
    }
}

fn line_form(l: &Line, tr: &Tr, currency: &str) -> LineForm {
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

/// Checks the editor's fields and builds the draft, naming each wrong field.
pub fn parse_editor(
    f: &EditorForm,
    lang: Lang,
    today: NaiveDate,
) -> (Option<DraftInput>, FieldErrors) {
    let mut e = FieldErrors::default();
    let en = lang == Lang::En;
    let doc_type = DocumentType::parse(&f.doc_type);
    if doc_type.is_none() {
        e.add(
            "type",
            if en {
                "choose a document type"
            } else {
                "Dokumenttyp wählen"
            },
        );
    }
    let contact_id = f.contact_id.parse::<i64>().ok();
    if contact_id.is_none() {
        e.add(
            "contact_id",
            if en {
                "choose a contact"
            } else {
                "Kontakt wählen"
            },
        );
    }
    let date_of = |s: &str, field: &str, e: &mut FieldErrors| -> Option<NaiveDate> {
        if s.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
            .ok();
        if parsed.is_none() {
            e.add(
                field,
                if en {
                    "not a date (YYYY-MM-DD)"
                } else {
                    "kein Datum (TT.MM.JJJJ)"
                },
            );
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
        CurrencyCode::parse(&f.currency.to_uppercase())
            .map_err(|_| e.add("currency", "ISO 4217 (EUR, USD …)"))
            .ok()
    };
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
            e.add(
                days_field,
                if en {
                    "whole days, e.g. 14"
                } else {
                    "ganze Tage, z. B. 14"
                },
            );
            0
        });
        let p = if percent.is_empty() {
            e.add(pct_field, if en { "required" } else { "Pflichtfeld" });
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
            e.add(name, skonto_message(&message, en));
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
                if en {
                    m
                } else {
                    "größer als 0 (Einheiten der Währung je 1 EUR)".into()
                },
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
                unit: UnitCode::PIECE,
                unit_price: Decimal::ZERO,
                vat_rate: VatRate::ZERO,
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
            UnitCode::PIECE
        } else {
            UnitCode::parse(&l.unit)
                .map_err(|_| e.add(field("unit"), "UN/ECE Rec 20"))
                .unwrap_or_default()
        };
        let unit_price = dec(&l.unit_price, 4, &field("unit_price"), &mut e);
        let vat_rate = if l.vat_rate.is_empty() {
            VatRate::STANDARD
        } else {
            VatRate::new(dec(&l.vat_rate, 2, &field("vat_rate"), &mut e))
                .map_err(|_| e.add(field("vat_rate"), "19, 7, 0"))
                .unwrap_or_default()
        };
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

fn skonto_message(english: &str, en: bool) -> String {
    if en {
        return english.to_string();
    }
    if english.starts_with("must be between 1 and 365") {
        "1 bis 365 Tage".into()
    } else if english.starts_with("must be greater than 0") {
        "größer als 0 und kleiner als 100".into()
    } else if english.starts_with("has more than 2") {
        "höchstens 2 Nachkommastellen".into()
    } else {
        "die zweite Stufe braucht mehr Tage und weniger Prozent als die erste".into()
    }
}

#[derive(Template)]
#[template(path = "document_editor.html")]
struct EditorPage {
    l: Layout,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
    types: Vec<DocumentType>,
    tax_modes: Vec<&'static str>,
    payment_methods: Vec<&'static str>,
    units: Vec<(&'static str, &'static str)>,
    blank: LineForm,
}

impl EditorPage {
    /// The simple head fields: (name, label key, value, input type).
    fn head_fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let f = &self.f;
        vec![
            ("date", "field.date", f.date.as_str(), "date"),
            (
                "delivery_date",
                "field.delivery_date",
                f.delivery_date.as_str(),
                "date",
            ),
            ("due_date", "field.due_date", f.due_date.as_str(), "date"),
            ("currency", "field.currency", f.currency.as_str(), "text"),
            (
                "discount_percent",
                "field.doc_discount",
                f.discount.as_str(),
                "text",
            ),
            (
                "prepaid_amount",
                "field.prepaid_amount",
                f.prepaid.as_str(),
                "text",
            ),
            (
                "skonto1_days",
                "field.skonto1_days",
                f.skonto[0].0.as_str(),
                "text",
            ),
            (
                "skonto1_percent",
                "field.skonto1_percent",
                f.skonto[0].1.as_str(),
                "text",
            ),
            (
                "skonto2_days",
                "field.skonto2_days",
                f.skonto[1].0.as_str(),
                "text",
            ),
            (
                "skonto2_percent",
                "field.skonto2_percent",
                f.skonto[1].1.as_str(),
                "text",
            ),
            (
                "exchange_rate",
                "field.exchange_rate",
                f.exchange_rate.as_str(),
                "text",
            ),
            ("subject", "field.subject", f.subject.as_str(), "text"),
        ]
    }

    fn line_error(&self, i: &usize, name: &str) -> &str {
        self.errors.get(&format!("lines[{i}].{name}"))
    }
}

fn editor(
    ctx: &Ctx,
    f: EditorForm,
    id: Option<i64>,
    errors: FieldErrors,
    problems: Vec<String>,
    totals: Option<Totals>,
) -> Response {
    let title = match id {
        Some(id) => format!("{} #{id}", ctx.tr.t("docs.draft")),
        None => ctx.tr.t("docs.new").to_string(),
    };
    let units = codes::UNITS
        .iter()
        .map(|(c, de, en)| (*c, if ctx.lang() == Lang::En { *en } else { *de }))
        .collect();
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorPage {
        l: Layout::new(ctx, title, "documents"),
        f,
        id,
        errors,
        problems,
        totals,
        types: DocumentType::ALL
            .iter()
            .copied()
            .filter(|t| *t != DocumentType::Cancellation)
            .collect(),
        tax_modes: TaxMode::ALL.iter().map(|m| m.as_str()).collect(),
        payment_methods: kontor_domain::PaymentMethod::ALL
            .iter()
            .map(|m| m.as_str())
            .collect(),
        units,
        blank: LineForm::blank(),
    };
    let mut r = render(ctx.lang(), &page);
    *r.status_mut() = status;
    r
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(rename = "type")]
    doc_type: Option<String>,
    contact_id: Option<i64>,
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let mut f = EditorForm {
        doc_type: q
            .doc_type
            .filter(|t| DocumentType::parse(t).is_some())
            .unwrap_or_else(|| "invoice".into()),
        date: state.app.today().to_string(),
        delivery_date: state.app.today().to_string(),
        currency: "EUR".into(),
        ..Default::default()
    };
    if let Some(cid) = q.contact_id
        && let Ok(c) = state.app.store().contact(cid).await
    {
        f.contact_id = cid.to_string();
        f.contact_label = format!("{} – {}", c.number, c.data.name);
    }
    // The intro and closing text blocks of this document type, as set in the settings.
    if let Ok(Some(blocks)) = state.app.store().setting("text_blocks").await {
        f.intro_text = blocks[f.doc_type.as_str()]["intro"]
            .as_str()
            .unwrap_or("")
            .to_string();
        f.closing_text = blocks[f.doc_type.as_str()]["closing"]
            .as_str()
            .unwrap_or("")
            .to_string();
    }
    f.lines.push(LineForm {
        kind: "item".into(),
        quantity: "1".into(),
        unit: "C62".into(),
        vat_rate: VatRate::STANDARD.to_string(),
        ..Default::default()
    });
    Ok(editor(
        &ctx,
        f,
        None,
        FieldErrors::default(),
        Vec::new(),
        None,
    ))
}

fn problem_text(p: &Problem, lang: Lang) -> String {
    if lang == Lang::En {
        format!("{}: {}", p.field, p.message)
    } else {
        p.message_de()
    }
}

/// Saves the editor (create or update), then issues if asked to.
async fn save(
    state: &WebState,
    ctx: &Ctx,
    id: Option<i64>,
    body: &Bytes,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let form = FormData::parse(body);
    check_csrf(ctx, headers, form.get("_csrf"))?;
    let f = EditorForm::from_form(&form);
    let (input, mut errors) = parse_editor(&f, ctx.lang(), state.app.today());
    let Some(input) = input else {
        return Ok(editor(ctx, f, id, errors, Vec::new(), None));
    };
    let version = f.version.parse().ok();
    let documents = state.app.documents();
    let saved = match id {
        None => documents.create(&ctx.actor(), &input).await,
        Some(id) => documents.update(&ctx.actor(), id, &input, version).await,
    };
    let doc = match saved {
        Ok(doc) => doc,
        Err(AppError::Field { field, message, .. }) => {
            errors.add(field, message);
            return Ok(editor(ctx, f, id, errors, Vec::new(), None));
        }
        Err(e @ AppError::Refused { .. }) => {
            return Ok(editor(
                ctx,
                f,
                id,
                errors,
                vec![e.message(ctx.lang())],
                None,
            ));
        }
        Err(e) => return Err(WebError::from_app(ctx.lang(), e)),
    };
    if form.get("then_issue") == Some("1") {
        return issue_now(state, ctx, doc.id).await;
    }
    Ok(Redirect::to(&format!("/documents/{}", doc.id)).into_response())
}

async fn issue_now(state: &WebState, ctx: &Ctx, id: i64) -> Result<Response, WebError> {
    match state.app.documents().issue(&ctx.actor(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(AppError::NotIssuable(problems)) => {
            let doc = state
                .app
                .documents()
                .get(id)
                .await
                .map_err(|e| WebError::from_app(ctx.lang(), e))?;
            let label = contact_label(state, doc.contact_id).await;
            let f = EditorForm::from_document(&doc, label, &ctx.tr);
            let texts = problems
                .iter()
                .map(|p| problem_text(p, ctx.lang()))
                .collect();
            Ok(editor(
                ctx,
                f,
                Some(id),
                FieldErrors::default(),
                texts,
                Some(doc.totals),
            ))
        }
        Err(e @ AppError::Refused { .. }) => show_doc(state, ctx, id, e.message(ctx.lang())).await,
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

async fn contact_label(state: &WebState, id: i64) -> String {
    state
        .app
        .store()
        .contact(id)
        .await
        .map(|c| format!("{} – {}", c.number, c.data.name))
        .unwrap_or_default()
}

pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    save(&state, &ctx, None, &body, &headers).await
}

pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    save(&state, &ctx, Some(id), &body, &headers).await
}

/// Live totals for the editor: the same computation the server stores, formatted for display.
pub async fn live_totals(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let mut f = EditorForm::from_form(&form);
    if f.contact_id.is_empty() {
        f.contact_id = "0".into();
    }
    let (input, errors) = parse_editor(&f, ctx.lang(), state.app.today());
    let Some(input) = input else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({"errors": errors.0})),
        )
            .into_response());
    };
    let company = state
        .app
        .store()
        .company()
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    let mode = input.tax_mode.unwrap_or(if company.small_business {
        TaxMode::SmallBusiness
    } else {
        TaxMode::Standard
    });
    let t = totals::compute_parts(
        mode,
        &input.lines,
        input.discount_percent,
        input.prepaid_amount,
    );
    let currency = input.currency.unwrap_or(CurrencyCode::EUR).as_str();
    let tr = ctx.tr;
    let lines: Vec<String> = input
        .lines
        .iter()
        .map(|l| {
            if l.kind == LineKind::Text {
                String::new()
            } else {
                tr.money(totals::line_amounts(l).net, currency)
            }
        })
        .collect();
    let groups: Vec<_> = t
        .vat_breakdown
        .iter()
        .map(|g| serde_json::json!({"label": format!("{} {} % ({})", tr.t("docs.vat_at"), tr.num(g.rate), g.category.code()), "taxable": tr.money(g.taxable, currency), "vat": tr.money(g.vat, currency)}))
        .collect();
    Ok(Json(serde_json::json!({
        "lines": lines,
        "line_total": tr.money(t.line_total, currency),
        "allowance_total": tr.money(t.allowance_total, currency),
        "net": tr.money(t.net, currency),
        "vat": tr.money(t.vat, currency),
        "gross": tr.money(t.gross, currency),
        "prepaid": tr.money(t.prepaid, currency),
        "due": tr.money(t.due, currency),
        "vat_breakdown": groups,
        "raw": {"net": t.net.to_string(), "vat": t.vat.to_string(), "gross": t.gross.to_string(), "due": t.due.to_string()},
    }))
    .into_response())
}

// ---------------------------------------------------------------- view and actions

#[derive(Template)]
#[template(path = "document_view.html")]
struct ViewPage {
    l: Layout,
    d: Document,
    lines: Vec<LineForm>,
    status: &'static str,
    payments: Vec<Payment>,
    audit: Vec<AuditEntry>,
    targets: Vec<DocumentType>,
    legal_note: String,
    /// Linked documents: (label key, id, number or #id, element id).
    related: Vec<(&'static str, i64, String, &'static str)>,
    can_pay: bool,
    can_cancel: bool,
    can_derive: bool,
    today: NaiveDate,
    message: String,
}

impl ViewPage {
    /// "2 % / 7 Tage (03.12.2026: 23,80 €)" per Skonto step.
    fn skonto_rows(&self) -> Vec<String> {
        let (c, tr) = (&self.d.content, &self.l.tr);
        c.skonto
            .iter()
            .map(|s| {
                let mut row = format!(
                    "{} % / {} {}",
                    tr.num(s.percent),
                    s.days,
                    tr.t("common.days")
                );
                if let Some(until) = s.until(c.date) {
                    row.push_str(&format!(
                        " ({}: {})",
                        tr.date(until),
                        tr.money(s.amount(self.d.totals.due), c.currency)
                    ));
                }
                row
            })
            .collect()
    }

    /// The VAT in EUR of a foreign-currency document, formatted; empty otherwise.
    fn vat_in_eur(&self) -> String {
        self.d
            .content
            .vat_in_eur(self.d.totals.vat)
            .map(|v| self.l.tr.money(v, "EUR"))
            .unwrap_or_default()
    }
}

async fn show_doc(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    message: String,
) -> Result<Response, WebError> {
    let lang = ctx.lang();
    let documents = state.app.documents();
    let d = documents
        .get(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    if d.state == DocState::Draft {
        let label = contact_label(state, d.contact_id).await;
        let f = EditorForm::from_document(&d, label, &ctx.tr);
        let problems = if message.is_empty() {
            Vec::new()
        } else {
            vec![message]
        };
        return Ok(editor(
            ctx,
            f,
            Some(id),
            FieldErrors::default(),
            problems,
            Some(d.totals.clone()),
        ));
    }
    let today = state.app.today();
    let payments = documents
        .payments(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let audit = documents
        .audit(id, 50)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let lines = d
        .content
        .lines
        .iter()
        .map(|l| line_form(l, &ctx.tr, d.content.currency.as_str()))
        .collect();
    let doc_lang = d.language.as_str();
    let legal_note = d
        .content
        .tax_mode
        .legal_note(doc_lang)
        .unwrap_or("")
        .to_string();
    let issued = d.state == DocState::Issued;
    let mut related = Vec::new();
    for (key, id, anchor) in [
        ("docs.source", d.source_id, "source-link"),
        ("docs.corrects", d.corrects_id, "corrects-link"),
        ("docs.cancelled_by", d.cancelled_by_id, "cancelled-by-link"),
    ] {
        if let Some(id) = id
            && !(key == "docs.source" && d.corrects_id == Some(id))
        {
            let label = match documents.get(id).await {
                Ok(other) => format!(
                    "{} {}",
                    ctx.tr.doc_type(other.content.doc_type),
                    other.number.unwrap_or_else(|| format!("#{id}"))
                ),
                Err(_) => format!("#{id}"),
            };
            related.push((key, id, label, anchor));
        }
    }
    let title = format!(
        "{} {}",
        ctx.tr.doc_type(d.content.doc_type),
        d.number.clone().unwrap_or_default()
    );
    let page = ViewPage {
        l: Layout::new(ctx, title, "documents"),
        status: d.status(today),
        lines,
        payments,
        audit,
        targets: if issued {
            d.content.doc_type.derivable_targets().to_vec()
        } else {
            Vec::new()
        },
        legal_note,
        related,
        can_pay: issued
            && d.content.doc_type.is_receivable()
            && d.open_amount() > Decimal::ZERO
            && ctx.can(Role::Accountant),
        can_cancel: issued
            && d.content.doc_type.can_be_cancelled()
            && d.paid.is_zero()
            && ctx.can(Role::Accountant),
        can_derive: ctx.can(Role::Sales),
        today,
        message,
        d,
    };
    Ok(render(lang, &page))
}

pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    show_doc(&state, &ctx, id, String::new()).await
}

async fn action_ctx(
    state: &WebState,
    headers: &HeaderMap,
    body: &Bytes,
    role: Role,
) -> Result<(Ctx, FormData), WebError> {
    let ctx = session::current(state, headers).await?;
    ctx.require(role)?;
    let form = FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

/// Where an action on document `id` leads: to `target` on success; errors the user can act on
/// (a conflict with the document's state, a refused value) come back on the document page.
async fn after_action(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    result: Result<String, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(target) => Ok(Redirect::to(&target).into_response()),
        Err(e @ (AppError::Refused { .. } | AppError::Field { .. })) => {
            show_doc(state, ctx, id, e.message(ctx.lang())).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub async fn issue(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    issue_now(&state, &ctx, id).await
}

pub async fn derive(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let Some(target) = form.get("type").and_then(DocumentType::parse) else {
        return show_doc(&state, &ctx, id, "?".into()).await;
    };
    let result = state
        .app
        .documents()
        .derive(&ctx.actor(), id, target, None)
        .await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

pub async fn cancel(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Accountant).await?;
    let result = state.app.documents().cancel(&ctx.actor(), id, None).await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

pub async fn duplicate(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let result = state.app.documents().duplicate(&ctx.actor(), id).await;
    after_action(
        &state,
        &ctx,
        id,
        result.map(|doc| format!("/documents/{}", doc.id)),
    )
    .await
}

pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body, Role::Sales).await?;
    let result = state.app.documents().delete(&ctx.actor(), id).await;
    after_action(&state, &ctx, id, result.map(|()| "/documents".to_string())).await
}

pub async fn add_payment(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body, Role::Accountant).await?;
    let amount = match user_decimal(&form.text("amount"), 2, ctx.lang()) {
        Ok(a) => a,
        Err(m) => {
            return show_doc(
                &state,
                &ctx,
                id,
                format!("{}: {m}", ctx.tr.t("field.amount")),
            )
            .await;
        }
    };
    let date = NaiveDate::parse_from_str(&form.text("date"), "%Y-%m-%d")
        .unwrap_or_else(|_| state.app.today());
    let input = PaymentInput {
        date,
        amount,
        method: form.text("method"),
        note: form.text("note"),
    };
    let result = state
        .app
        .documents()
        .add_payment(&ctx.actor(), id, &input)
        .await;
    after_action(&state, &ctx, id, result.map(|_| format!("/documents/{id}"))).await
}

impl LineForm {
    /// The row a new line starts as (used by the editor's row template).
    pub fn blank() -> LineForm {
        LineForm {
            kind: "item".into(),
            quantity: "1".into(),
            unit: "C62".into(),
            vat_rate: VatRate::STANDARD.to_string(),
            ..Default::default()
        }
    }
}
