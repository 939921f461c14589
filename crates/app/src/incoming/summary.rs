//! The one JSON form of a received invoice, shared by the API and the CLI's import.

use chrono::NaiveDate;
use kontor_einvoice_in::Finding;
use kontor_storage::Incoming;
use rust_decimal::Decimal;
use serde::Serialize;

/// A finding in the caller's language.
#[derive(Debug, Clone, Serialize)]
pub struct FindingOut {
    pub rule: String,
    pub severity: &'static str,
    pub location: String,
    pub message: String,
}

impl FindingOut {
    pub fn new(f: &Finding, german: bool) -> FindingOut {
        FindingOut {
            rule: f.rule.clone(),
            severity: f.severity.as_str(),
            location: f.location.clone(),
            message: if german {
                f.message_de.clone()
            } else {
                f.message_en.clone()
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SellerOut {
    pub name: String,
    pub vat_id: String,
    pub iban: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalsOut {
    pub net: Option<String>,
    pub vat: Option<String>,
    pub gross: Option<String>,
    pub due: Option<String>,
    pub paid: String,
    pub open: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkontoOut {
    pub date: NaiveDate,
    pub amount: String,
}

/// A received invoice as the API and the CLI show it.
#[derive(Debug, Clone, Serialize)]
pub struct IncomingOut {
    pub id: i64,
    pub status: &'static str,
    pub format: String,
    pub valid: bool,
    pub findings: Vec<FindingOut>,
    pub seller: SellerOut,
    pub contact_id: Option<i64>,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub skonto: Option<SkontoOut>,
    pub currency: String,
    pub credit_note: bool,
    pub totals: TotalsOut,
    pub duplicate_of: Option<i64>,
    pub reject_reason: Option<String>,
    pub original_name: String,
    pub original_sha256: String,
    pub source: String,
    pub received_at: String,
    pub received_by: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
}

fn money(d: Decimal) -> String {
    format!("{:.2}", d)
}

impl IncomingOut {
    pub fn new(i: &Incoming, findings: &[Finding], german: bool) -> IncomingOut {
        let h = &i.header;
        IncomingOut {
            id: i.id,
            status: i.status.as_str(),
            format: i.format.clone(),
            valid: i.valid,
            findings: findings
                .iter()
                .map(|f| FindingOut::new(f, german))
                .collect(),
            seller: SellerOut {
                name: h.seller_name.clone(),
                vat_id: h.seller_vat_id.clone(),
                iban: h.seller_iban.clone(),
            },
            contact_id: i.contact_id,
            number: h.number.clone(),
            issue_date: h.issue_date,
            due_date: h.due_date,
            skonto: match (h.skonto_date, h.skonto_amount) {
                (Some(date), Some(amount)) => Some(SkontoOut {
                    date,
                    amount: money(amount),
                }),
                _ => None,
            },
            currency: h.currency.clone(),
            credit_note: h.credit_note,
            totals: TotalsOut {
                net: h.net.map(money),
                vat: h.vat.map(money),
                gross: h.gross.map(money),
                due: h.due.map(money),
                paid: money(i.paid),
                open: money(i.open()),
            },
            duplicate_of: i.duplicate_of,
            reject_reason: (!i.reject_reason.is_empty()).then(|| i.reject_reason.clone()),
            original_name: i.original_name.clone(),
            original_sha256: i.original_sha256.clone(),
            source: i.source.clone(),
            received_at: i.received_at.clone(),
            received_by: i.received_by.clone(),
            approved_at: i.approved_at.clone(),
            approved_by: i.approved_by.clone(),
        }
    }
}
