//! What Kontor reads out of a received e-invoice: every EN 16931 business term it can carry,
//! independent of the syntax (UBL or CII) it came in. Optional terms are `Option` / empty,
//! never required by the reader; the checker decides what is missing.
//!
//! Amounts are exact decimals exactly as written in the file (no rounding on read), so the
//! arithmetic re-check sees the supplier's own figures.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The syntax a received file came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// OASIS UBL 2.1 Invoice or CreditNote.
    Ubl,
    /// UN/CEFACT CII D16B (XRechnung CII, or a bare Factur-X / ZUGFeRD XML).
    Cii,
    /// A PDF with an embedded Factur-X / ZUGFeRD / XRechnung XML.
    Facturx,
    /// A PDF without structured data: kept, entered by hand.
    Pdf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ubl => "ubl",
            Format::Cii => "cii",
            Format::Facturx => "facturx",
            Format::Pdf => "pdf",
        }
    }
}

/// A postal address (BG-5, BG-8, BG-12, BG-15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub subdivision: Option<String>,
    /// ISO 3166-1 alpha-2 (BT-40, BT-55, ...).
    pub country: Option<String>,
}

/// A contact (BG-6, BG-9).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// An identifier with its optional scheme (e.g. BT-29 with a scheme, BT-34 with EAS code).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Id {
    pub value: String,
    pub scheme: Option<String>,
}

/// Seller (BG-4) or buyer (BG-7), or payee (BG-10) / seller's tax representative (BG-11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Party {
    /// BT-27 / BT-44: the legal name (UBL `RegistrationName`, else `PartyName`; CII `Name`).
    pub name: Option<String>,
    /// BT-28 / BT-45: a trading name when it differs.
    pub trading_name: Option<String>,
    /// BT-29 / BT-46: party identifiers.
    pub ids: Vec<Id>,
    /// BT-30 / BT-47: legal registration identifier.
    pub legal_id: Option<Id>,
    /// BT-31 / BT-48: VAT identifier.
    pub vat_id: Option<String>,
    /// BT-32: tax registration (Steuernummer), seller only.
    pub tax_number: Option<String>,
    /// BT-33: additional legal information.
    pub legal_info: Option<String>,
    /// BT-34 / BT-49: electronic address.
    pub electronic_address: Option<Id>,
    pub address: Option<Address>,
    pub contact: Option<Contact>,
}

impl Party {
    /// The name to show: the legal name (BT-27 / BT-44), else the trading name.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.trading_name.as_deref())
    }
}

/// BG-20 / BG-21 document level, BG-27 / BG-28 line level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllowanceCharge {
    /// `true` for a charge, `false` for an allowance.
    pub charge: bool,
    pub amount: Option<Decimal>,
    pub base_amount: Option<Decimal>,
    pub percentage: Option<Decimal>,
    /// Document level only: BT-95 / BT-102 VAT category and BT-96 / BT-103 rate.
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
    pub reason: Option<String>,
    pub reason_code: Option<String>,
}

/// BG-32 item attribute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemAttribute {
    pub name: String,
    pub value: String,
}

/// BG-25 invoice line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// BT-126.
    pub id: Option<String>,
    /// BT-127.
    pub note: Option<String>,
    /// BT-128 object identifier.
    pub object_id: Option<Id>,
    /// BT-129 invoiced quantity and BT-130 its unit code (UN/ECE Rec 20).
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
    /// BT-131 line net amount.
    pub net_amount: Option<Decimal>,
    /// BT-132 referenced purchase order line.
    pub order_line_ref: Option<String>,
    /// BT-133 buyer accounting reference.
    pub accounting_ref: Option<String>,
    /// BG-26 line period.
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub allowances_charges: Vec<AllowanceCharge>,
    /// BT-146 item net price, BT-147 price discount, BT-148 gross price, BT-149/150 base
    /// quantity and its unit.
    pub net_price: Option<Decimal>,
    pub price_discount: Option<Decimal>,
    pub gross_price: Option<Decimal>,
    pub base_quantity: Option<Decimal>,
    pub base_quantity_unit: Option<String>,
    /// BT-151 VAT category, BT-152 rate.
    pub vat_category: Option<String>,
    pub vat_rate: Option<Decimal>,
    /// BT-153 item name, BT-154 description.
    pub name: Option<String>,
    pub description: Option<String>,
    /// BT-155 seller's, BT-156 buyer's item id, BT-157 standard id (with scheme).
    pub seller_item_id: Option<String>,
    pub buyer_item_id: Option<String>,
    pub standard_item_id: Option<Id>,
    /// BT-158 classification ids, BT-159 country of origin.
    pub classifications: Vec<Id>,
    pub origin_country: Option<String>,
    /// BG-32.
    pub attributes: Vec<ItemAttribute>,
}

/// BG-23 VAT breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VatGroup {
    /// BT-116 taxable amount, BT-117 tax amount.
    pub taxable: Option<Decimal>,
    pub tax: Option<Decimal>,
    /// BT-118 category code, BT-119 rate.
    pub category: Option<String>,
    pub rate: Option<Decimal>,
    /// BT-120 exemption reason text, BT-121 its code.
    pub exemption_reason: Option<String>,
    pub exemption_code: Option<String>,
}

