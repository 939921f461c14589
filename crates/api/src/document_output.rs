//! Documents as the API returns them: amounts as strings, lines with their nets, totals, status.

use chrono::NaiveDate;
use kontor_app::model::{DocState, Document, DocumentSummary};
use kontor_domain::totals::{Totals, line_amounts};
use kontor_domain::{CompanyProfile, ContactData, DeductedDownPayment, Line};
use rust_decimal::Decimal;
use serde::Serialize;

use super::format::{money, plain, price};

#[derive(Debug, Serialize)]
pub struct DocumentOut {
    id: i64,
    #[serde(rename = "type")]
    doc_type: &'static str,
    status: &'static str,
    state: &'static str,
    number: Option<String>,
    contact_id: i64,
    date: NaiveDate,
    delivery_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    tax_mode: &'static str,
    currency: String,
    language: &'static str,
    discount_percent: String,
    prepaid_amount: String,
    /// On a final invoice: the down-payment invoices it deducts (§ 14 Abs. 5 UStG).
    down_payments: Vec<DownPaymentOut>,
    skonto: Vec<SkontoOut>,
    payment_method: &'static str,
    exchange_rate: Option<String>,
    /// The VAT total in EUR of a foreign-currency document (§ 16 Abs. 6 UStG).
    vat_in_eur: Option<String>,
    subject: String,
    intro_text: String,
    closing_text: String,
    source_id: Option<i64>,
    corrects_id: Option<i64>,
    cancelled_by_id: Option<i64>,
    /// A quote's valid-until date (its `due_date`); none for other types.
    valid_until: Option<NaiveDate>,
    /// What became of an issued quote: accepted, declined, or none while open.
    outcome: Option<&'static str>,
    locked: bool,
    paid: String,
    open_amount: String,
    lines: Vec<LineOut>,
    totals: TotalsOut,
    legal_note: Option<&'static str>,
    seller: Option<CompanyProfile>,
    buyer: Option<ContactData>,
    issued_at: Option<String>,
    created_at: String,
    updated_at: String,
    version: i64,
}

/// One deducted down-payment invoice: number, date, net and VAT per rate, what is still open.
#[derive(Debug, Serialize)]
pub struct DownPaymentOut {
    number: String,
    date: NaiveDate,
    net: String,
    vat: String,
    gross: String,
    open: String,
    vat_breakdown: Vec<DeductedVatOut>,
}

#[derive(Debug, Serialize)]
pub struct DeductedVatOut {
    category: &'static str,
    rate: String,
    net: String,
    vat: String,
}

