//! Kontor's own negatives: valid official examples with one defect each (a textual edit),
//! each expected to break one rule. They are written to a temp dir, checked with
//! `check_bytes`, and the official validator runs once over all of them: it must report the
//! expected fatal id (so each negative is known to be right), and Kontor must give the same
//! verdict and the same set of fatal ids.

// Test helpers outside #[test] functions stop loudly too (see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{einvoice_dir, official, ours};
use std::path::PathBuf;

const UBL: &str =
    "examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml";
const CII: &str =
    "examples/xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_uncefact.xml";
const EN_UBL: &str = "examples/en16931-1.3.15/ubl/ubl-tc434-example2.xml";
const FX_BASIC: &str = "examples/zugferd-2.3-ferd/zugferd_2p3_BASIC_Einfach.xml";
const DD_UBL: &str =
    "examples/xrechnung-testsuite-2026-01-31/business-cases/standard/03.01a-INVOICE_ubl.xml";
const COMP_UBL: &str =
    "examples/xrechnung-testsuite-2026-01-31/technical-cases/cius/01.01_comprehensive_test_ubl.xml";
const FX_MIN: &str = "examples/zugferd-2.3-ferd/zugferd_2p3_MINIMUM_Rechnung.xml";
const FX_WL: &str = "examples/zugferd-2.3-ferd/zugferd_2p3_BASIC-WL_Einfach.xml";
const FX_EXT: &str = "examples/zugferd-2.3-ferd/zugferd_2p3_EXTENDED_Warenrechnung.xml";