/// BG-22 document totals, as written by the supplier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// BT-106 sum of line net amounts.
    pub line_net: Option<Decimal>,
    /// BT-107 sum of allowances, BT-108 sum of charges.
    pub allowances: Option<Decimal>,
    pub charges: Option<Decimal>,
    /// BT-109 total without VAT.
    pub net: Option<Decimal>,
    /// BT-110 VAT total (in the document currency), BT-111 VAT total in the tax currency.
    pub vat: Option<Decimal>,
    pub vat_in_tax_currency: Option<Decimal>,
    /// BT-112 total with VAT.
    pub gross: Option<Decimal>,
    /// BT-113 paid amount, BT-114 rounding amount.
    pub prepaid: Option<Decimal>,
    pub rounding: Option<Decimal>,
    /// BT-115 amount due for payment.
    pub due: Option<Decimal>,
}

/// One Skonto step from the XRechnung convention `#SKONTO#TAGE=n#PROZENT=p#[BASISBETRAG=b#]`
/// in BT-20.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skonto {
    pub days: u32,
    pub percent: Decimal,
    pub base_amount: Option<Decimal>,
}

/// BG-16 payment instructions (one per payment means element).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentMeans {
    /// BT-81 UNCL4461 code (58 SEPA transfer, 59 SEPA direct debit, 48/54/55 card, ...),
    /// BT-82 its text.
    pub code: Option<String>,
    pub text: Option<String>,
    /// BT-83 remittance information.
    pub remittance: Option<String>,
    /// BG-17: BT-84 account (IBAN), BT-85 account name, BT-86 BIC.
    pub iban: Option<String>,
    pub account_name: Option<String>,
    pub bic: Option<String>,
    /// BG-18: BT-87 card number (last digits), BT-88 holder.
    pub card_number: Option<String>,
    pub card_holder: Option<String>,
    /// BG-19: BT-89 mandate reference, BT-90 creditor id, BT-91 debited account.
    pub mandate: Option<String>,
    pub creditor_id: Option<String>,
    pub debited_iban: Option<String>,
    /// Which of the groups BG-17 (credit transfer), BG-18 (card) and BG-19 (direct debit)
    /// are present as elements, even when empty (the XRechnung rules BR-DE-23..25 ask this).
    pub has_transfer: bool,
    pub has_card: bool,
    pub has_direct_debit: bool,
}

/// BG-24 additional supporting document; an embedded attachment (BT-125) is kept as bytes
/// decoded from base64, never opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// BT-122 reference, BT-123 description, BT-124 external location.
    pub id: Option<String>,
    pub description: Option<String>,
    pub uri: Option<String>,
    /// BT-125 file name and MIME code.
    pub filename: Option<String>,
    pub mime: Option<String>,
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
    /// Size of the decoded content in bytes.
    pub size: Option<usize>,
}

/// A preceding invoice (BG-3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrecedingInvoice {
    pub number: String,
    pub date: Option<NaiveDate>,
}

/// Every EN 16931 business term Kontor reads from a received invoice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    /// BT-24 specification identifier (e.g. the XRechnung or a Factur-X profile URN).
    pub customization_id: Option<String>,
    /// BT-23 business process.
    pub profile_id: Option<String>,
    /// BT-1 invoice number, BT-2 issue date, BT-3 type code (380, 381, 326, ...).
    pub number: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub type_code: Option<String>,
    /// `true` when the document is a credit note (UBL CreditNote or type code 381 / 261...).
    pub credit_note: bool,
    /// BT-5 document currency, BT-6 VAT accounting currency.
    pub currency: Option<String>,
    pub tax_currency: Option<String>,
    /// BT-7 tax point date, BT-8 its code.
    pub tax_point_date: Option<NaiveDate>,
    pub tax_point_code: Option<String>,
    /// BT-9 due date.
    pub due_date: Option<NaiveDate>,
    /// BT-10 buyer reference (Leitweg-ID for public buyers).
    pub buyer_reference: Option<String>,
    /// BT-11 project, BT-12 contract, BT-13 purchase order, BT-14 sales order, BT-15 receiving
    /// advice, BT-16 despatch advice, BT-17 tender or lot, BT-18 invoiced object, BT-19
    /// buyer accounting reference.
    pub project_ref: Option<String>,
    pub contract_ref: Option<String>,
    pub order_ref: Option<String>,
    pub sales_order_ref: Option<String>,
    pub receiving_advice_ref: Option<String>,
    pub despatch_advice_ref: Option<String>,
    pub tender_ref: Option<String>,
    pub invoiced_object: Option<Id>,
    pub accounting_ref: Option<String>,
    /// BT-20 payment terms (the text as written), and the Skonto steps parsed from it.
    pub payment_terms: Option<String>,
    pub skonto: Vec<Skonto>,
    /// BG-1 notes (BT-21 subject code, BT-22 text), as "code: text" when coded.
    pub notes: Vec<String>,
    /// BG-3.
    pub preceding: Vec<PrecedingInvoice>,
    pub seller: Party,
    pub buyer: Party,
    pub payee: Option<Party>,
    pub tax_representative: Option<Party>,
    /// BG-13 delivery: BT-70 deliver-to name, BT-71 location id, BT-72 actual delivery date,
    /// BG-14 invoicing period, BG-15 deliver-to address.
    pub delivery_name: Option<String>,
    pub delivery_location: Option<Id>,
    pub delivery_date: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub delivery_address: Option<Address>,
    pub payment_means: Vec<PaymentMeans>,
    pub allowances_charges: Vec<AllowanceCharge>,
    pub totals: Totals,
    pub vat_breakdown: Vec<VatGroup>,
    pub lines: Vec<Line>,
    pub attachments: Vec<Attachment>,
    /// BT-110 as written once per currency: every document-level VAT total with its
    /// `currencyID` (UBL `TaxTotal/TaxAmount`, CII `TaxTotalAmount`).
    pub vat_totals: Vec<(Decimal, Option<String>)>,
}
