//! The XML Schema essentials that matter for received invoices, reported as `XSD` like the
//! official wrapper's schema step: required elements of UBL 2.1 and CII D16B, and the lexical
//! forms of dates (xs:date), decimals (amounts, quantities, percentages) and booleans.
//! Not a full XSD engine: element order and unknown elements are not checked.

use super::{Ctx, Out};
use crate::read::xml::{self, N, is, path_of, text};

/// (parent element, required children) for UBL 2.1 Invoice / CreditNote.
const UBL_REQUIRED: &[(&str, &[&str])] = &[
    ("cac:LegalMonetaryTotal", &["cbc:PayableAmount"]),
    (
        "cac:InvoiceLine",
        &["cbc:ID", "cbc:LineExtensionAmount", "cac:Item"],
    ),
    (
        "cac:CreditNoteLine",
        &["cbc:ID", "cbc:LineExtensionAmount", "cac:Item"],
    ),
    ("cac:TaxTotal", &["cbc:TaxAmount"]),
    ("cac:TaxSubtotal", &["cbc:TaxAmount", "cac:TaxCategory"]),
    (
        "cac:AllowanceCharge",
        &["cbc:ChargeIndicator", "cbc:Amount"],
    ),
    ("cac:PaymentMeans", &["cbc:PaymentMeansCode"]),
    ("cac:AdditionalDocumentReference", &["cbc:ID"]),
    ("cac:InvoiceDocumentReference", &["cbc:ID"]),
    ("cac:OrderReference", &["cbc:ID"]),
    ("cac:PartyName", &["cbc:Name"]),
    ("cac:PartyIdentification", &["cbc:ID"]),
    ("cac:PartyTaxScheme", &["cac:TaxScheme"]),
    ("cac:Price", &["cbc:PriceAmount"]),
    ("cac:AdditionalItemProperty", &["cbc:Name", "cbc:Value"]),
    ("cac:ProjectReference", &["cbc:ID"]),
    ("cac:ContractDocumentReference", &["cbc:ID"]),
    ("cac:DespatchDocumentReference", &["cbc:ID"]),
    ("cac:ReceiptDocumentReference", &["cbc:ID"]),
    ("cac:OriginatorDocumentReference", &["cbc:ID"]),
    (
        "cac:CardAccount",
        &["cbc:PrimaryAccountNumberID", "cbc:NetworkID"],
    ),
    ("cac:Country", &[]),
];

fn xsd(out: &mut Out, n: N<'_>, de: &str, en: &str) {
    out.fatal("XSD", &path_of(n), de, en);
}

pub fn check(ctx: &Ctx<'_>, fx: Option<super::facturx::Level>, out: &mut Out) {
    let _ = fx;
    if ctx.ubl() {
        ubl(ctx, out)
    } else {
        cii(ctx, out)
    }
}

fn missing(out: &mut Out, parent: N<'_>, child: &str) {
    xsd(
        out,
        parent,
        &format!(
            "Element '{}': das Pflichtelement '{child}' fehlt.",
            parent.tag_name().name()
        ),
        &format!(
            "Element '{}': missing child element '{child}'.",
            parent.tag_name().name()
        ),
    );
}