impl DownPaymentOut {
    fn new(d: &DeductedDownPayment) -> DownPaymentOut {
        DownPaymentOut {
            number: d.number.to_string(),
            date: d.date,
            net: money(d.net()),
            vat: money(d.vat()),
            gross: money(d.gross()),
            open: money(d.open),
            vat_breakdown: d
                .groups
                .iter()
                .map(|g| DeductedVatOut {
                    category: g.category.code(),
                    rate: plain(g.rate),
                    net: money(g.net),
                    vat: money(g.vat),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SkontoOut {
    days: i64,
    percent: String,
}

#[derive(Debug, Serialize)]
pub struct LineOut {
    kind: &'static str,
    article_id: Option<i64>,
    description: String,
    quantity: String,
    unit: String,
    unit_price: String,
    vat_rate: String,
    discount_percent: String,
    net: String,
}

#[derive(Debug, Serialize)]
pub struct TotalsOut {
    line_total: String,
    allowance_total: String,
    net: String,
    vat: String,
    gross: String,
    down_payments: String,
    prepaid: String,
    due: String,
    vat_breakdown: Vec<VatGroupOut>,
}

#[derive(Debug, Serialize)]
pub struct VatGroupOut {
    category: &'static str,
    rate: String,
    taxable: String,
    vat: String,
}

/// What is still to be paid: only issued invoices are receivables.
fn open_amount(state: DocState, receivable: bool, due: Decimal, paid: Decimal) -> Decimal {
    if state == DocState::Issued && receivable {
        (due - paid).max(Decimal::ZERO)
    } else {
        Decimal::ZERO
    }
}

impl DocumentOut {
    pub fn new(doc: Document, today: NaiveDate) -> DocumentOut {
        let content = &doc.content;
        let language = doc.language.as_str();
        let (seller, buyer, issued_at) =
            (doc.seller().cloned(), doc.buyer().cloned(), doc.issued_at());
        DocumentOut {
            id: doc.id,
            doc_type: content.doc_type.as_str(),
            status: doc.status(today),
            state: doc.state().as_str(),
            locked: !doc.is_draft(),
            paid: money(doc.paid),
            open_amount: money(open_amount(
                doc.state(),
                content.doc_type.is_receivable(),
                doc.totals.due,
                doc.paid,
            )),
            number: doc.number().map(str::to_string),
            contact_id: doc.contact_id,
            date: content.date,
            delivery_date: content.delivery_date,
            due_date: content.due_date,
            tax_mode: content.tax_mode.as_str(),
            currency: content.currency.to_string(),
            language,
            discount_percent: plain(content.discount_percent),
            prepaid_amount: money(content.prepaid_amount),
            down_payments: content
                .down_payments
                .iter()
                .map(DownPaymentOut::new)
                .collect(),
            skonto: content
                .skonto
                .iter()
                .map(|s| SkontoOut {
                    days: s.days,
                    percent: plain(s.percent),
                })
                .collect(),
            payment_method: content.payment_method.as_str(),
            exchange_rate: content.exchange_rate.map(plain),
            vat_in_eur: content.vat_in_eur(doc.totals.vat).map(money),
            subject: doc.texts.subject,
            intro_text: doc.texts.intro_text,
            closing_text: doc.texts.closing_text,
            source_id: doc.source_id,
            corrects_id: doc.corrects_id,
            cancelled_by_id: doc.cancelled_by_id,
            valid_until: (content.doc_type == kontor_domain::DocumentType::Quote)
                .then_some(content.due_date)
                .flatten(),
            outcome: doc.outcome.map(kontor_domain::QuoteOutcome::as_str),
            lines: content.lines.iter().map(LineOut::new).collect(),
            totals: TotalsOut::new(&doc.totals),
            legal_note: content.tax_mode.legal_note(language),
            seller,
            buyer,
            issued_at,
            created_at: doc.created_at,
            updated_at: doc.updated_at,
            version: doc.version,
        }
    }
}

impl LineOut {
    fn new(line: &Line) -> LineOut {
        LineOut {
            kind: line.kind.as_str(),
            article_id: line.article_id,
            description: line.description.clone(),
            quantity: plain(line.quantity),
            unit: line.unit.to_string(),
            unit_price: price(line.unit_price),
            vat_rate: plain(line.vat_rate.percent()),
            discount_percent: plain(line.discount_percent),
            net: money(if line.counts() {
                line_amounts(line).net
            } else {
                Decimal::ZERO
            }),
        }
    }
}

impl TotalsOut {
    fn new(t: &Totals) -> TotalsOut {
        TotalsOut {
            line_total: money(t.line_total),
            allowance_total: money(t.allowance_total),
            net: money(t.net),
            vat: money(t.vat),
            gross: money(t.gross),
            down_payments: money(t.down_payments),
            prepaid: money(t.prepaid),
            due: money(t.due),
            vat_breakdown: t
                .vat_breakdown
                .iter()
                .map(|g| VatGroupOut {
                    category: g.category.code(),
                    rate: plain(g.rate),
                    taxable: money(g.taxable),
                    vat: money(g.vat),
                })
                .collect(),
        }
    }
}

/// A row of a document list.
#[derive(Debug, Serialize)]
pub struct SummaryOut {
    id: i64,
    #[serde(rename = "type")]
    doc_type: &'static str,
    status: &'static str,
    number: Option<String>,
    contact_id: i64,
    contact_name: String,
    date: NaiveDate,
    due_date: Option<NaiveDate>,
    currency: String,
    net: String,
    vat: String,
    gross: String,
    due: String,
    paid: String,
    open_amount: String,
}

impl SummaryOut {
    pub fn new(s: &DocumentSummary, today: NaiveDate) -> SummaryOut {
        SummaryOut {
            id: s.id,
            doc_type: s.doc_type.as_str(),
            status: s.status(today),
            number: s.number.clone(),
            contact_id: s.contact_id,
            contact_name: s.contact_name.clone(),
            date: s.date,
            due_date: s.due_date,
            currency: s.currency.to_string(),
            net: money(s.net),
            vat: money(s.vat),
            gross: money(s.gross),
            due: money(s.due),
            paid: money(s.paid),
            open_amount: money(open_amount(
                s.state,
                s.doc_type.is_receivable(),
                s.due,
                s.paid,
            )),
        }
    }
}
