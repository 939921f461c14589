//! XRechnung as OASIS UBL 2.1 Invoice / CreditNote. Element order follows the UBL schemas.

use rust_decimal::Decimal;
use std::io;

use crate::common::{self, Address, amount, decimal_min2, iso_date, quantity};
use crate::xml::Xml;
use crate::{CUSTOMIZATION_ID, Invoice, PROFILE_ID};

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

pub(crate) fn write(inv: &Invoice<'_>) -> io::Result<Vec<u8>> {
    let c = inv.content;
    let t = inv.totals;
    let credit = common::is_credit_note(c.doc_type);
    let cur = c.currency.as_str();
    let (root, ns) = if credit {
        ("ubl:CreditNote", NS_CREDIT_NOTE)
    } else {
        ("ubl:Invoice", NS_INVOICE)
    };
    let mut x = Xml::new()?;
    x.open_with(
        root,
        &[
            ("xmlns:ubl", ns),
            ("xmlns:cac", NS_CAC),
            ("xmlns:cbc", NS_CBC),
        ],
    )?;
    x.leaf("cbc:CustomizationID", CUSTOMIZATION_ID)?;
    x.leaf("cbc:ProfileID", PROFILE_ID)?;
    x.leaf("cbc:ID", inv.number)?;
    x.leaf("cbc:IssueDate", &iso_date(c.date))?;
    if credit {
        x.leaf("cbc:CreditNoteTypeCode", common::type_code(c.doc_type))?;
    } else {
        if let Some(due) = c.due_date {
            x.leaf("cbc:DueDate", &iso_date(due))?;
        }
        x.leaf("cbc:InvoiceTypeCode", common::type_code(c.doc_type))?;
    }
    for note in common::notes(inv) {
        x.leaf("cbc:Note", &note)?;
    }
    x.leaf("cbc:DocumentCurrencyCode", cur)?;
    let vat_eur = common::vat_in_eur(inv);
    if vat_eur.is_some() {
        x.leaf("cbc:TaxCurrencyCode", "EUR")?;
    }
    x.leaf("cbc:BuyerReference", &inv.buyer.buyer_reference)?;
    for (number, date) in common::preceding(inv) {
        x.open("cac:BillingReference")?;
        x.open("cac:InvoiceDocumentReference")?;
        x.leaf("cbc:ID", number)?;
        if let Some(d) = date {
            x.leaf("cbc:IssueDate", &iso_date(d))?;
        }
        x.close("cac:InvoiceDocumentReference")?;
        x.close("cac:BillingReference")?;
    }
    seller(&mut x, inv)?;
    buyer(&mut x, inv)?;

    // BG-13 delivery: date and, where known or needed, the deliver-to address.
    let delivery = common::delivery_address(inv);
    if c.delivery_date.is_some() || delivery.is_some() {
        x.open("cac:Delivery")?;
        if let Some(d) = c.delivery_date {
            x.leaf("cbc:ActualDeliveryDate", &iso_date(d))?;
        }
        if let Some(a) = &delivery {
            x.open("cac:DeliveryLocation")?;
            address(&mut x, "cac:Address", a)?;
            x.close("cac:DeliveryLocation")?;
        }
        x.close("cac:Delivery")?;
    }

    // BG-16 payment instructions: SEPA credit transfer to the seller's account, or a SEPA
    // direct debit under the buyer's mandate (BT-89) from the buyer's account (BT-91).
    if common::direct_debit(inv) {
        x.open("cac:PaymentMeans")?;
        x.leaf("cbc:PaymentMeansCode", "59")?;
        x.leaf("cbc:PaymentID", inv.number)?;
        x.open("cac:PaymentMandate")?;
        x.leaf("cbc:ID", &inv.buyer.sepa_mandate_reference)?;
        x.open("cac:PayerFinancialAccount")?;
        x.leaf("cbc:ID", common::iban(&inv.buyer.sepa_debtor_iban))?;
        x.close("cac:PayerFinancialAccount")?;
        x.close("cac:PaymentMandate")?;
        x.close("cac:PaymentMeans")?;
    } else if common::credit_transfer(inv) {
        x.open("cac:PaymentMeans")?;
        x.leaf("cbc:PaymentMeansCode", "58")?;
        x.leaf("cbc:PaymentID", inv.number)?;
        x.open("cac:PayeeFinancialAccount")?;
        x.leaf("cbc:ID", common::iban(&inv.seller.iban))?;
        x.leaf("cbc:Name", &inv.seller.name)?;
        if let Some(bic) = &inv.seller.bic {
            x.open("cac:FinancialInstitutionBranch")?;
            x.leaf("cbc:ID", bic.as_str())?;
            x.close("cac:FinancialInstitutionBranch")?;
        }
        x.close("cac:PayeeFinancialAccount")?;
        x.close("cac:PaymentMeans")?;
    }
    x.open("cac:PaymentTerms")?;
    x.leaf_lines("cbc:Note", &common::payment_terms(inv))?;
    x.close("cac:PaymentTerms")?;

    // BG-20: the document discount, one allowance per VAT group.
    let pct = common::discount(inv);
    for g in t.vat_breakdown.iter().filter(|g| !g.allowance.is_zero()) {
        x.open("cac:AllowanceCharge")?;
        x.leaf("cbc:ChargeIndicator", "false")?;
        x.leaf("cbc:AllowanceChargeReasonCode", common::DISCOUNT_CODE)?;
        x.leaf("cbc:AllowanceChargeReason", common::discount_reason(inv))?;
        x.leaf("cbc:MultiplierFactorNumeric", &decimal_min2(pct))?;
        money(&mut x, "cbc:Amount", g.allowance, cur)?;
        money(&mut x, "cbc:BaseAmount", g.line_total, cur)?;
        x.open("cac:TaxCategory")?;
        x.leaf("cbc:ID", g.category.code())?;
        x.leaf("cbc:Percent", &common::rate(g.rate))?;
        tax_scheme(&mut x)?;
        x.close("cac:TaxCategory")?;
        x.close("cac:AllowanceCharge")?;
    }

    // BG-23 VAT breakdown.
    x.open("cac:TaxTotal")?;
    money(&mut x, "cbc:TaxAmount", t.vat, cur)?;
    for g in &t.vat_breakdown {
        x.open("cac:TaxSubtotal")?;
        money(&mut x, "cbc:TaxableAmount", g.taxable, cur)?;
        money(&mut x, "cbc:TaxAmount", g.vat, cur)?;
        x.open("cac:TaxCategory")?;
        x.leaf("cbc:ID", g.category.code())?;
        x.leaf("cbc:Percent", &common::rate(g.rate))?;
        let (code, reason) = common::exemption(inv, g.category);
        if let Some(code) = code {
            x.leaf("cbc:TaxExemptionReasonCode", code)?;
        }
        if let Some(reason) = reason {
            x.leaf("cbc:TaxExemptionReason", reason)?;
        }
        tax_scheme(&mut x)?;
        x.close("cac:TaxCategory")?;
        x.close("cac:TaxSubtotal")?;
    }
    x.close("cac:TaxTotal")?;
    if let Some(vat) = vat_eur {
        // BT-111: the VAT total in EUR (§ 16 Abs. 6 UStG), a second TaxTotal without subtotals.
        x.open("cac:TaxTotal")?;
        money(&mut x, "cbc:TaxAmount", vat, "EUR")?;
        x.close("cac:TaxTotal")?;
    }

    // BG-22 totals.
    x.open("cac:LegalMonetaryTotal")?;
    money(&mut x, "cbc:LineExtensionAmount", t.line_total, cur)?;
    money(&mut x, "cbc:TaxExclusiveAmount", t.net, cur)?;
    money(&mut x, "cbc:TaxInclusiveAmount", t.gross, cur)?;
    if !t.allowance_total.is_zero() {
        money(&mut x, "cbc:AllowanceTotalAmount", t.allowance_total, cur)?;
    }
    // BT-113: down payments deducted on a final invoice and other prepayments.
    if !t.paid_in_advance().is_zero() {
        money(&mut x, "cbc:PrepaidAmount", t.paid_in_advance(), cur)?;
    }
    money(&mut x, "cbc:PayableAmount", t.due, cur)?;
    x.close("cac:LegalMonetaryTotal")?;

    // BG-25 lines.
    let (line_tag, qty_tag) = if credit {
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    for l in common::lines(inv) {
        x.open(line_tag)?;
        x.leaf("cbc:ID", &l.id.to_string())?;
        x.leaf_with(
            qty_tag,
            &[("unitCode", l.line.unit.as_str())],
            &quantity(l.line.quantity),
        )?;
        money(&mut x, "cbc:LineExtensionAmount", l.amounts.net, cur)?;
        if !l.amounts.allowance.is_zero() {
            x.open("cac:AllowanceCharge")?;
            x.leaf("cbc:ChargeIndicator", "false")?;
            x.leaf("cbc:AllowanceChargeReasonCode", common::DISCOUNT_CODE)?;
            x.leaf("cbc:AllowanceChargeReason", common::discount_reason(inv))?;
            x.leaf(
                "cbc:MultiplierFactorNumeric",
                &common::line_allowance_percent(l.line),
            )?;
            money(&mut x, "cbc:Amount", l.amounts.allowance, cur)?;
            money(&mut x, "cbc:BaseAmount", l.amounts.gross, cur)?;
            x.close("cac:AllowanceCharge")?;
        }
        x.open("cac:Item")?;
        if let Some(d) = l.description {
            x.leaf("cbc:Description", d)?;
        }
        x.leaf("cbc:Name", l.name)?;
        x.open("cac:ClassifiedTaxCategory")?;
        x.leaf("cbc:ID", l.category.code())?;
        x.leaf("cbc:Percent", &common::rate(l.rate))?;
        tax_scheme(&mut x)?;
        x.close("cac:ClassifiedTaxCategory")?;
        x.close("cac:Item")?;
        x.open("cac:Price")?;
        money_raw(
            &mut x,
            "cbc:PriceAmount",
            &decimal_min2(l.line.unit_price),
            cur,
        )?;
        x.close("cac:Price")?;
        x.close(line_tag)?;
    }
    x.close(root)?;
    Ok(x.finish())
}

fn money(x: &mut Xml, tag: &str, value: Decimal, currency: &str) -> io::Result<()> {
    money_raw(x, tag, &amount(value), currency)
}

fn money_raw(x: &mut Xml, tag: &str, value: &str, currency: &str) -> io::Result<()> {
    x.leaf_with(tag, &[("currencyID", currency)], value)
}

fn tax_scheme(x: &mut Xml) -> io::Result<()> {
    x.open("cac:TaxScheme")?;
    x.leaf("cbc:ID", "VAT")?;
    x.close("cac:TaxScheme")
}

fn address(x: &mut Xml, tag: &str, a: &Address<'_>) -> io::Result<()> {
    x.open(tag)?;
    x.leaf("cbc:StreetName", a.street)?;
    x.leaf("cbc:CityName", a.city)?;
    x.leaf("cbc:PostalZone", a.postal_code)?;
    x.open("cac:Country")?;
    x.leaf("cbc:IdentificationCode", a.country)?;
    x.close("cac:Country")?;
    x.close(tag)
}

fn party_tax_scheme(x: &mut Xml, id: &str, scheme: &str) -> io::Result<()> {
    if id.trim().is_empty() {
        return Ok(());
    }
    x.open("cac:PartyTaxScheme")?;
    x.leaf("cbc:CompanyID", id)?;
    x.open("cac:TaxScheme")?;
    x.leaf("cbc:ID", scheme)?;
    x.close("cac:TaxScheme")?;
    x.close("cac:PartyTaxScheme")
}

fn seller(x: &mut Xml, inv: &Invoice<'_>) -> io::Result<()> {
    let s = inv.seller;
    x.open("cac:AccountingSupplierParty")?;
    x.open("cac:Party")?;
    x.leaf_with("cbc:EndpointID", &[("schemeID", "EM")], &s.contact_email)?;
    if let Some(id) = common::seller_identifier(inv) {
        x.open("cac:PartyIdentification")?;
        x.leaf("cbc:ID", id)?;
        x.close("cac:PartyIdentification")?;
    }
    if common::direct_debit(inv) {
        // BT-90: the SEPA creditor identifier.
        x.open("cac:PartyIdentification")?;
        x.leaf_with("cbc:ID", &[("schemeID", "SEPA")], &s.creditor_id)?;
        x.close("cac:PartyIdentification")?;
    }
    address(x, "cac:PostalAddress", &common::seller_address(inv))?;
    party_tax_scheme(x, common::vat_id(&s.vat_id), "VAT")?;
    party_tax_scheme(x, &s.tax_number, "FC")?;
    x.open("cac:PartyLegalEntity")?;
    x.leaf("cbc:RegistrationName", &s.name)?;
    x.leaf("cbc:CompanyLegalForm", &common::seller_legal_info(inv))?;
    x.close("cac:PartyLegalEntity")?;
    x.open("cac:Contact")?;
    x.leaf("cbc:Name", &s.contact_name)?;
    x.leaf("cbc:Telephone", &s.contact_phone)?;
    x.leaf("cbc:ElectronicMail", &s.contact_email)?;
    x.close("cac:Contact")?;
    x.close("cac:Party")?;
    x.close("cac:AccountingSupplierParty")
}

fn buyer(x: &mut Xml, inv: &Invoice<'_>) -> io::Result<()> {
    let b = inv.buyer;
    x.open("cac:AccountingCustomerParty")?;
    x.open("cac:Party")?;
    x.leaf_with("cbc:EndpointID", &[("schemeID", "EM")], &b.email)?;
    address(x, "cac:PostalAddress", &common::buyer_address(inv))?;
    party_tax_scheme(x, common::vat_id(&b.vat_id), "VAT")?;
    x.open("cac:PartyLegalEntity")?;
    x.leaf("cbc:RegistrationName", &b.name)?;
    x.close("cac:PartyLegalEntity")?;
    if !b.phone.trim().is_empty() || !b.email.trim().is_empty() {
        x.open("cac:Contact")?;
        x.leaf("cbc:Telephone", &b.phone)?;
        x.leaf("cbc:ElectronicMail", &b.email)?;
        x.close("cac:Contact")?;
    }
    x.close("cac:Party")?;
    x.close("cac:AccountingCustomerParty")
}