fn ubl(ctx: &Ctx<'_>, out: &mut Out) {
    let root = ctx.root;
    let line = if ctx.syntax == crate::read::Syntax::UblCreditNote {
        "cac:CreditNoteLine"
    } else {
        "cac:InvoiceLine"
    };
    for c in [
        "cbc:ID",
        "cbc:IssueDate",
        "cac:AccountingSupplierParty",
        "cac:AccountingCustomerParty",
        "cac:LegalMonetaryTotal",
        line,
    ] {
        if xml::child(root, c).is_none() {
            missing(out, root, c);
        }
    }
    for n in root.descendants().filter(|n| n.is_element()) {
        if let Some((_, req)) = UBL_REQUIRED.iter().find(|(p, _)| is(n, p)) {
            for c in req.iter() {
                if xml::child(n, c).is_none() {
                    missing(out, n, c);
                }
            }
        }
        if n.tag_name().namespace() != Some(xml::NS_CBC) {
            continue;
        }
        let name = n.tag_name().name();
        let value = text(n).unwrap_or_default();
        if name.ends_with("Date") {
            if xml::xs_date(&value).is_none() {
                xsd(
                    out,
                    n,
                    &format!("'{value}' ist kein gültiges Datum (xs:date, JJJJ-MM-TT)."),
                    &format!("'{value}' is not a valid value of the atomic type 'xs:date'."),
                );
            }
        } else if n.attribute("currencyID").is_some()
            || name.ends_with("Quantity")
            || name == "Percent"
            || name == "MultiplierFactorNumeric"
        {
            if !xml::is_xs_decimal(&value) {
                xsd(
                    out,
                    n,
                    &format!("'{value}' ist keine gültige Dezimalzahl."),
                    &format!("'{value}' is not a valid value of the atomic type 'xs:decimal'."),
                );
            }
        } else if name.ends_with("Indicator") && xml::boolean(&value).is_none() {
            xsd(
                out,
                n,
                &format!("'{value}' ist kein gültiger Wahrheitswert."),
                &format!("'{value}' is not a valid value of the atomic type 'xs:boolean'."),
            );
        }
    }
}

fn cii(ctx: &Ctx<'_>, out: &mut Out) {
    let root = ctx.root;
    for c in [
        "rsm:ExchangedDocumentContext",
        "rsm:ExchangedDocument",
        "rsm:SupplyChainTradeTransaction",
    ] {
        if xml::child(root, c).is_none() {
            missing(out, root, c);
        }
    }
    if let Some(c) = xml::child(root, "rsm:ExchangedDocumentContext")
        && xml::child(c, "ram:GuidelineSpecifiedDocumentContextParameter").is_none()
    {
        missing(out, c, "ram:GuidelineSpecifiedDocumentContextParameter");
    }
    if let Some(t) = xml::child(root, "rsm:SupplyChainTradeTransaction") {
        for c in [
            "ram:ApplicableHeaderTradeAgreement",
            "ram:ApplicableHeaderTradeDelivery",
            "ram:ApplicableHeaderTradeSettlement",
        ] {
            if xml::child(t, c).is_none() {
                missing(out, t, c);
            }
        }
    }
    for n in root.descendants().filter(|n| n.is_element()) {
        let ns = n.tag_name().namespace();
        let name = n.tag_name().name();
        let value = text(n).unwrap_or_default();
        if ns == Some(xml::NS_RAM)
            && (name.ends_with("Amount") || name.ends_with("Quantity") || name.ends_with("Percent"))
            && !n.children().any(|c| c.is_element())
        {
            if !xml::is_xs_decimal(&value) {
                xsd(
                    out,
                    n,
                    &format!("'{value}' ist keine gültige Dezimalzahl."),
                    &format!("'{value}' is not a valid value of the atomic type 'xs:decimal'."),
                );
            }
        } else if ns == Some(xml::NS_UDT) && name == "Indicator" && xml::boolean(&value).is_none() {
            xsd(
                out,
                n,
                &format!("'{value}' ist kein gültiger Wahrheitswert."),
                &format!("'{value}' is not a valid value of the atomic type 'xs:boolean'."),
            );
        }
    }
}

/// CII-DT-097 (EN 16931 CII): a `udt:DateTimeString` with format 102 must be CCYYMMDD.
pub fn cii_dates(ctx: &Ctx<'_>, out: &mut Out) {
    for n in ctx
        .root
        .descendants()
        .filter(|n| is(*n, "udt:DateTimeString"))
    {
        if n.attribute("format") != Some("102") {
            continue;
        }
        let v = text(n).unwrap_or_default();
        let ok = v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) && {
            let m = v.get(4..6).unwrap_or("");
            let d = v.get(6..8).unwrap_or("");
            ("01".."13").contains(&m) && ("01".."32").contains(&d)
        };
        if !ok {
            out.fatal(
                "CII-DT-097",
                &path_of(n),
                &format!("Datum '{v}' im Format 102 muss JJJJMMTT sein."),
                &format!("Date time string '{v}' with format attribute 102 shall be YYYYMMDD."),
            );
        }
    }
}
