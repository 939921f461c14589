//! What both syntaxes share: codes, number formats, texts, lines, addresses.

use chrono::NaiveDate;
use kontor_domain::money::{fmt2, round2};
use kontor_domain::tax::{TaxMode, VatCategory};
use kontor_domain::totals::{LineAmounts, line_amounts};
use kontor_domain::{ContactData, DocumentType, Language, Line, PaymentMethod, SkontoStep};
use kontor_texts::Msg;
use rust_decimal::Decimal;

use crate::Invoice;

/// BT-3 (UNTDID 1001).
pub(crate) fn type_code(t: DocumentType) -> &'static str {
    match t {
        DocumentType::DownPaymentInvoice => "326",
        DocumentType::CreditNote | DocumentType::Cancellation => "381",
        _ => "380",
    }
}

pub(crate) fn is_credit_note(t: DocumentType) -> bool {
    t.is_correction()
}

/// Amounts: exactly 2 decimals.
pub(crate) fn amount(d: Decimal) -> String {
    fmt2(d)
}

/// Prices, percentages, quantities: as exact as stored (prices up to 4 decimals), at least 2
/// decimals for prices and percentages.
pub(crate) fn decimal_min2(d: Decimal) -> String {
    let n = d.normalize();
    if n.scale() < 2 {
        format!("{n:.2}")
    } else {
        n.to_string()
    }
}

pub(crate) fn quantity(d: Decimal) -> String {
    d.normalize().to_string()
}

