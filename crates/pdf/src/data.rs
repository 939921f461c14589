//! The data model the template reads from `/data.json`: everything already formatted and
//! translated, so the template only lays it out. This is also the documented model for a
//! future user-supplied template.

use kontor_domain::document::LineKind;
use kontor_domain::down_payment;
use kontor_domain::totals::line_amounts;
use kontor_domain::{
    CompanyProfile, ContactData, DocumentType, Language, PaymentMethod, Printable, TaxMode,
};
use kontor_texts::Msg;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::format;
use crate::{Extras, LogoFormat};

#[derive(Debug, Serialize)]
pub struct Data {
    pub lang: &'static str,
    pub title: String,
    pub number: String,
    pub draft: bool,
    pub accent: String,
    /// The font family name (`#set text(font: data.font)`).
    pub font: &'static str,
    /// Whether the e-invoice is embedded (ZUGFeRD / Factur-X hybrid).
    pub facturx: bool,
    pub labels: Labels,
    pub seller: Seller,
    pub sender_line: String,
    pub recipient: Vec<String>,
    /// Label and value rows of the information block.
    pub info: Vec<(String, String)>,
    pub subject: String,
    pub reference: String,
    pub intro: String,
    pub columns: Vec<Column>,
    pub lines: Vec<RowData>,
    pub totals: Vec<TotalRow>,
    /// A final invoice's deducted down payments, printed under the totals.
    pub deduction: Option<Deduction>,
    pub notes: Vec<String>,
    pub closing: String,
    pub footer: Vec<Vec<String>>,
    pub logo: Option<&'static str>,
    pub qr: bool,
}

#[derive(Debug, Serialize)]
pub struct Labels {
    pub page: &'static str,
    pub of: &'static str,
    pub carry: &'static str,
    pub carried: &'static str,
    pub optional: &'static str,
    pub draft: &'static str,
    pub qr: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Seller {
    pub name: String,
    pub tagline: String,
}

/// A table column: `width` in millimetres, 0 for the flexible description column.
#[derive(Debug, Serialize)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub width: u32,
    pub align: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RowData {
    pub kind: &'static str,
    pub optional: bool,
    /// First line of the description; further lines go to `detail`.
    pub title: String,
    pub detail: String,
    /// Cell text per column key.
    pub values: BTreeMap<&'static str, String>,
    /// The same cell texts in the order of `columns` (empty in the description column, which
    /// the template builds from `title` and `detail`); empty on text rows.
    pub cells: Vec<String>,
    /// Running net total after this row (for carried-over subtotals), on priced rows.
    pub run: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TotalRow {
    pub label: String,
    pub value: String,
    pub strong: bool,
    pub rule: bool,
}

/// The down-payment invoices a final invoice deducts (§ 14 Abs. 5 UStG): one row per invoice
/// and VAT rate with its net amount and VAT, then the deduction, the amount due and what
/// remains per rate; a note for each one that is still open.
#[derive(Debug, Serialize)]
pub struct Deduction {
    pub title: String,
    pub columns: Vec<String>,
    /// Which columns are amounts (right-aligned).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    pub totals: Vec<TotalRow>,
    pub notes: Vec<String>,
}

/// Which optional columns show; from the setting "pdf" (`{"columns": {"unit": false, ...}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Columns {
    pub position: bool,
    pub unit: bool,
    pub unit_price: bool,
    pub vat_rate: bool,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            position: true,
            unit: true,
            unit_price: true,
            vat_rate: true,
        }
    }
}

