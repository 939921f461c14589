//! XRechnung as UN/CEFACT Cross Industry Invoice D16B. Element order follows the D16B schema.

use rust_decimal::Decimal;
use std::io;

use crate::common::{self, Address, amount, date_102, decimal_min2, quantity};
use crate::xml::Xml;
use crate::{CUSTOMIZATION_ID, FACTURX_GUIDELINE, Invoice, PROFILE_ID, Profile};

const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
const NS_QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

pub(crate) fn write(inv: &Invoice<'_>, profile: Profile) -> io::Result<Vec<u8>> {
    let c = inv.content;
    let t = inv.totals;
    let cur = c.currency.as_str();
    let mut x = Xml::new()?;
    x.open_with(
        "rsm:CrossIndustryInvoice",
        &[
            ("xmlns:rsm", NS_RSM),
            ("xmlns:ram", NS_RAM),
            ("xmlns:udt", NS_UDT),
            ("xmlns:qdt", NS_QDT),
        ],
    )?;
    x.open("rsm:ExchangedDocumentContext")?;
    // BT-23 is the Peppol process XRechnung asks for; Factur-X leaves it out.
    if profile == Profile::XRechnung {
        x.open("ram:BusinessProcessSpecifiedDocumentContextParameter")?;
        x.leaf("ram:ID", PROFILE_ID)?;
        x.close("ram:BusinessProcessSpecifiedDocumentContextParameter")?;
    }
    x.open("ram:GuidelineSpecifiedDocumentContextParameter")?;
    x.leaf(
        "ram:ID",
        match profile {
            Profile::XRechnung => CUSTOMIZATION_ID,
            Profile::FacturX => FACTURX_GUIDELINE,
        },
    )?;
    x.close("ram:GuidelineSpecifiedDocumentContextParameter")?;
    x.close("rsm:ExchangedDocumentContext")?;

    x.open("rsm:ExchangedDocument")?;
    x.leaf("ram:ID", inv.number)?;
    x.leaf("ram:TypeCode", common::type_code(c.doc_type))?;
    date_time(&mut x, "ram:IssueDateTime", c.date)?;
    for note in common::notes(inv) {
        x.open("ram:IncludedNote")?;
        x.leaf("ram:Content", &note)?;
        x.close("ram:IncludedNote")?;
    }
    x.close("rsm:ExchangedDocument")?;

    x.open("rsm:SupplyChainTradeTransaction")?;
    for l in common::lines(inv) {
        x.open("ram:IncludedSupplyChainTradeLineItem")?;
        x.open("ram:AssociatedDocumentLineDocument")?;
        x.leaf("ram:LineID", &l.id.to_string())?;
        x.close("ram:AssociatedDocumentLineDocument")?;
        x.open("ram:SpecifiedTradeProduct")?;
        x.leaf("ram:Name", l.name)?;
        if let Some(d) = l.description {
            x.leaf("ram:Description", d)?;
        }
        x.close("ram:SpecifiedTradeProduct")?;
        x.open("ram:SpecifiedLineTradeAgreement")?;
        x.open("ram:NetPriceProductTradePrice")?;
        x.leaf("ram:ChargeAmount", &decimal_min2(l.line.unit_price))?;
        x.close("ram:NetPriceProductTradePrice")?;
        x.close("ram:SpecifiedLineTradeAgreement")?;
        x.open("ram:SpecifiedLineTradeDelivery")?;
        x.leaf_with(
            "ram:BilledQuantity",
            &[("unitCode", l.line.unit.as_str())],
            &quantity(l.line.quantity),
        )?;
        x.close("ram:SpecifiedLineTradeDelivery")?;
        x.open("ram:SpecifiedLineTradeSettlement")?;
        x.open("ram:ApplicableTradeTax")?;
        x.leaf("ram:TypeCode", "VAT")?;
        x.leaf("ram:CategoryCode", l.category.code())?;
        x.leaf("ram:RateApplicablePercent", &common::rate(l.rate))?;
        x.close("ram:ApplicableTradeTax")?;
        if !l.amounts.allowance.is_zero() {
            allowance(
                &mut x,
                &common::line_allowance_percent(l.line),
                l.amounts.gross,
                l.amounts.allowance,
                common::discount_reason(inv),
                None,
            )?;
        }
        x.open("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
        x.leaf("ram:LineTotalAmount", &amount(l.amounts.net))?;
        x.close("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
        x.close("ram:SpecifiedLineTradeSettlement")?;
        x.close("ram:IncludedSupplyChainTradeLineItem")?;
    }

    x.open("ram:ApplicableHeaderTradeAgreement")?;
    x.leaf("ram:BuyerReference", &inv.buyer.buyer_reference)?;
    seller(&mut x, inv)?;
    buyer(&mut x, inv)?;
    x.close("ram:ApplicableHeaderTradeAgreement")?;

    x.open("ram:ApplicableHeaderTradeDelivery")?;
    if let Some(a) = common::delivery_address(inv) {
        x.open("ram:ShipToTradeParty")?;
        address(&mut x, &a)?;
        x.close("ram:ShipToTradeParty")?;
    }
    if let Some(d) = c.delivery_date {
        x.open("ram:ActualDeliverySupplyChainEvent")?;
        date_time(&mut x, "ram:OccurrenceDateTime", d)?;
        x.close("ram:ActualDeliverySupplyChainEvent")?;
    }
    x.close("ram:ApplicableHeaderTradeDelivery")?;

    x.open("ram:ApplicableHeaderTradeSettlement")?;
    let debit = common::direct_debit(inv);
    if debit {
        // BT-90: the seller's SEPA creditor identifier.
        x.leaf("ram:CreditorReferenceID", &inv.seller.creditor_id)?;
    }
    x.leaf("ram:PaymentReference", inv.number)?;
    let vat_eur = common::vat_in_eur(inv);
    if vat_eur.is_some() {
        x.leaf("ram:TaxCurrencyCode", "EUR")?;
    }
    x.leaf("ram:InvoiceCurrencyCode", cur)?;
    if debit {
        // BG-16 with code 59 and the debited account BT-91 (BG-19).
        x.open("ram:SpecifiedTradeSettlementPaymentMeans")?;
        x.leaf("ram:TypeCode", "59")?;
        x.open("ram:PayerPartyDebtorFinancialAccount")?;
        x.leaf("ram:IBANID", common::iban(&inv.buyer.sepa_debtor_iban))?;
        x.close("ram:PayerPartyDebtorFinancialAccount")?;
        x.close("ram:SpecifiedTradeSettlementPaymentMeans")?;
    } else if common::credit_transfer(inv) {
        x.open("ram:SpecifiedTradeSettlementPaymentMeans")?;
        x.leaf("ram:TypeCode", "58")?;
        x.open("ram:PayeePartyCreditorFinancialAccount")?;
        x.leaf("ram:IBANID", common::iban(&inv.seller.iban))?;
        x.leaf("ram:AccountName", &inv.seller.name)?;
        x.close("ram:PayeePartyCreditorFinancialAccount")?;
        if let Some(bic) = &inv.seller.bic {
            x.open("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
            x.leaf("ram:BICID", bic.as_str())?;
            x.close("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
        }
        x.close("ram:SpecifiedTradeSettlementPaymentMeans")?;
    }

    for g in &t.vat_breakdown {
        x.open("ram:ApplicableTradeTax")?;
        x.leaf("ram:CalculatedAmount", &amount(g.vat))?;
        x.leaf("ram:TypeCode", "VAT")?;
        let (code, reason) = common::exemption(inv, g.category);
        if let Some(reason) = reason {
            x.leaf("ram:ExemptionReason", reason)?;
        }
        x.leaf("ram:BasisAmount", &amount(g.taxable))?;
        x.leaf("ram:CategoryCode", g.category.code())?;
        if let Some(code) = code {
            x.leaf("ram:ExemptionReasonCode", code)?;
        }
        x.leaf("ram:RateApplicablePercent", &common::rate(g.rate))?;
        x.close("ram:ApplicableTradeTax")?;
    }

    let pct = decimal_min2(common::discount(inv));
    for g in t.vat_breakdown.iter().filter(|g| !g.allowance.is_zero()) {
        allowance(
            &mut x,
            &pct,
            g.line_total,
            g.allowance,
            common::discount_reason(inv),
            Some((g.category.code(), common::rate(g.rate))),
        )?;
    }

    x.open("ram:SpecifiedTradePaymentTerms")?;
    x.leaf_lines("ram:Description", &common::payment_terms(inv))?;
    if let Some(due) = c.due_date.filter(|_| c.doc_type.is_receivable()) {
        date_time(&mut x, "ram:DueDateDateTime", due)?;
    }
    if debit {
        // BT-89: the mandate reference.
        x.leaf(
            "ram:DirectDebitMandateID",
            &inv.buyer.sepa_mandate_reference,
        )?;
    }
    x.close("ram:SpecifiedTradePaymentTerms")?;

    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation")?;
    x.leaf("ram:LineTotalAmount", &amount(t.line_total))?;
    if !t.allowance_total.is_zero() {
        x.leaf("ram:AllowanceTotalAmount", &amount(t.allowance_total))?;
    }
    x.leaf("ram:TaxBasisTotalAmount", &amount(t.net))?;
    x.leaf_with("ram:TaxTotalAmount", &[("currencyID", cur)], &amount(t.vat))?;
    if let Some(vat) = vat_eur {
        // BT-111: the VAT total in EUR (§ 16 Abs. 6 UStG).
        x.leaf_with("ram:TaxTotalAmount", &[("currencyID", "EUR")], &amount(vat))?;
    }
    x.leaf("ram:GrandTotalAmount", &amount(t.gross))?;
    // BT-113: down payments deducted on a final invoice and other prepayments.
    if !t.paid_in_advance().is_zero() {
        x.leaf("ram:TotalPrepaidAmount", &amount(t.paid_in_advance()))?;
    }
    x.leaf("ram:DuePayableAmount", &amount(t.due))?;
    x.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation")?;

    // CII D16B has room for one preceding invoice: the corrected one. A final invoice's
    // down-payment invoices are in the note (BT-22) and in BT-113.
    if let Some(number) = inv.preceding_number {
        let date = inv.preceding_date;
        x.open("ram:InvoiceReferencedDocument")?;
        x.leaf("ram:IssuerAssignedID", number)?;
        if let Some(d) = date {
            x.open("ram:FormattedIssueDateTime")?;
            x.leaf_with("qdt:DateTimeString", &[("format", "102")], &date_102(d))?;
            x.close("ram:FormattedIssueDateTime")?;
        }
        x.close("ram:InvoiceReferencedDocument")?;
    }
    x.close("ram:ApplicableHeaderTradeSettlement")?;
    x.close("rsm:SupplyChainTradeTransaction")?;
    x.close("rsm:CrossIndustryInvoice")?;
    Ok(x.finish())
}

fn date_time(x: &mut Xml, tag: &str, d: chrono::NaiveDate) -> io::Result<()> {
    x.open(tag)?;
    x.leaf_with("udt:DateTimeString", &[("format", "102")], &date_102(d))?;
    x.close(tag)
}

fn allowance(
    x: &mut Xml,
    percent: &str,
    basis: Decimal,
    value: Decimal,
    reason: &str,
    tax: Option<(&str, String)>,
) -> io::Result<()> {
    x.open("ram:SpecifiedTradeAllowanceCharge")?;
    x.open("ram:ChargeIndicator")?;
    x.leaf("udt:Indicator", "false")?;
    x.close("ram:ChargeIndicator")?;
    x.leaf("ram:CalculationPercent", percent)?;
    x.leaf("ram:BasisAmount", &amount(basis))?;
    x.leaf("ram:ActualAmount", &amount(value))?;
    x.leaf("ram:ReasonCode", common::DISCOUNT_CODE)?;
    x.leaf("ram:Reason", reason)?;
    if let Some((category, rate)) = tax {
        x.open("ram:CategoryTradeTax")?;
        x.leaf("ram:TypeCode", "VAT")?;
        x.leaf("ram:CategoryCode", category)?;
        x.leaf("ram:RateApplicablePercent", &rate)?;
        x.close("ram:CategoryTradeTax")?;
    }
    x.close("ram:SpecifiedTradeAllowanceCharge")
}

fn address(x: &mut Xml, a: &Address<'_>) -> io::Result<()> {
    x.open("ram:PostalTradeAddress")?;
    x.leaf("ram:PostcodeCode", a.postal_code)?;
    x.leaf("ram:LineOne", a.street)?;
    x.leaf("ram:CityName", a.city)?;
    x.leaf("ram:CountryID", a.country)?;
    x.close("ram:PostalTradeAddress")
}

fn email_address(x: &mut Xml, email: &str) -> io::Result<()> {
    if email.trim().is_empty() {
        return Ok(());
    }
    x.open("ram:URIUniversalCommunication")?;
    x.leaf_with("ram:URIID", &[("schemeID", "EM")], email)?;
    x.close("ram:URIUniversalCommunication")
}

fn tax_registration(x: &mut Xml, id: &str, scheme: &str) -> io::Result<()> {
    if id.trim().is_empty() {
        return Ok(());
    }
    x.open("ram:SpecifiedTaxRegistration")?;
    x.leaf_with("ram:ID", &[("schemeID", scheme)], id)?;
    x.close("ram:SpecifiedTaxRegistration")
}

fn seller(x: &mut Xml, inv: &Invoice<'_>) -> io::Result<()> {
    let s = inv.seller;
    x.open("ram:SellerTradeParty")?;
    if let Some(id) = common::seller_identifier(inv) {
        x.leaf("ram:ID", id)?;
    }
    x.leaf("ram:Name", &s.name)?;
    x.leaf("ram:Description", &common::seller_legal_info(inv))?;
    x.open("ram:DefinedTradeContact")?;
    x.leaf("ram:PersonName", &s.contact_name)?;
    x.open("ram:TelephoneUniversalCommunication")?;
    x.leaf("ram:CompleteNumber", &s.contact_phone)?;
    x.close("ram:TelephoneUniversalCommunication")?;
    x.open("ram:EmailURIUniversalCommunication")?;
    x.leaf("ram:URIID", &s.contact_email)?;
    x.close("ram:EmailURIUniversalCommunication")?;
    x.close("ram:DefinedTradeContact")?;
    address(x, &common::seller_address(inv))?;
    email_address(x, &s.contact_email)?;
    tax_registration(x, &s.tax_number, "FC")?;
    tax_registration(x, common::vat_id(&s.vat_id), "VA")?;
    x.close("ram:SellerTradeParty")
}

fn buyer(x: &mut Xml, inv: &Invoice<'_>) -> io::Result<()> {
    let b = inv.buyer;
    x.open("ram:BuyerTradeParty")?;
    x.leaf("ram:Name", &b.name)?;
    address(x, &common::buyer_address(inv))?;
    email_address(x, &b.email)?;
    tax_registration(x, common::vat_id(&b.vat_id), "VA")?;
    x.close("ram:BuyerTradeParty")
}