/// ISO date (UBL).
pub(crate) fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// CII date format 102.
pub(crate) fn date_102(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

pub(crate) fn lang(inv: &Invoice<'_>) -> &'static str {
    match inv.language {
        Language::En => "en",
        Language::De => "de",
    }
}

/// BT-121 / BT-120: exemption reason code and text of a VAT category.
pub(crate) fn exemption(
    inv: &Invoice<'_>,
    category: VatCategory,
) -> (Option<&'static str>, Option<&'static str>) {
    let mode = inv.content.tax_mode;
    let note = mode.legal_note(lang(inv));
    match category {
        VatCategory::Standard | VatCategory::ZeroRated => (None, None),
        // § 19 UStG: no VATEX code exists; the text is the exemption reason.
        VatCategory::Exempt => (None, note.or(TaxMode::SmallBusiness.legal_note("de"))),
        VatCategory::ReverseCharge => (Some("VATEX-EU-AE"), note),
        VatCategory::IntraCommunity => (Some("VATEX-EU-IC"), note),
        VatCategory::Export => (Some("VATEX-EU-G"), note),
    }
}

/// BT-22: the document's texts, the tax mode's legal note and, on a final invoice, the
/// deducted down-payment invoices.
pub(crate) fn notes(inv: &Invoice<'_>) -> Vec<String> {
    let mut notes: Vec<String> = [inv.subject, inv.intro_text, inv.closing_text]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .collect();
    if let Some(note) = inv.content.tax_mode.legal_note(lang(inv)) {
        notes.push(note.to_string());
    }
    notes.extend(down_payment_note(inv));
    notes
}

/// The note listing the down-payment invoices a final invoice deducts (§ 14 Abs. 5 UStG):
/// each with its number, date, net amount and VAT per rate and what is still open on it. The
/// structured data carry their sum as BT-113 and each one as a preceding invoice (BG-3).
fn down_payment_note(inv: &Invoice<'_>) -> Option<String> {
    let deductions = &inv.content.down_payments;
    if deductions.is_empty() {
        return None;
    }
    let (lang, cur) = (inv.language, inv.content.currency.as_str());
    let list: Vec<String> = deductions
        .iter()
        .map(|d| {
            let groups: Vec<String> = d
                .groups
                .iter()
                .map(|g| {
                    Msg::EinvoiceDownPaymentGroup
                        .text(lang)
                        .replace("{net}", &amount(g.net))
                        .replace("{rate}", &rate(g.rate))
                        .replace("{vat}", &amount(g.vat))
                        .replace("{currency}", cur)
                })
                .collect();
            let mut details = groups.join(", ");
            if !d.is_paid() {
                details.push_str(
                    &Msg::EinvoiceDownPaymentOpen
                        .text(lang)
                        .replace("{amount}", &amount(d.open))
                        .replace("{currency}", cur),
                );
            }
            Msg::EinvoiceDownPayment
                .text(lang)
                .replace("{number}", d.number.as_str())
                .replace("{date}", &text_date(d.date, lang))
                .replace("{groups}", &details)
        })
        .collect();
    let net: Decimal = deductions.iter().map(|d| d.net()).sum();
    let vat: Decimal = deductions.iter().map(|d| d.vat()).sum();
    Some(
        Msg::EinvoiceDownPayments
            .text(lang)
            .replace("{list}", &list.join("; "))
            .replace("{net}", &amount(net))
            .replace("{vat}", &amount(vat))
            .replace("{gross}", &amount(net + vat))
            .replace("{currency}", cur),
    )
}

/// BG-3 in UBL: the invoices this one refers to, with their dates: the corrected invoice of a
/// credit note or cancellation, the deducted down-payment invoices of a final invoice.
pub(crate) fn preceding<'a>(inv: &Invoice<'a>) -> Vec<(&'a str, Option<NaiveDate>)> {
    let mut refs: Vec<(&'a str, Option<NaiveDate>)> = inv
        .preceding_number
        .map(|n| (n, inv.preceding_date))
        .into_iter()
        .collect();
    refs.extend(
        inv.content
            .down_payments
            .iter()
            .map(|d| (d.number.as_str(), Some(d.date))),
    );
    refs
}

/// BT-20: payment terms as text (BR-CO-25 needs it or a due date when something is due),
/// followed by one `#SKONTO#TAGE=n#PROZENT=p#` line per Skonto step (XRechnung BR-DE-18, also
/// understood by ZUGFeRD readers), each ending with a line break.
pub(crate) fn payment_terms(inv: &Invoice<'_>) -> String {
    let lang = inv.language;
    let c = inv.content;
    let doc_type = c.doc_type;
    if doc_type.is_correction() {
        let number = inv.preceding_number.unwrap_or_default();
        return Msg::EinvoiceCredited.text(lang).replace("{number}", number);
    }
    if inv.totals.due <= Decimal::ZERO {
        return Msg::EinvoiceNothingDue.text(lang).into();
    }
    let mut text = match c.due_date {
        Some(due) => Msg::EinvoicePayableBy
            .text(lang)
            .replace("{date}", &text_date(due, lang)),
        None => Msg::EinvoicePayableOnReceipt.text(lang).into(),
    };
    for step in skonto(inv) {
        let until = step.until(c.date).unwrap_or(c.date);
        let cash = amount(step.amount(inv.totals.due));
        let pct = decimal_min2(step.percent);
        text.push_str(
            &Msg::EinvoiceSkontoStep
                .text(lang)
                .replace("{date}", &text_date(until, lang))
                .replace("{percent}", &pct)
                .replace("{amount}", &cash)
                .replace("{currency}", c.currency.as_str()),
        );
    }
    text.push('.');
    if direct_debit(inv) {
        text.push_str(Msg::EinvoiceDirectDebit.text(lang));
    }
    for step in skonto(inv) {
        text.push('\n');
        text.push_str(&step.xrechnung_line());
    }
    if !skonto(inv).is_empty() {
        text.push('\n');
    }
    text
}

/// The Skonto steps that apply: only on receivables with an amount due.
pub(crate) fn skonto<'a>(inv: &Invoice<'a>) -> &'a [SkontoStep] {
    let c = inv.content;
    if c.doc_type.is_receivable() && inv.totals.due > Decimal::ZERO {
        &c.skonto
    } else {
        &[]
    }
}

/// Whether the amount due is collected by SEPA direct debit (payment means 59).
pub(crate) fn direct_debit(inv: &Invoice<'_>) -> bool {
    let c = inv.content;
    c.doc_type.is_receivable() && c.payment_method == PaymentMethod::DirectDebit
}

/// Whether a credit transfer to the seller's IBAN is written (payment means 58). Without a
/// valid IBAN (possible only for ZUGFeRD: XRechnung requires one) BG-16 is left out.
pub(crate) fn credit_transfer(inv: &Invoice<'_>) -> bool {
    !direct_debit(inv) && inv.seller.iban.is_some()
}

/// BT-6 / BT-111: the VAT total in EUR for a foreign-currency invoice with an exchange rate.
pub(crate) fn vat_in_eur(inv: &Invoice<'_>) -> Option<Decimal> {
    inv.content.vat_in_eur(inv.totals.vat)
}

/// One invoice line as both syntaxes write it.
pub(crate) struct LineOut<'a> {
    pub id: usize,
    pub line: &'a Line,
    pub amounts: LineAmounts,
    pub category: VatCategory,
    pub rate: Decimal,
    pub name: &'a str,
    /// The full description when it has more than the name.
    pub description: Option<&'a str>,
}