fn nonempty(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn country_line(code: &str, seller_country: &str) -> Option<String> {
    (!code.is_empty() && code != seller_country).then(|| code.to_string())
}

/// Builds the template data for a document with its seller and buyer (the snapshots for
/// issued documents, the current records for a draft preview).
pub fn build(doc: Printable<'_>, extras: &Extras) -> (Data, Option<String>) {
    let (seller, buyer) = (doc.seller(), doc.buyer());
    let c = doc.content();
    let lang = doc.language();
    let en = lang == Language::En;
    let cur = c.currency.as_str();
    let money = |v: Decimal| format::money(v, cur, en);
    // A credit note or a cancellation gives money back: its quantities and amounts print
    // negative (as the document list shows them), and its last total row states the credit
    // in the words of the document page, so it never reads like a second bill.
    let correction = c.doc_type.is_correction();
    let sign = if correction {
        Decimal::NEGATIVE_ONE
    } else {
        Decimal::ONE
    };
    let signed = |v: Decimal| money(sign * v);
    let prices = c.doc_type.shows_prices();
    let charges_vat = c.tax_mode.charges_vat();
    let title = Msg::doc_type(c.doc_type).text(lang).to_string();
    let number = doc.number().map(|n| n.to_string()).unwrap_or_default();
    let draft = doc.is_draft();

    let seller_name = seller.full_name();
    let sender_line = nonempty(
        &[
            &seller_name,
            &seller.street,
            &nonempty(&[&seller.postal_code, &seller.city], " "),
        ],
        " · ",
    );
    let mut recipient = vec![buyer.name.clone(), buyer.street.clone()];
    recipient.push(nonempty(&[&buyer.postal_code, &buyer.city], " "));
    recipient.extend(country_line(&buyer.country, &seller.country));
    recipient.retain(|l| !l.trim().is_empty());

    let mut info: Vec<(String, String)> = Vec::new();
    let number_label = match c.doc_type {
        DocumentType::Quote => Msg::PdfQuoteNo.text(lang),
        DocumentType::OrderConfirmation => Msg::PdfOrderNo.text(lang),
        DocumentType::DeliveryNote => Msg::PdfDeliveryNoteNo.text(lang),
        _ => Msg::PdfInvoiceNo.text(lang),
    };
    info.push((
        number_label.into(),
        if number.is_empty() {
            Msg::PdfDraft.text(lang).into()
        } else {
            number.clone()
        },
    ));
    info.push((Msg::PdfDate.text(lang).into(), format::date(c.date, en)));
    if let Some(d) = c.delivery_date {
        info.push((Msg::PdfDeliveryDate.text(lang).into(), format::date(d, en)));
    }
    if c.doc_type == DocumentType::Quote
        && let Some(d) = c.due_date
    {
        info.push((Msg::PdfValidUntil.text(lang).into(), format::date(d, en)));
    }
    if !extras.customer_number.is_empty() {
        info.push((
            Msg::PdfCustomerNo.text(lang).into(),
            extras.customer_number.clone(),
        ));
    }
    if !buyer.buyer_reference.is_empty() {
        info.push((
            Msg::PdfYourReference.text(lang).into(),
            buyer.buyer_reference.clone(),
        ));
    }
    if let Some(id) = &buyer.vat_id {
        info.push((Msg::PdfYourVatId.text(lang).into(), id.to_string()));
    }
    if !seller.contact_name.is_empty() {
        info.push((
            Msg::PdfContact.text(lang).into(),
            seller.contact_name.clone(),
        ));
    }
    if !seller.contact_phone.is_empty() {
        info.push((
            Msg::PdfPhone.text(lang).into(),
            seller.contact_phone.clone(),
        ));
    }
    if !seller.contact_email.is_empty() {
        info.push((
            Msg::PdfEmail.text(lang).into(),
            seller.contact_email.clone(),
        ));
    }

    let subject = if doc.texts().subject.trim().is_empty() {
        nonempty(&[&title, &number], " ")
    } else {
        doc.texts().subject.clone()
    };

    // Columns: position, description, quantity, unit, unit price, VAT rate, total.
    let cols = &extras.columns;
    let show_vat = prices && charges_vat && cols.vat_rate;
    let mut columns = Vec::new();
    if cols.position {
        columns.push(Column {
            key: "pos",
            label: Msg::PdfColumnPosition.text(lang),
            width: 9,
            align: "left",
        });
    }
    columns.push(Column {
        key: "description",
        label: Msg::PdfColumnDescription.text(lang),
        width: 0,
        align: "left",
    });
    columns.push(Column {
        key: "quantity",
        label: Msg::PdfColumnQuantity.text(lang),
        width: 16,
        align: "right",
    });
    if cols.unit {
        columns.push(Column {
            key: "unit",
            label: Msg::PdfColumnUnit.text(lang),
            width: 15,
            align: "left",
        });
    }
    if prices && cols.unit_price {
        columns.push(Column {
            key: "unit_price",
            label: Msg::PdfColumnUnitPrice.text(lang),
            width: 25,
            align: "right",
        });
    }
    if show_vat {
        columns.push(Column {
            key: "vat_rate",
            label: Msg::PdfVat.text(lang),
            width: 12,
            align: "right",
        });
    }
    if prices {
        columns.push(Column {
            key: "total",
            label: Msg::PdfColumnTotal.text(lang),
            width: 26,
            align: "right",
        });
    }

    let mut lines = Vec::with_capacity(c.lines.len());
    let mut pos = 0;
    let mut running = Decimal::ZERO;
    for line in &c.lines {
        let (title, detail) = match line.description.trim_end().split_once('\n') {
            Some((a, b)) => (a.trim_end().to_string(), b.trim_end().to_string()),
            None => (line.description.trim_end().to_string(), String::new()),
        };
        if line.kind == LineKind::Text {
            lines.push(RowData {
                kind: "text",
                optional: false,
                title,
                detail,
                values: BTreeMap::new(),
                cells: Vec::new(),
                run: None,
            });
            continue;
        }
        pos += 1;
        let amounts = line_amounts(line);
        let mut values = BTreeMap::new();
        values.insert("pos", pos.to_string());
        values.insert("quantity", format::quantity(sign * line.quantity, en));
        values.insert("unit", line.unit.label(lang.as_str()).to_string());
        let mut price = format::unit_price(line.unit_price, cur, en);
        if !line.discount_percent.is_zero() {
            price = format!("{price}\n−{}", format::percent(line.discount_percent, en));
        }
        values.insert("unit_price", price);
        values.insert(
            "vat_rate",
            format::percent(c.tax_mode.effective_rate(line.vat_rate.percent()), en),
        );
        let optional = line.kind == LineKind::Optional;
        let total = if optional {
            format!("({})", signed(amounts.net))
        } else {
            signed(amounts.net)
        };
        values.insert("total", total);
        let run = if prices && !optional {
            running += amounts.net;
            Some(signed(running))
        } else {
            None
        };
        let cells = columns
            .iter()
            .map(|col| values.get(col.key).cloned().unwrap_or_default())
            .collect();
        lines.push(RowData {
            kind: "item",
            optional,
            title,
            detail,
            values,
            cells,
            run,
        });
    }

    let mut totals = if prices {
        totals_rows(doc, lang, &signed)
    } else {
        Vec::new()
    };
    if correction && prices {
        // Nothing is due from the customer: the credit instead of an amount due.
        let due = Msg::PdfAmountDue.text(lang);
        totals.retain(|r| r.label != due);
        totals.push(TotalRow {
            label: Msg::DocsCredit.text(lang).into(),
            value: money(doc.totals().due),
            strong: true,
            rule: false,
        });
    }
    let deduction = deduction(doc, lang, &money);

    let mut notes = Vec::new();
    if let Some(note) = c.tax_mode.legal_note(lang.as_str()) {
        notes.push(note.to_string());
    }
    let receivable = c.doc_type.is_receivable() && doc.totals().due > Decimal::ZERO;
    let debit = c.payment_method == PaymentMethod::DirectDebit;
    if receivable {
        notes.push(payment_text(doc, seller, buyer, lang, &number, &money));
    }
    if c.doc_type == DocumentType::Quote {
        notes.push(Msg::PdfQuoteNote.text(lang).to_string());
    }
    if c.doc_type == DocumentType::DeliveryNote {
        notes.push(Msg::PdfDeliveryNoteReceipt.text(lang).to_string());
    }

    let qr_payload = seller
        .iban
        .as_ref()
        .filter(|_| receivable && !debit && cur == "EUR" && !number.is_empty())
        .and_then(|iban| {
            crate::girocode::payload(
                &seller_name,
                iban,
                seller.bic.as_ref(),
                doc.totals().due,
                &format!("{} {}", title, number),
            )
        });

    let mut footer = vec![
        vec![
            seller_name.clone(),
            seller.street.clone(),
            nonempty(&[&seller.postal_code, &seller.city], " "),
        ],
        vec![],
        vec![],
        vec![],
    ];
    if !seller.contact_phone.is_empty() {
        footer[1].push(format!(
            "{} {}",
            Msg::PdfFooterPhone.text(lang),
            seller.contact_phone
        ));
    }
    if !seller.contact_email.is_empty() {
        footer[1].push(seller.contact_email.clone());
    }
    if !seller.managing_directors.is_empty() {
        footer[1].push(format!(
            "{}: {}",
            Msg::PdfManagingDirectors.text(lang),
            seller.managing_directors
        ));
    }
    if !seller.registry.is_empty() {
        footer[2].push(seller.registry.clone());
    }
    if !seller.tax_number.is_empty() {
        footer[2].push(format!(
            "{} {}",
            Msg::PdfTaxNumber.text(lang),
            seller.tax_number
        ));
    }
    if let Some(id) = &seller.vat_id {
        footer[2].push(format!("{} {}", Msg::PdfVatId.text(lang), id));
    }
    if !seller.bank_name.is_empty() {
        footer[3].push(seller.bank_name.clone());
    }
    if let Some(iban) = &seller.iban {
        footer[3].push(format!("IBAN {}", iban.grouped()));
    }
    if let Some(bic) = &seller.bic {
        footer[3].push(format!("BIC {bic}"));
    }
    for col in &mut footer {
        col.retain(|l| !l.trim().is_empty());
    }
    footer.retain(|c| !c.is_empty());

    let data = Data {
        lang: lang.as_str(),
        title,
        number,
        draft,
        accent: extras.accent.clone(),
        font: extras.font.name(),
        facturx: extras.facturx_xml.is_some() && !draft,
        labels: Labels {
            page: Msg::PdfPage.text(lang),
            of: Msg::PdfPageOf.text(lang),
            carry: Msg::PdfCarry.text(lang),
            carried: Msg::PdfCarried.text(lang),
            optional: Msg::PdfOptional.text(lang),
            draft: "ENTWURF / DRAFT",
            qr: Msg::PdfQr.text(lang),
        },
        seller: Seller {
            name: seller_name,
            tagline: extras.tagline.clone(),
        },
        sender_line,
        recipient,
        info,
        subject,
        reference: extras.reference.clone(),
        intro: doc.texts().intro.clone(),
        columns,
        lines,
        totals,
        deduction,
        notes,
        closing: doc.texts().closing.clone(),
        footer,
        logo: extras.logo.as_ref().map(|l| match l.format {
            LogoFormat::Png => "png",
            LogoFormat::Jpeg => "jpg",
            LogoFormat::Svg => "svg",
        }),
        qr: qr_payload.is_some(),
    };
    (data, qr_payload)
}

/// The payment terms under the totals: due date, Skonto steps with their amounts,
/// and either the bank transfer details or the SEPA direct debit notice (pre-notification:
/// amount, date, mandate reference, creditor identifier).
fn payment_text(
    doc: Printable<'_>,
    seller: &CompanyProfile,
    buyer: &ContactData,
    lang: Language,
    number: &str,
    money: &dyn Fn(Decimal) -> String,
) -> String {
    let c = doc.content();
    let en = lang == Language::En;
    let due_amount = doc.totals().due;
    let debit = c.payment_method == PaymentMethod::DirectDebit;
    let mut text = if debit {
        let when = match c.due_date {
            Some(d) => format!("{} {}", Msg::PdfOnDueDate.text(lang), format::date(d, en)),
            None => Msg::PdfAfterInvoicing.text(lang).to_string(),
        };
        let iban = buyer
            .sepa_debtor_iban
            .as_ref()
            .map(kontor_domain::Iban::masked)
            .unwrap_or_default();
        Msg::PdfDirectDebit
            .text(lang)
            .replace("{amount}", &money(due_amount))
            .replace("{when}", &when)
            .replace("{iban}", &iban)
            .replace("{mandate}", &buyer.sepa_mandate_reference)
            .replace("{creditor}", &seller.creditor_id)
    } else if !c.skonto.is_empty() {
        let mut s = match c.due_date {
            Some(d) => format!(
                "{} {} {}",
                Msg::PdfPayableBy.text(lang),
                format::date(d, en),
                Msg::PdfWithoutDeduction.text(lang)
            ),
            None => Msg::PdfPayableImmediately.text(lang).to_string(),
        };
        for step in &c.skonto {
            let until = step.until(c.date).unwrap_or(c.date);
            s.push_str(&format!(
                "; {} {} {} {} ({})",
                Msg::PdfIfPaidBy.text(lang),
                format::date(until, en),
                format::percent(step.percent, en),
                Msg::PdfSkonto.text(lang),
                money(step.amount(due_amount))
            ));
        }
        s.push('.');
        s
    } else {
        match c.due_date {
            Some(d) => format!("{} {}.", Msg::PdfTransferBy.text(lang), format::date(d, en)),
            None => Msg::PdfPayableImmediatelySentence.text(lang).to_string(),
        }
    };
    if debit && !c.skonto.is_empty() {
        for step in &c.skonto {
            let until = step.until(c.date).unwrap_or(c.date);
            text.push_str(&format!(
                " {} {} {} {} ({}).",
                Msg::PdfIfPaidBySentence.text(lang),
                format::date(until, en),
                format::percent(step.percent, en),
                Msg::PdfSkonto.text(lang),
                money(step.amount(due_amount))
            ));
        }
    }
    if let Some(iban) = seller.iban.as_ref().filter(|_| !debit) {
        text.push_str(&format!(
            " {} {} · IBAN {}{}",
            Msg::PdfBankAccount.text(lang),
            seller.bank_name,
            iban.grouped(),
            match &seller.bic {
                Some(bic) => format!(" · BIC {bic}"),
                None => String::new(),
            },
        ));
        if !number.is_empty() {
            text.push_str(&format!(
                " · {} {}",
                Msg::PdfPaymentReference.text(lang),
                number
            ));
        }
    }
    text
}

/// An IBAN with only its country, check digits and last four characters shown.
fn totals_rows(
    doc: Printable<'_>,
    lang: Language,
    money: &dyn Fn(Decimal) -> String,
) -> Vec<TotalRow> {
    let c = doc.content();
    let en = lang == Language::En;
    let tt = doc.totals();
    let row = |label: String, value: Decimal, strong: bool, rule: bool| TotalRow {
        label,
        value: money(value),
        strong,
        rule,
    };
    let mut rows = Vec::new();
    if !tt.allowance_total.is_zero() {
        rows.push(row(
            Msg::PdfItemsTotal.text(lang).into(),
            tt.line_total,
            false,
            false,
        ));
        rows.push(row(
            format!(
                "{} {}",
                Msg::PdfLessDiscount.text(lang),
                format::percent(c.discount_percent, en)
            ),
            -tt.allowance_total,
            false,
            false,
        ));
    }
    match c.tax_mode {
        TaxMode::Standard => {
            if tt.vat_breakdown.len() > 1 {
                for g in &tt.vat_breakdown {
                    rows.push(row(
                        format!(
                            "{} {} {}",
                            Msg::PdfNetAmount.text(lang),
                            format::percent(g.rate, en),
                            Msg::PdfVat.text(lang)
                        ),
                        g.taxable,
                        false,
                        false,
                    ));
                }
            }
            rows.push(row(
                Msg::PdfTotalNet.text(lang).into(),
                tt.net,
                false,
                false,
            ));
            for g in &tt.vat_breakdown {
                rows.push(row(
                    format!(
                        "{} {} {} {}",
                        Msg::PdfPlusVat.text(lang),
                        format::percent(g.rate, en),
                        Msg::PdfVatOn.text(lang),
                        money(g.taxable)
                    ),
                    g.vat,
                    false,
                    false,
                ));
            }
            rows.push(row(
                Msg::PdfTotalGross.text(lang).into(),
                tt.gross,
                true,
                true,
            ));
            // § 16 Abs. 6 UStG: the VAT of a foreign-currency invoice also in EUR (negative
            // on a correction, like its other amounts).
            if let (Some(vat_eur), Some(rate)) = (c.vat_in_eur(tt.vat), c.exchange_rate) {
                let vat_eur = if c.doc_type.is_correction() {
                    -vat_eur
                } else {
                    vat_eur
                };
                rows.push(TotalRow {
                    label: format!(
                        "{} (1 EUR = {} {})",
                        Msg::PdfVatInEur.text(lang),
                        format::number(rate, rate.normalize().scale().max(2), en),
                        c.currency
                    ),
                    value: format::money(vat_eur, "EUR", en),
                    strong: false,
                    rule: false,
                });
            }
        }
        TaxMode::SmallBusiness => {
            // No rate and no VAT amount may appear (§ 14c UStG).
            rows.push(row(Msg::PdfTotal.text(lang).into(), tt.gross, true, true));
        }
        _ => {
            rows.push(row(
                Msg::PdfTotalNetExempt.text(lang).into(),
                tt.net,
                false,
                false,
            ));
            rows.push(row(
                format!("{} 0 %", Msg::PdfVat.text(lang)),
                Decimal::ZERO,
                false,
                false,
            ));
            rows.push(row(Msg::PdfTotal.text(lang).into(), tt.gross, true, true));
        }
    }
    // With deducted down payments, the deduction block ends with the amount due.
    if !tt.prepaid.is_zero() && c.down_payments.is_empty() {
        rows.push(row(
            Msg::PdfLessPrepaid.text(lang).into(),
            -tt.prepaid,
            false,
            false,
        ));
        rows.push(row(Msg::PdfAmountDue.text(lang).into(), tt.due, true, true));
    }
    rows
}

/// The deduction block of a final invoice; `None` without deducted down payments. Rates and
/// VAT show only where the invoice shows VAT (never for a § 19 small business, § 14c UStG).
fn deduction(
    doc: Printable<'_>,
    lang: Language,
    money: &dyn Fn(Decimal) -> String,
) -> Option<Deduction> {
    let c = doc.content();
    if c.down_payments.is_empty() || !c.doc_type.shows_prices() {
        return None;
    }
    let en = lang == Language::En;
    let tt = doc.totals();
    let with_vat = c.tax_mode == TaxMode::Standard;
    let mut columns = vec![
        Msg::PdfDownPaymentInvoice.text(lang).to_string(),
        Msg::PdfDate.text(lang).to_string(),
        Msg::PdfColumnNet.text(lang).to_string(),
    ];
    if with_vat {
        columns.extend([
            Msg::PdfColumnVatRate.text(lang).to_string(),
            Msg::PdfVat.text(lang).to_string(),
            Msg::PdfColumnGross.text(lang).to_string(),
        ]);
    }
    let numeric = (0..columns.len()).map(|i| i >= 2).collect();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for dp in &c.down_payments {
        for (i, g) in dp.groups.iter().enumerate() {
            let (number, date) = if i == 0 {
                (dp.number.to_string(), format::date(dp.date, en))
            } else {
                (String::new(), String::new())
            };
            let mut row = vec![number, date, money(g.net)];
            if with_vat {
                row.extend([format::percent(g.rate, en), money(g.vat), money(g.gross())]);
            }
            rows.push(row);
        }
        if !dp.is_paid() {
            notes.push(
                Msg::PdfDownPaymentOpen
                    .text(lang)
                    .replace("{number}", dp.number.as_str())
                    .replace("{amount}", &money(dp.open)),
            );
        }
    }
    let row = |label: String, value: Decimal, strong: bool, rule: bool| TotalRow {
        label,
        value: money(value),
        strong,
        rule,
    };
    let mut totals = vec![row(
        Msg::PdfLessDownPayments.text(lang).into(),
        -tt.down_payments,
        false,
        false,
    )];
    if !tt.prepaid.is_zero() {
        totals.push(row(
            Msg::PdfLessPrepaid.text(lang).into(),
            -tt.prepaid,
            false,
            false,
        ));
    }
    totals.push(row(Msg::PdfAmountDue.text(lang).into(), tt.due, true, true));
    if with_vat {
        for g in down_payment::remaining(tt, &c.down_payments) {
            let rate = format::percent(g.rate, en);
            totals.push(row(
                Msg::PdfRemainingNet.text(lang).replace("{rate}", &rate),
                g.net,
                false,
                false,
            ));
            totals.push(row(
                Msg::PdfRemainingVat.text(lang).replace("{rate}", &rate),
                g.vat,
                false,
                false,
            ));
        }
    }
    Some(Deduction {
        title: Msg::PdfDownPayments.text(lang).into(),
        columns,
        numeric,
        rows,
        totals,
        notes,
    })
}