/// (name, base file, text to find (first occurrence), replacement, expected fatal rule id).
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    // Totals.
    (
        "ubl-co16",
        UBL,
        ">336.9</cbc:PayableAmount>",
        ">346.9</cbc:PayableAmount>",
        "BR-CO-16",
    ),
    (
        "ubl-co15",
        UBL,
        ">336.9</cbc:TaxInclusiveAmount>",
        ">337.9</cbc:TaxInclusiveAmount>",
        "BR-CO-15",
    ),
    (
        "ubl-co10",
        UBL,
        "<cbc:LineExtensionAmount currencyID=\"EUR\">314.86<",
        "<cbc:LineExtensionAmount currencyID=\"EUR\">315.86<",
        "BR-CO-10",
    ),
    (
        "ubl-co13",
        UBL,
        "<cbc:TaxExclusiveAmount currencyID=\"EUR\">314.86<",
        "<cbc:TaxExclusiveAmount currencyID=\"EUR\">313.86<",
        "BR-CO-13",
    ),
    (
        "ubl-co14",
        UBL,
        "<cbc:TaxAmount currencyID=\"EUR\">22.04</cbc:TaxAmount>\n        <cac:TaxSubtotal>",
        "<cbc:TaxAmount currencyID=\"EUR\">23.04</cbc:TaxAmount>\n        <cac:TaxSubtotal>",
        "BR-CO-14",
    ),
    (
        "ubl-co17",
        UBL,
        "<cbc:TaxAmount currencyID=\"EUR\">22.04</cbc:TaxAmount>\n            <cac:TaxCategory>",
        "<cbc:TaxAmount currencyID=\"EUR\">25.04</cbc:TaxAmount>\n            <cac:TaxCategory>",
        "BR-CO-17",
    ),
    (
        "ubl-co11",
        UBL,
        "<cbc:PayableAmount currencyID",
        "<cbc:AllowanceTotalAmount currencyID=\"EUR\">5.00</cbc:AllowanceTotalAmount><cbc:PayableAmount currencyID",
        "BR-CO-11",
    ),
    (
        "ubl-co25",
        UBL,
        "<cbc:Note>Zahlbar sofort ohne Abzug.</cbc:Note>",
        "",
        "BR-CO-25",
    ),
    ("ubl-co09", UBL, ">DE 123456789<", ">123456789<", "BR-CO-09"),
    (
        "ubl-dec09",
        UBL,
        "<cbc:LineExtensionAmount currencyID=\"EUR\">314.86<",
        "<cbc:LineExtensionAmount currencyID=\"EUR\">314.860<",
        "BR-DEC-09",
    ),
    (
        "ubl-dec23",
        UBL,
        ">26.07</cbc:LineExtensionAmount>",
        ">26.070</cbc:LineExtensionAmount>",
        "BR-DEC-23",
    ),
    (
        "cii-co16",
        CII,
        "<ram:DuePayableAmount>336.9<",
        "<ram:DuePayableAmount>346.9<",
        "BR-CO-16",
    ),
    (
        "cii-co15",
        CII,
        "<ram:GrandTotalAmount>336.9<",
        "<ram:GrandTotalAmount>337.9<",
        "BR-CO-15",
    ),
    (
        "cii-co14",
        CII,
        "currencyID=\"EUR\">22.04<",
        "currencyID=\"EUR\">23.04<",
        "BR-CO-14",
    ),
    (
        "cii-co13",
        CII,
        "<ram:TaxBasisTotalAmount>314.86<",
        "<ram:TaxBasisTotalAmount>313.86<",
        "BR-CO-13",
    ),
    (
        "cii-co10",
        CII,
        "<ram:LineTotalAmount>314.86<",
        "<ram:LineTotalAmount>315.86<",
        "BR-CO-10",
    ),
    (
        "cii-co25",
        CII,
        "<ram:Description>Zahlbar sofort ohne Abzug.</ram:Description>",
        "",
        "BR-CO-25",
    ),
    // VAT categories.
    (
        "ubl-s08",
        UBL,
        "<cbc:TaxableAmount currencyID=\"EUR\">314.86<",
        "<cbc:TaxableAmount currencyID=\"EUR\">300.00<",
        "BR-S-08",
    ),
    (
        "cii-s08",
        CII,
        "<ram:BasisAmount>314.86<",
        "<ram:BasisAmount>314.00<",
        "BR-S-08",
    ),
    (
        "ubl-s05",
        UBL,
        "<cbc:ID>S</cbc:ID>\n                <cbc:Percent>7</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:ClassifiedTaxCategory>\n        </cac:Item>\n        <cac:Price>\n            <cbc:PriceAmount currencyID=\"EUR\">26.07",
        "<cbc:ID>S</cbc:ID>\n                <cbc:Percent>0</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:ClassifiedTaxCategory>\n        </cac:Item>\n        <cac:Price>\n            <cbc:PriceAmount currencyID=\"EUR\">26.07",
        "BR-S-05",
    ),
    (
        "cii-z01",
        CII,
        "<ram:CategoryCode>S</ram:CategoryCode>\n                    <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "<ram:CategoryCode>Z</ram:CategoryCode>\n                    <ram:RateApplicablePercent>0</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "BR-Z-01",
    ),
    (
        "cii-e01",
        CII,
        "<ram:CategoryCode>S</ram:CategoryCode>\n                    <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "<ram:CategoryCode>E</ram:CategoryCode>\n                    <ram:RateApplicablePercent>0</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "BR-E-01",
    ),
    (
        "cii-ae02",
        CII,
        "<ram:CategoryCode>S</ram:CategoryCode>\n                    <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "<ram:CategoryCode>AE</ram:CategoryCode>\n                    <ram:RateApplicablePercent>0</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "BR-AE-02",
    ),
    (
        "cii-s10",
        CII,
        "<ram:TypeCode>VAT</ram:TypeCode>\n                <ram:BasisAmount>314.86",
        "<ram:TypeCode>VAT</ram:TypeCode><ram:ExemptionReason>frei</ram:ExemptionReason>\n                <ram:BasisAmount>314.86",
        "BR-S-10",
    ),
    // XRechnung national rules.
    (
        "ubl-de15",
        UBL,
        "<cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>",
        "",
        "BR-DE-15",
    ),
    (
        "ubl-de2",
        UBL,
        "<cac:Contact>\n                <cbc:Name>nicht vorhanden</cbc:Name>\n                <cbc:Telephone>+49 1234-5678</cbc:Telephone>\n                <cbc:ElectronicMail>seller@email.de</cbc:ElectronicMail>\n            </cac:Contact>",
        "",
        "BR-DE-2",
    ),
    (
        "ubl-de3",
        UBL,
        "<cbc:CityName>[Seller city]</cbc:CityName>",
        "",
        "BR-DE-3",
    ),
    (
        "ubl-de4",
        UBL,
        "[Seller city]</cbc:CityName>\n                <cbc:PostalZone>12345</cbc:PostalZone>",
        "[Seller city]</cbc:CityName>",
        "BR-DE-4",
    ),
    (
        "ubl-de5",
        UBL,
        "<cbc:Name>nicht vorhanden</cbc:Name>",
        "",
        "BR-DE-5",
    ),
    (
        "ubl-de6",
        UBL,
        "<cbc:Telephone>+49 1234-5678</cbc:Telephone>",
        "",
        "BR-DE-6",
    ),
    (
        "ubl-de7",
        UBL,
        "<cbc:ElectronicMail>seller@email.de</cbc:ElectronicMail>",
        "",
        "BR-DE-7",
    ),
    (
        "ubl-de8",
        UBL,
        "<cbc:CityName>[Buyer city]</cbc:CityName>",
        "",
        "BR-DE-8",
    ),
    (
        "ubl-de9",
        UBL,
        "[Buyer city]</cbc:CityName>\n                <cbc:PostalZone>12345</cbc:PostalZone>",
        "[Buyer city]</cbc:CityName>",
        "BR-DE-9",
    ),
    (
        "ubl-de14",
        UBL,
        "<cbc:ID>S</cbc:ID>\n                <cbc:Percent>7</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:TaxCategory>",
        "<cbc:ID>S</cbc:ID>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:TaxCategory>",
        "BR-DE-14",
    ),
    (
        "ubl-de16",
        UBL,
        "<cac:PartyTaxScheme>\n                <cbc:CompanyID>DE 123456789</cbc:CompanyID>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:PartyTaxScheme>",
        "",
        "BR-DE-16",
    ),
    (
        "ubl-de18",
        UBL,
        "<cbc:Note>Zahlbar sofort ohne Abzug.</cbc:Note>",
        "<cbc:Note>#SKONTO#TAGE=14#PROZENT=2#\n</cbc:Note>",
        "BR-DE-18",
    ),
    (
        "ubl-de1",
        UBL,
        "<cac:PaymentMeans>\n        <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>\n        <cac:PayeeFinancialAccount>\n            <!-- dies ist eine nicht existerende aber valide IBAN als test dummy -->\n            <cbc:ID>DE75512108001245126199</cbc:ID>\n        </cac:PayeeFinancialAccount>\n    </cac:PaymentMeans>",
        "",
        "BR-DE-1",
    ),
    (
        "ubl-de23a",
        UBL,
        "<cac:PayeeFinancialAccount>\n            <!-- dies ist eine nicht existerende aber valide IBAN als test dummy -->\n            <cbc:ID>DE75512108001245126199</cbc:ID>\n        </cac:PayeeFinancialAccount>",
        "",
        "BR-DE-23-a",
    ),
    (
        "ubl-de24a",
        UBL,
        "<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>",
        "<cbc:PaymentMeansCode>54</cbc:PaymentMeansCode>",
        "BR-DE-24-a",
    ),
    (
        "ubl-de25a",
        UBL,
        "<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>",
        "<cbc:PaymentMeansCode>59</cbc:PaymentMeansCode>",
        "BR-DE-25-a",
    ),
    (
        "cii-de15",
        CII,
        "<ram:BuyerReference>04011000-12345-03</ram:BuyerReference>",
        "",
        "BR-DE-15",
    ),
    (
        "cii-de3",
        CII,
        "<ram:CityName>[Seller city]</ram:CityName>",
        "",
        "BR-DE-3",
    ),
    (
        "cii-de9",
        CII,
        "<ram:PostcodeCode>12345</ram:PostcodeCode>\n                    <ram:LineOne>[Buyer",
        "<ram:LineOne>[Buyer",
        "BR-DE-9",
    ),
    (
        "cii-de16",
        CII,
        "<ram:SpecifiedTaxRegistration>\n                    <ram:ID schemeID=\"VA\">DE 123456789</ram:ID>\n                </ram:SpecifiedTaxRegistration>",
        "",
        "BR-DE-16",
    ),
    (
        "cii-de18",
        CII,
        "<ram:Description>Zahlbar sofort ohne Abzug.</ram:Description>",
        "<ram:Description>#SKONTO#TAGE=14#PROZENT=2.00#</ram:Description>",
        "BR-DE-18",
    ),
    (
        "cii-de1",
        CII,
        "<ram:SpecifiedTradeSettlementPaymentMeans>\n                <ram:TypeCode>58</ram:TypeCode>\n                <ram:PayeePartyCreditorFinancialAccount>\n                    <!-- dies ist eine nicht existerende aber valide IBAN als test dummy -->\n                    <ram:IBANID>DE75512108001245126199</ram:IBANID>\n                </ram:PayeePartyCreditorFinancialAccount>\n            </ram:SpecifiedTradeSettlementPaymentMeans>",
        "",
        "BR-DE-1",
    ),
    // Peppol rules inside XRechnung.
    (
        "ubl-r001",
        UBL,
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>",
        "",
        "PEPPOL-EN16931-R001",
    ),
    (
        "ubl-r020",
        UBL,
        "<cbc:EndpointID schemeID=\"EM\">seller@email.de</cbc:EndpointID>",
        "",
        "PEPPOL-EN16931-R020",
    ),
    (
        "ubl-r010",
        UBL,
        "<cbc:EndpointID schemeID=\"EM\">buyer@info.de</cbc:EndpointID>",
        "",
        "PEPPOL-EN16931-R010",
    ),
    (
        "ubl-r008",
        UBL,
        "<cbc:BuyerReference>",
        "<cbc:AccountingCost></cbc:AccountingCost><cbc:BuyerReference>",
        "PEPPOL-EN16931-R008",
    ),
    (
        "ubl-r121",
        UBL,
        "<cbc:PriceAmount currencyID=\"EUR\">26.07</cbc:PriceAmount>",
        "<cbc:PriceAmount currencyID=\"EUR\">26.07</cbc:PriceAmount><cbc:BaseQuantity unitCode=\"XPP\">0</cbc:BaseQuantity>",
        "PEPPOL-EN16931-R121",
    ),
    (
        "ubl-r130",
        UBL,
        "<cbc:PriceAmount currencyID=\"EUR\">26.07</cbc:PriceAmount>",
        "<cbc:PriceAmount currencyID=\"EUR\">26.07</cbc:PriceAmount><cbc:BaseQuantity unitCode=\"C62\">1</cbc:BaseQuantity>",
        "PEPPOL-EN16931-R130",
    ),
    (
        "cii-r020",
        CII,
        "<ram:URIUniversalCommunication>\n                    <ram:URIID schemeID=\"EM\">seller@email.de</ram:URIID>\n                </ram:URIUniversalCommunication>",
        "",
        "PEPPOL-EN16931-R020",
    ),
    // Code lists.
    (
        "ubl-cl04",
        UBL,
        "<cbc:DocumentCurrencyCode>EUR<",
        "<cbc:DocumentCurrencyCode>EUX<",
        "BR-CL-04",
    ),
    (
        "ubl-cl14",
        UBL,
        "<cbc:IdentificationCode>DE<",
        "<cbc:IdentificationCode>XX<",
        "BR-CL-14",
    ),
    (
        "ubl-cl16",
        UBL,
        "<cbc:PaymentMeansCode>58<",
        "<cbc:PaymentMeansCode>999<",
        "BR-CL-16",
    ),
    (
        "ubl-cl17",
        UBL,
        "<cbc:ID>S</cbc:ID>\n                <cbc:Percent>7</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:TaxCategory>",
        "<cbc:ID>X</cbc:ID>\n                <cbc:Percent>7</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:TaxCategory>",
        "BR-CL-17",
    ),
    (
        "ubl-cl25",
        UBL,
        "schemeID=\"EM\">seller@email.de<",
        "schemeID=\"XX\">seller@email.de<",
        "BR-CL-25",
    ),
    (
        "ubl-cl01",
        UBL,
        "<cbc:InvoiceTypeCode>380<",
        "<cbc:InvoiceTypeCode>999<",
        "BR-CL-01",
    ),
    (
        "ubl-cl13",
        UBL,
        "listID=\"IB\"",
        "listID=\"QQ\"",
        "BR-CL-13",
    ),
    ("ubl-cl08", UBL, "#ADU#", "#QQQ#", "BR-CL-08"),
    (
        "cii-cl18",
        CII,
        "<ram:CategoryCode>S</ram:CategoryCode>\n                <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n            </ram:ApplicableTradeTax>",
        "<ram:CategoryCode>X</ram:CategoryCode>\n                <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n            </ram:ApplicableTradeTax>",
        "BR-CL-18",
    ),
    (
        "cii-cl16",
        CII,
        "<ram:TypeCode>58<",
        "<ram:TypeCode>999<",
        "BR-CL-16",
    ),
    (
        "cii-cl08",
        CII,
        "<ram:SubjectCode>ADU<",
        "<ram:SubjectCode>QQQ<",
        "BR-CL-08",
    ),
    (
        "cii-cl14",
        CII,
        "<ram:CountryID>DE<",
        "<ram:CountryID>XX<",
        "BR-CL-14",
    ),
    (
        "en-ubl-cl23",
        EN_UBL,
        "unitCode=\"",
        "unitCode=\"QQ",
        "BR-CL-23",
    ),
    // Mandatory terms and structure.
    (
        "ubl-06",
        UBL,
        "<cbc:RegistrationName>[Seller name]</cbc:RegistrationName>",
        "",
        "BR-06",
    ),
    (
        "ubl-07",
        UBL,
        "<cbc:RegistrationName>[Buyer name]</cbc:RegistrationName>",
        "",
        "BR-07",
    ),
    (
        "ubl-25",
        UBL,
        "<cbc:Name>Porto + Versandkosten</cbc:Name>",
        "",
        "BR-25",
    ),
    (
        "ubl-27",
        UBL,
        ">26.07</cbc:PriceAmount>",
        ">-26.07</cbc:PriceAmount>",
        "BR-27",
    ),
    (
        "ubl-30",
        UBL,
        "<cbc:StartDate>2016-01-01</cbc:StartDate>",
        "<cbc:StartDate>2017-01-01</cbc:StartDate>",
        "BR-30",
    ),
    (
        "ubl-co03",
        UBL,
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n    <cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>",
        "<cbc:TaxPointDate>2016-04-04</cbc:TaxPointDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n    <cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference><cac:InvoicePeriod><cbc:DescriptionCode>3</cbc:DescriptionCode></cac:InvoicePeriod>",
        "BR-CO-03",
    ),
    ("ubl-02", UBL, "<cbc:ID>123456XX</cbc:ID>", "", "BR-02"),
    (
        "ubl-xsd-date",
        UBL,
        "<cbc:IssueDate>2016-04-04<",
        "<cbc:IssueDate>04.04.2016<",
        "XSD",
    ),
    (
        "ubl-xsd-date2",
        UBL,
        "<cbc:IssueDate>2016-04-04<",
        "<cbc:IssueDate>2016-4-4<",
        "XSD",
    ),
    ("cii-dt097", CII, ">20160404<", ">2016-04-04<", "CII-DT-097"),
    (
        "cii-06",
        CII,
        "<ram:Name>[Seller name]</ram:Name>",
        "",
        "BR-06",
    ),
    (
        "cii-21",
        CII,
        "<ram:LineID>Porto + Versandkosten</ram:LineID>",
        "",
        "BR-21",
    ),
    (
        "cii-26",
        CII,
        "<ram:NetPriceProductTradePrice>\n                    <ram:ChargeAmount>26.07</ram:ChargeAmount>\n                </ram:NetPriceProductTradePrice>",
        "",
        "BR-26",
    ),
    (
        "ubl-profile",
        UBL,
        "xrechnung_3.0</cbc:CustomizationID>",
        "xrechnung_2.3</cbc:CustomizationID>",
        "PROFILE",
    ),
    (
        "ubl-wellformed",
        UBL,
        "</ubl:Invoice>",
        "</ubl:Invoic>",
        "XML-WELLFORMED",
    ),
    (
        "ubl-doctype",
        UBL,
        "<ubl:Invoice ",
        "<!DOCTYPE x [<!ENTITY a \"b\">]>\n<ubl:Invoice ",
        "XML-DOCTYPE",
    ),
    // Factur-X profiles.
    (
        "fx-basic-co10",
        FX_BASIC,
        "<ram:LineTotalAmount>198.00</ram:LineTotalAmount>\r\n        <ram:ChargeTotalAmount>",
        "<ram:LineTotalAmount>199.00</ram:LineTotalAmount>\r\n        <ram:ChargeTotalAmount>",
        "BR-CO-10",
    ),
    (
        "fx-min-xsd",
        FX_MIN,
        "<ram:TaxBasisTotalAmount>198.00</ram:TaxBasisTotalAmount>",
        "",
        "XSD",
    ),
    (
        "fx-wl-co15",
        FX_WL,
        "<ram:GrandTotalAmount>18.08<",
        "<ram:GrandTotalAmount>19.08<",
        "BR-CO-15",
    ),
    (
        "ubl-de22",
        COMP_UBL,
        "filename=\"01_15_Anhang_02.pdf\"",
        "filename=\"01_15_Anhang_01.pdf\"",
        "BR-DE-22",
    ),
    (
        "ubl-de30",
        DD_UBL,
        "<cbc:ID schemeID=\"SEPA\">[Bank assigned creditor identifier]</cbc:ID>",
        "<cbc:ID>[Bank assigned creditor identifier]</cbc:ID>",
        "BR-DE-30",
    ),
    (
        "ubl-r061",
        DD_UBL,
        "<cbc:ID>[Mandate reference identifier]</cbc:ID>",
        "",
        "PEPPOL-EN16931-R061",
    ),
    (
        "ubl-o02",
        UBL,
        "<cbc:ID>S</cbc:ID>\n                <cbc:Percent>7</cbc:Percent>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:ClassifiedTaxCategory>\n        </cac:Item>\n        <cac:Price>\n            <cbc:PriceAmount currencyID=\"EUR\">26.07",
        "<cbc:ID>O</cbc:ID>\n                <cac:TaxScheme>\n                    <cbc:ID>VAT</cbc:ID>\n                </cac:TaxScheme>\n            </cac:ClassifiedTaxCategory>\n        </cac:Item>\n        <cac:Price>\n            <cbc:PriceAmount currencyID=\"EUR\">26.07",
        "BR-O-02",
    ),
    (
        "cii-g01",
        CII,
        "<ram:CategoryCode>S</ram:CategoryCode>\n                    <ram:RateApplicablePercent>7</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "<ram:CategoryCode>G</ram:CategoryCode>\n                    <ram:RateApplicablePercent>0</ram:RateApplicablePercent>\n                </ram:ApplicableTradeTax>\n                <ram:SpecifiedTradeSettlementLineMonetarySummation>\n                    <ram:LineTotalAmount>26.07",
        "BR-G-01",
    ),
    ("cii-co09", CII, ">DE 123456789<", ">123456789<", "BR-CO-09"),
    (
        "cii-de23a",
        CII,
        "<ram:PayeePartyCreditorFinancialAccount>\n                    <!-- dies ist eine nicht existerende aber valide IBAN als test dummy -->\n                    <ram:IBANID>DE75512108001245126199</ram:IBANID>\n                </ram:PayeePartyCreditorFinancialAccount>",
        "",
        "BR-DE-23-a",
    ),
    (
        "fx-ext-co16",
        FX_EXT,
        "<ram:DuePayableAmount>",
        "<ram:DuePayableAmount>1",
        "BR-FXEXT-CO-16",
    ),
];