pub(crate) fn lines<'a>(inv: &Invoice<'a>) -> Vec<LineOut<'a>> {
    let mode = inv.content.tax_mode;
    inv.content
        .lines
        .iter()
        .filter(|l| l.counts())
        .enumerate()
        .map(|(i, line)| {
            let rate = mode.effective_rate(line.vat_rate.percent()).normalize();
            let text = line.description.trim();
            let name = text.lines().next().unwrap_or("").trim();
            LineOut {
                id: i + 1,
                line,
                amounts: line_amounts(line),
                category: mode.category(rate),
                rate,
                name,
                description: (name.len() < text.len()).then_some(text),
            }
        })
        .collect()
}

/// The document discount of a VAT group, as a percentage of the group's line total.
pub(crate) fn discount(inv: &Invoice<'_>) -> Decimal {
    inv.content.discount_percent
}

/// A postal address (BG-5, BG-8, BG-15).
pub(crate) struct Address<'a> {
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub country: &'a str,
}

/// BG-15 deliver-to address: the contact's delivery address when it is complete, otherwise
/// (for intra-EU supplies, where BR-IC-12 needs the country) the buyer's address.
pub(crate) fn delivery_address<'a>(inv: &Invoice<'a>) -> Option<Address<'a>> {
    let b: &'a ContactData = inv.buyer;
    let has_delivery =
        !b.delivery_city.trim().is_empty() && !b.delivery_postal_code.trim().is_empty();
    if has_delivery {
        Some(Address {
            street: &b.delivery_street,
            postal_code: &b.delivery_postal_code,
            city: &b.delivery_city,
            country: if b.delivery_country.trim().is_empty() {
                &b.country
            } else {
                &b.delivery_country
            },
        })
    } else if inv.content.tax_mode == TaxMode::IntraEu {
        Some(buyer_address(inv))
    } else {
        None
    }
}

pub(crate) fn buyer_address<'a>(inv: &Invoice<'a>) -> Address<'a> {
    let b: &'a ContactData = inv.buyer;
    Address {
        street: &b.street,
        postal_code: &b.postal_code,
        city: &b.city,
        country: &b.country,
    }
}

pub(crate) fn seller_address<'a>(inv: &Invoice<'a>) -> Address<'a> {
    let s = inv.seller;
    Address {
        street: &s.street,
        postal_code: &s.postal_code,
        city: &s.city,
        country: &s.country,
    }
}

/// BT-33: further legal information on the seller (register, managing directors).
pub(crate) fn seller_legal_info(inv: &Invoice<'_>) -> String {
    let s = inv.seller;
    let mut parts = Vec::new();
    if !s.registry.trim().is_empty() {
        parts.push(s.registry.trim().to_string());
    }
    if !s.managing_directors.trim().is_empty() {
        let label = Msg::EinvoiceManagingDirectors.text(inv.language);
        parts.push(format!("{label}: {}", s.managing_directors.trim()));
    }
    parts.join("; ")
}

/// BT-29: without a VAT ID (e.g. a § 19 small business), BR-CO-26 needs another seller
/// identifier; Kontor uses the tax number (Steuernummer), which the seller always has then.
pub(crate) fn seller_identifier<'a>(inv: &Invoice<'a>) -> Option<&'a str> {
    let s = inv.seller;
    (s.vat_id.is_none() && !s.tax_number.trim().is_empty()).then_some(s.tax_number.trim())
}

/// The IBAN without spaces, upper case.
pub(crate) fn iban(iban: &Option<kontor_domain::Iban>) -> &str {
    iban.as_ref().map_or("", kontor_domain::Iban::as_str)
}

/// A VAT ID's text, empty without one.
pub(crate) fn vat_id(id: &Option<kontor_domain::VatId>) -> &str {
    id.as_ref().map_or("", kontor_domain::VatId::as_str)
}

pub(crate) fn discount_reason(inv: &Invoice<'_>) -> &'static str {
    Msg::EinvoiceDiscount.text(inv.language)
}

/// A date in running text: ISO 8601 in English, "31.12.2026" in German.
fn text_date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::En => iso_date(d),
        Language::De => d.format("%d.%m.%Y").to_string(),
    }
}

/// UNTDID 5189 code 95: discount.
pub(crate) const DISCOUNT_CODE: &str = "95";

pub(crate) fn line_allowance_percent(line: &Line) -> String {
    decimal_min2(line.discount_percent)
}

pub(crate) fn rate(d: Decimal) -> String {
    decimal_min2(round2(d * Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED)
}
