//! The header of a received invoice (supplier, number, dates, amounts) from what the reader
//! found, or from what a person typed; and a supplier contact made from it.

use kontor_domain::money::round2;
use kontor_domain::{ContactData, ErrorCode};
use kontor_einvoice_in::model::Invoice;
use kontor_storage::IncomingHeader;
use rust_decimal::Decimal;

use crate::{Error, Result};

/// The list's header of an invoice read from XML. The due date is BT-9; the Skonto date and
/// amount come from the first `#SKONTO#` step of the payment terms (days after the issue
/// date; the percentage of `BASISBETRAG` when given, else of the amount due).
pub fn header_of(inv: &Invoice) -> IncomingHeader {
    let due = inv.totals.due;
    let first_skonto = inv.skonto.first();
    let skonto_date = match (first_skonto, inv.issue_date) {
        (Some(step), Some(issued)) => {
            issued.checked_add_signed(chrono::Duration::days(i64::from(step.days)))
        }
        _ => None,
    };
    let skonto_amount = match (first_skonto, due) {
        (Some(step), Some(due)) => {
            let base = step.base_amount.unwrap_or(due);
            Some(due - round2(base * step.percent / Decimal::ONE_HUNDRED))
        }
        _ => None,
    };
    let iban = inv
        .payment_means
        .iter()
        .find_map(|m| m.iban.clone())
        .unwrap_or_default();
    IncomingHeader {
        seller_name: inv
            .seller
            .name
            .clone()
            .or_else(|| inv.seller.trading_name.clone())
            .unwrap_or_default(),
        seller_vat_id: inv
            .seller
            .vat_id
            .clone()
            .or_else(|| {
                inv.tax_representative
                    .as_ref()
                    .and_then(|p| p.vat_id.clone())
            })
            .unwrap_or_default(),
        seller_iban: iban.split_whitespace().collect::<String>().to_uppercase(),
        number: inv.number.clone().unwrap_or_default(),
        issue_date: inv.issue_date,
        due_date: inv.due_date,
        skonto_date,
        skonto_amount,
        currency: inv.currency.clone().unwrap_or_else(|| "EUR".into()),
        credit_note: inv.credit_note,
        net: inv.totals.net,
        vat: inv.totals.vat,
        gross: inv.totals.gross,
        due,
    }
}

/// A header typed in by hand, checked: a supplier, a number, an issue date and the amount due
/// are needed to approve and pay; amounts have at most 2 decimals; the currency is ISO 4217.
pub fn checked_input(mut h: IncomingHeader) -> Result<IncomingHeader> {
    h.seller_name = h.seller_name.trim().to_string();
    h.number = h.number.trim().to_string();
    h.currency = h.currency.trim().to_uppercase();
    if h.currency.is_empty() {
        h.currency = "EUR".into();
    }
    if h.seller_name.is_empty() {
        return Err(Error::field(
            "seller_name",
            ErrorCode::Required,
            "is required",
        ));
    }
    if h.number.is_empty() {
        return Err(Error::field("number", ErrorCode::Required, "is required"));
    }
    if h.issue_date.is_none() {
        return Err(Error::field(
            "issue_date",
            ErrorCode::Required,
            "is required",
        ));
    }
    if h.due.is_none() {
        return Err(Error::field("due", ErrorCode::Required, "is required"));
    }
    if kontor_domain::CurrencyCode::parse(&h.currency).is_err() {
        return Err(Error::field(
            "currency",
            ErrorCode::UnknownCurrency,
            "is not an ISO 4217 currency code",
        ));
    }
    for (field, value) in [
        ("net", h.net),
        ("vat", h.vat),
        ("gross", h.gross),
        ("due", h.due),
        ("skonto_amount", h.skonto_amount),
    ] {
        if let Some(v) = value
            && v.normalize().scale() > 2
        {
            return Err(Error::field(
                field,
                ErrorCode::TooManyDecimals,
                "has more than 2 decimal places",
            ));
        }
    }
    if let (Some(issued), Some(due)) = (h.issue_date, h.due_date)
        && due < issued
    {
        return Err(Error::field(
            "due_date",
            ErrorCode::OutOfRange,
            "is before the issue date",
        ));
    }
    Ok(h)
}

/// A new supplier contact before anything is filled in.
pub fn supplier_defaults() -> ContactData {
    ContactData {
        country: "DE".into(),
        is_supplier: true,
        is_customer: false,
        ..ContactData::default()
    }
}

/// A supplier contact from the invoice's seller (BG-4): name, address, VAT ID, tax number,
/// e-mail and phone of its contact.
pub fn supplier_contact(h: &IncomingHeader, inv: Option<&Invoice>) -> ContactData {
    let mut data = ContactData {
        name: h.seller_name.clone(),
        vat_id: kontor_domain::VatId::parse(&h.seller_vat_id).ok(),
        ..supplier_defaults()
    };
    if let Some(seller) = inv.map(|i| &i.seller) {
        if let Some(a) = &seller.address {
            data.street = [a.line1.as_deref(), a.line2.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            data.postal_code = a.postcode.clone().unwrap_or_default();
            data.city = a.city.clone().unwrap_or_default();
            if let Some(country) = &a.country {
                data.country = country.clone();
            }
        }
        data.tax_number = seller.tax_number.clone().unwrap_or_default();
        if let Some(c) = &seller.contact {
            data.email = c.email.clone().unwrap_or_default();
            data.phone = c.phone.clone().unwrap_or_default();
        }
    }
    data
}