fn base(path: &str) -> String {
    std::fs::read_to_string(einvoice_dir().join(path)).unwrap()
}

#[test]
fn own_negatives_agree_with_the_official_validator() {
    let dir =
        std::env::temp_dir().join(format!("kontor-einvoice-negatives-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    for (name, file, find, replace, _) in CASES {
        let text = base(file);
        assert!(
            text.contains(find),
            "{name}: the edit target is not in {file}"
        );
        let edited = text.replacen(find, replace, 1);
        assert_ne!(edited, text, "{name}: the edit changed nothing");
        let path = dir.join(format!("{name}.xml"));
        std::fs::write(&path, edited).unwrap();
        files.push(path);
    }
    let official = official(&files);
    let mut problems = Vec::new();
    for ((name, _, _, _, rule), path) in CASES.iter().zip(&files) {
        let want = &official[path];
        if !want.fatal.contains(*rule) {
            problems.push(format!(
                "{name}: the official validator does not report {rule}: {:?}",
                want.fatal
            ));
            continue;
        }
        let got = ours(&std::fs::read(path).unwrap());
        if got != *want {
            problems.push(format!(
                "{name} ({rule}):\n    official: valid={} fatal={:?}\n    kontor:   valid={} fatal={:?}",
                want.valid, want.fatal, got.valid, got.fatal
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let rules: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.4).collect();
    println!("{} negatives over {} rules", CASES.len(), rules.len());
    assert!(
        problems.is_empty(),
        "{} of {} negatives disagree:\n{}",
        problems.len(),
        CASES.len(),
        problems.join("\n")
    );
}
