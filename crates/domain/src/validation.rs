//! What must be present before a document may be issued (§ 14 Abs. 4 UStG, § 14a UStG,
//! EN 16931 business rules that a user can fix), named field by field.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::codes;
use crate::document::{DocumentContent, DocumentType};
use crate::party::{CompanyProfile, ContactData};
use crate::tax::TaxMode;
use crate::terms::PaymentMethod;

/// One reason a document cannot be issued yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field to fix, e.g. `company.vat_id`, `contact.street`, `lines[2].description`.
    pub field: String,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable message (English; the UI translates by code).
    pub message: String,
}

impl Problem {
    fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The message in German, for the web pages.
    pub fn message_de(&self) -> String {
        let field = &self.field;
        match self.code {
            "missing" => format!("Pflichtangabe fehlt: {field}"),
            "no_lines" => "Das Dokument hat keine berechnete Position.".into(),
            "small_business_mode" => {
                "Als Kleinunternehmer (§ 19 UStG) muss die Steuerart small_business sein.".into()
            }
            "vat_id_required" => format!("USt-IdNr. fehlt oder ist ungültig: {field}"),
            "buyer_not_eu" => {
                "Innergemeinschaftliche Lieferung: Der Kunde muss in einem anderen EU-Staat sitzen."
                    .into()
            }
            "buyer_in_eu" => "Ausfuhrlieferung: Der Kunde muss außerhalb der EU sitzen.".into(),
            "reference_missing" => "Korrektur ohne Bezug auf eine ausgestellte Rechnung.".into(),
            "due_before_date" => "Das Fälligkeitsdatum liegt vor dem Rechnungsdatum.".into(),
            "negative_due" => {
                "Der Zahlbetrag ist negativ (Anzahlungen höher als der Rechnungsbetrag).".into()
            }
            "exchange_rate_missing" => "Wechselkurs fehlt (Einheiten der Währung je 1 EUR): Bei Rechnungen in Fremdwährung muss die Umsatzsteuer auch in EUR angegeben werden (§ 16 Abs. 6 UStG).".into(),
            "skonto_after_due" => format!(
                "Die Skontofrist ({field}) muss kürzer sein als das Zahlungsziel."
            ),
            "direct_debit_missing" => match field.as_str() {
                "company.creditor_id" => {
                    "Gläubiger-Identifikationsnummer fehlt oder ist ungültig (Firmendaten, SEPA-Lastschrift, BT-90)."
                        .into()
                }
                "contact.sepa_mandate_reference" => {
                    "Mandatsreferenz des Kunden fehlt (SEPA-Lastschrift, BT-89).".into()
                }
                "contact.sepa_debtor_iban" => {
                    "IBAN des Kunden für die Lastschrift fehlt oder ist ungültig (BT-91).".into()
                }
                _ => format!("Angabe für die SEPA-Lastschrift fehlt: {field}"),
            },
            "bank_missing" => "Keine Bankverbindung in den Firmendaten: Die Rechnung bittet um Überweisung, nennt aber kein Konto und trägt keinen GiroCode.".into(),
            "registry_missing" => "Registergericht und Registernummer fehlen in den Firmendaten (Pflichtangabe auf Geschäftsbriefen, § 37a HGB, § 35a GmbHG).".into(),
            "directors_missing" => "Geschäftsführer bzw. Vorstand fehlen in den Firmendaten (Pflichtangabe auf Geschäftsbriefen, § 35a GmbHG, § 80 AktG).".into(),
            "einvoice_missing" => match field.as_str() {
                "contact.buyer_reference" => {
                    "Käufer-Referenz / Leitweg-ID fehlt (XRechnung BT-10).".into()
                }
                "contact.email" => {
                    "E-Mail-Adresse des Kunden fehlt (elektronische Adresse, XRechnung BT-49)."
                        .into()
                }
                "company.contact_name" => {
                    "Ansprechpartner des Verkäufers fehlt (Firmendaten, XRechnung BR-DE-5).".into()
                }
                "company.contact_phone" => {
                    "Telefonnummer des Verkäufers fehlt (Firmendaten, XRechnung BR-DE-6).".into()
                }
                "company.contact_email" => {
                    "E-Mail-Adresse des Verkäufers fehlt (Firmendaten, XRechnung BR-DE-7, BT-34)."
                        .into()
                }
                "company.iban" => {
                    "IBAN des Verkäufers fehlt oder ist ungültig (Firmendaten, XRechnung BR-DE-23)."
                        .into()
                }
                _ => format!("Angabe für die E-Rechnung fehlt: {field}"),
            },
            _ => self.message.clone(),
        }
    }
}

/// What a document may lack without being refused, but what its reader will miss: the bank
/// account on an invoice to be paid by transfer (no account, no GiroCode), and the business-letter
/// data the legal form demands (§ 35a GmbHG, § 80 AktG, § 37a and § 125a HGB: register court
/// and number; managing directors or board of a corporation). Shown before issuing.
pub fn issue_warnings(content: &DocumentContent, company: &CompanyProfile) -> Vec<Problem> {
    let mut p = Vec::new();
    if content.doc_type.is_receivable()
        && content.payment_method == crate::terms::PaymentMethod::Transfer
        && company.iban.is_none()
    {
        p.push(Problem::new(
            "company.iban",
            "bank_missing",
            "no bank account in the company data: the invoice asks for a transfer without naming an account or carrying a GiroCode",
        ));
    }
    let form = LegalForm::of(&company.legal_form);
    if form.registered && company.registry.trim().is_empty() {
        p.push(Problem::new(
            "company.registry",
            "registry_missing",
            "the register court and number are missing (§ 37a HGB, § 35a GmbHG)",
        ));
    }
    if form.has_directors && company.managing_directors.trim().is_empty() {
        p.push(Problem::new(
            "company.managing_directors",
            "directors_missing",
            "the managing directors (or board) are missing (§ 35a GmbHG, § 80 AktG)",
        ));
    }
    p
}

/// What a legal form demands on business letters, read from the form as people write it.
struct LegalForm {
    /// Entered in the commercial register (register court and number on every letter).
    registered: bool,
    /// A corporation whose managing directors or board every letter names.
    has_directors: bool,
}

impl LegalForm {
    fn of(text: &str) -> LegalForm {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '&' || c == ',' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_end_matches('.').to_lowercase())
            .collect();
        let has = |names: &[&str]| words.iter().any(|w| names.contains(&w.as_str()));
        let corporation = has(&["gmbh", "ug", "ag", "kgaa", "se", "ggmbh"]);
        let compact = text.to_lowercase().replace([' ', '.'], "");
        let merchant = compact == "ek" || compact == "ekfm" || compact == "ekfr";
        LegalForm {
            registered: corporation || merchant || has(&["kg", "ohg", "partg", "partgmbb", "eg"]),
            has_directors: corporation,
        }
    }
}

/// Everything the issuing rules need to see.
pub struct IssueContext<'a> {
    pub content: &'a DocumentContent,
    pub company: &'a CompanyProfile,
    pub buyer: &'a ContactData,
    /// For credit notes and cancellations: the number of the corrected invoice, if any.
    pub corrected_number: Option<&'a str>,
    /// Gross total of the document, for the small-amount and negative-due checks.
    pub gross: Decimal,
    pub due: Decimal,
}

fn require(problems: &mut Vec<Problem>, field: &str, value: &str) {
    if value.trim().is_empty() {
        problems.push(Problem::new(
            field,
            "missing",
            format!("{field} is required"),
        ));
    }
}

/// Lists every problem that stops the document from being issued; empty means it may be issued.
pub fn issue_problems(ctx: &IssueContext<'_>) -> Vec<Problem> {
    let mut p = Vec::new();
    let doc = ctx.content;
    let company = ctx.company;
    let buyer = ctx.buyer;

    // The seller (§ 14 Abs. 4 Nr. 1 and 2).
    require(&mut p, "company.name", &company.name);
    require(&mut p, "company.street", &company.street);
    require(&mut p, "company.postal_code", &company.postal_code);
    require(&mut p, "company.city", &company.city);
    require(&mut p, "company.country", &company.country);
    if doc.doc_type.is_tax_invoice()
        && company.tax_number.trim().is_empty()
        && company.vat_id.is_none()
    {
        p.push(Problem::new(
            "company.tax_number",
            "missing",
            "company.tax_number or company.vat_id is required on invoices (§ 14 Abs. 4 Nr. 2 UStG)",
        ));
    }

    // The buyer (§ 14 Abs. 4 Nr. 1).
    require(&mut p, "contact.name", &buyer.name);
    if doc.doc_type != DocumentType::Quote || !buyer.street.is_empty() {
        require(&mut p, "contact.street", &buyer.street);
        require(&mut p, "contact.postal_code", &buyer.postal_code);
        require(&mut p, "contact.city", &buyer.city);
    }
    require(&mut p, "contact.country", &buyer.country);

    // Lines (§ 14 Abs. 4 Nr. 5).
    if !doc.lines.iter().any(|l| l.counts()) {
        p.push(Problem::new(
            "lines",
            "no_lines",
            "the document needs at least one priced line",
        ));
    }
    for (i, line) in doc.lines.iter().enumerate() {
        if line.description.trim().is_empty() {
            p.push(Problem::new(
                format!("lines[{i}].description"),
                "missing",
                format!("lines[{i}].description is required"),
            ));
        }
    }

    if doc.doc_type.is_tax_invoice() {
        // Supply date (§ 14 Abs. 4 Nr. 6); a down payment may be invoiced before the supply.
        if doc.delivery_date.is_none() && doc.doc_type != DocumentType::DownPaymentInvoice {
            p.push(Problem::new(
                "delivery_date",
                "missing",
                "delivery_date is required on invoices (§ 14 Abs. 4 Nr. 6 UStG)",
            ));
        }
        if doc.doc_type.is_receivable() && ctx.due > Decimal::ZERO && doc.due_date.is_none() {
            p.push(Problem::new(
                "due_date",
                "missing",
                "due_date or payment terms are required (EN 16931 BR-CO-25)",
            ));
        }
        if let Some(due) = doc.due_date
            && due < doc.date
        {
            p.push(Problem::new(
                "due_date",
                "due_before_date",
                "due_date lies before the document date",
            ));
        }
        if ctx.due < Decimal::ZERO {
            p.push(if doc.down_payments.is_empty() {
                Problem::new(
                    "prepaid_amount",
                    "negative_due",
                    "prepaid_amount exceeds the document total",
                )
            } else {
                Problem::new(
                    "down_payments",
                    "negative_due",
                    "the deducted down payments and prepaid_amount exceed the document total",
                )
            });
        }
    }
    if doc.doc_type.is_correction() && ctx.corrected_number.is_none_or(|n| n.trim().is_empty()) {
        p.push(Problem::new(
            "reference",
            "reference_missing",
            "a credit note or cancellation must reference an issued invoice",
        ));
    }

    // Tax case rules.
    if company.small_business && doc.tax_mode != TaxMode::SmallBusiness {
        p.push(Problem::new(
            "tax_mode",
            "small_business_mode",
            "the company is a small business (§ 19 UStG): tax_mode must be small_business",
        ));
    }
    match doc.tax_mode {
        TaxMode::ReverseCharge => {
            if company.vat_id.is_none() {
                p.push(Problem::new(
                    "company.vat_id",
                    "vat_id_required",
                    "reverse charge needs the seller's VAT ID",
                ));
            }
            if buyer.vat_id.is_none() {
                p.push(Problem::new(
                    "contact.vat_id",
                    "vat_id_required",
                    "reverse charge needs the buyer's VAT ID (§ 14a UStG)",
                ));
            }
        }
        TaxMode::IntraEu => {
            if company.vat_id.is_none() {
                p.push(Problem::new(
                    "company.vat_id",
                    "vat_id_required",
                    "an intra-EU supply needs the seller's VAT ID",
                ));
            }
            let foreign_eu_vat = buyer
                .vat_id
                .as_ref()
                .is_some_and(|id| id.country_prefix() != "DE");
            if !foreign_eu_vat {
                p.push(Problem::new(
                    "contact.vat_id",
                    "vat_id_required",
                    "an intra-EU supply needs the buyer's foreign EU VAT ID (§ 6a UStG)",
                ));
            }
            if !codes::is_eu(&buyer.country) || buyer.country == "DE" {
                p.push(Problem::new(
                    "contact.country",
                    "buyer_not_eu",
                    "an intra-EU supply needs a buyer in another EU member state",
                ));
            }
        }
        TaxMode::Export => {
            if codes::is_eu(&buyer.country) {
                p.push(Problem::new(
                    "contact.country",
                    "buyer_in_eu",
                    "an export needs a buyer outside the EU",
                ));
            }
        }
        TaxMode::Standard | TaxMode::SmallBusiness => {}
    }
    if doc.doc_type.is_tax_invoice() {
        p.extend(payment_problems(doc, company, buyer));
        // E-invoice rules of the format the buyer wants (a ZUGFeRD / Factur-X invoice in profile
        // EN 16931 needs nothing beyond the § 14 content: its rules on the seller's IBAN are
        // kept by the IBAN's type).
        if buyer.einvoice_format.is_xrechnung() {
            p.extend(xrechnung_problems(company, buyer));
        }
    }
    let _ = ctx.gross;
    p
}

/// What the payment terms of an invoice need, for every output (PDF and XML):
/// Skonto periods shorter than the payment term, a SEPA direct debit's creditor identifier,
/// mandate reference and debtor IBAN (BT-90, BT-89, BT-91; XRechnung BR-DE-29/30/31), and for a
/// currency other than EUR the exchange rate, because the VAT must also be stated in EUR
/// (§ 16 Abs. 6 UStG; EN 16931 BT-6/BT-111).
pub fn payment_problems(
    doc: &DocumentContent,
    company: &CompanyProfile,
    buyer: &ContactData,
) -> Vec<Problem> {
    let mut p = Vec::new();
    if doc.doc_type.is_receivable() {
        for (field, message) in
            crate::terms::skonto_due_problems(&doc.skonto, doc.date, doc.due_date)
        {
            p.push(Problem::new(field, "skonto_after_due", message));
        }
    }
    if doc.doc_type.is_receivable() && doc.payment_method == PaymentMethod::DirectDebit {
        if !crate::terms::is_valid_creditor_id(&company.creditor_id) {
            p.push(Problem::new(
                "company.creditor_id",
                "direct_debit_missing",
                "a direct debit needs the company's SEPA creditor identifier (BT-90)",
            ));
        }
        if buyer.sepa_mandate_reference.trim().is_empty() {
            p.push(Problem::new(
                "contact.sepa_mandate_reference",
                "direct_debit_missing",
                "a direct debit needs the contact's SEPA mandate reference (BT-89)",
            ));
        }
        if buyer.sepa_debtor_iban.is_none() {
            p.push(Problem::new(
                "contact.sepa_debtor_iban",
                "direct_debit_missing",
                "a direct debit needs the contact's valid IBAN (BT-91)",
            ));
        }
    }
    if !doc.currency.is_eur() && doc.exchange_rate.is_none() {
        p.push(Problem::new(
            "exchange_rate",
            "exchange_rate_missing",
            format!(
                "exchange_rate (units per 1 EUR) is required to state the VAT in EUR on an invoice in {}",
                doc.currency
            ),
        ));
    }
    p
}

fn einvoice_missing(p: &mut Vec<Problem>, field: &str, what: &str) {
    p.push(Problem::new(
        field,
        "einvoice_missing",
        format!("{field} is required for an XRechnung ({what})"),
    ));
}

/// What an XRechnung 3.0 needs beyond the § 14 UStG content that [`issue_problems`] checks
/// anyway: the buyer reference BT-10 (BR-DE-15), both electronic addresses BT-34/BT-49
/// (here: e-mail, scheme EM), the seller contact BG-6 (BR-DE-2/5/6/7) and the payment
/// instructions BG-16 with an IBAN (BR-DE-1, BR-DE-23, payment means 58).
///
/// Empty means the e-invoice can be produced from an issuable document. The e-invoice writer
/// uses the same function to decide whether it writes XML for a document at all.
pub fn xrechnung_problems(company: &CompanyProfile, buyer: &ContactData) -> Vec<Problem> {
    let mut p = Vec::new();
    if buyer.buyer_reference.trim().is_empty() {
        einvoice_missing(&mut p, "contact.buyer_reference", "BR-DE-15, BT-10");
    }
    if buyer.email.trim().is_empty() {
        einvoice_missing(&mut p, "contact.email", "electronic address BT-49");
    }
    if company.contact_name.trim().is_empty() {
        einvoice_missing(&mut p, "company.contact_name", "BR-DE-5");
    }
    if company.contact_phone.trim().is_empty() {
        einvoice_missing(&mut p, "company.contact_phone", "BR-DE-6");
    }
    if company.contact_email.trim().is_empty() {
        einvoice_missing(&mut p, "company.contact_email", "BR-DE-7, BT-34");
    }
    if company.iban.is_none() {
        einvoice_missing(&mut p, "company.iban", "BR-DE-23");
    }
    p
}

#[cfg(test)]
mod warning_tests {
    use super::*;

    #[test]
    fn legal_forms_name_what_their_letters_must_carry() {
        let f = |t: &str| {
            let f = LegalForm::of(t);
            (f.registered, f.has_directors)
        };
        assert_eq!(f("GmbH"), (true, true));
        assert_eq!(f("GmbH & Co. KG"), (true, true));
        assert_eq!(f("UG (haftungsbeschränkt)"), (true, true));
        assert_eq!(f("AG"), (true, true));
        assert_eq!(f("e. K."), (true, false));
        assert_eq!(f("OHG"), (true, false));
        assert_eq!(f("KG"), (true, false));
        assert_eq!(f(""), (false, false));
        assert_eq!(f("GbR"), (false, false));
        assert_eq!(f("Einzelunternehmen"), (false, false));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::{Line, LineKind};
    use crate::values::VatId;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    pub(crate) fn company() -> CompanyProfile {
        CompanyProfile {
            name: "Muster GmbH".into(),
            street: "Hauptstr. 1".into(),
            postal_code: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            vat_id: VatId::parse("DE123456789").ok(),
            ..Default::default()
        }
    }

    pub(crate) fn buyer() -> ContactData {
        ContactData {
            name: "Kunde AG".into(),
            street: "Weg 2".into(),
            postal_code: "80331".into(),
            city: "München".into(),
            country: "DE".into(),
            ..Default::default()
        }
    }

    fn invoice(mode: TaxMode) -> DocumentContent {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        DocumentContent {
            doc_type: DocumentType::Invoice,
            tax_mode: mode,
            currency: crate::CurrencyCode::EUR,
            date: d,
            delivery_date: Some(d),
            due_date: Some(d),
            discount_percent: dec!(0),
            prepaid_amount: dec!(0),
            down_payments: Vec::new(),
            lines: vec![Line {
                kind: LineKind::Item,
                article_id: None,
                description: "Beratung".into(),
                quantity: dec!(1),
                unit: crate::UnitCode::parse("HUR").unwrap(),
                unit_price: dec!(100),
                vat_rate: crate::VatRate::STANDARD,
                discount_percent: dec!(0),
            }],
            skonto: Vec::new(),
            payment_method: PaymentMethod::Transfer,
            exchange_rate: None,
        }
    }

    fn problems(
        doc: &DocumentContent,
        company: &CompanyProfile,
        buyer: &ContactData,
    ) -> Vec<String> {
        issue_problems(&IssueContext {
            content: doc,
            company,
            buyer,
            corrected_number: None,
            gross: dec!(119),
            due: dec!(119),
        })
        .into_iter()
        .map(|p| p.field)
        .collect()
    }

    #[test]
    fn complete_invoice_passes() {
        assert!(problems(&invoice(TaxMode::Standard), &company(), &buyer()).is_empty());
    }

    #[test]
    fn names_each_missing_field() {
        let mut c = company();
        c.vat_id = None;
        c.street.clear();
        let mut b = buyer();
        b.city.clear();
        let mut doc = invoice(TaxMode::Standard);
        doc.delivery_date = None;
        doc.due_date = None;
        let fields = problems(&doc, &c, &b);
        for f in [
            "company.street",
            "company.tax_number",
            "contact.city",
            "delivery_date",
            "due_date",
        ] {
            assert!(
                fields.contains(&f.to_string()),
                "{f} missing from {fields:?}"
            );
        }
    }

    #[test]
    fn tax_cases_need_their_data() {
        let fields = problems(&invoice(TaxMode::ReverseCharge), &company(), &buyer());
        assert_eq!(fields, vec!["contact.vat_id"]);
        let fields = problems(&invoice(TaxMode::IntraEu), &company(), &buyer());
        assert_eq!(fields, vec!["contact.vat_id", "contact.country"]);
        let mut fr = buyer();
        fr.country = "FR".into();
        fr.vat_id = VatId::parse("FR12345678901").ok();
        assert!(problems(&invoice(TaxMode::IntraEu), &company(), &fr).is_empty());
        assert_eq!(
            problems(&invoice(TaxMode::Export), &company(), &buyer()),
            vec!["contact.country"]
        );
        let mut ch = buyer();
        ch.country = "CH".into();
        assert!(problems(&invoice(TaxMode::Export), &company(), &ch).is_empty());
        let mut small = company();
        small.small_business = true;
        assert_eq!(
            problems(&invoice(TaxMode::Standard), &small, &buyer()),
            vec!["tax_mode"]
        );
        assert!(problems(&invoice(TaxMode::SmallBusiness), &small, &buyer()).is_empty());
    }

    #[test]
    fn xrechnung_rules_apply_when_the_contact_wants_one() {
        let mut b = buyer();
        // A contact without a format preference keeps the plain § 14 checks.
        assert!(problems(&invoice(TaxMode::Standard), &company(), &b).is_empty());
        b.einvoice_format = crate::party::EInvoiceFormat::XrechnungUbl;
        let fields = problems(&invoice(TaxMode::Standard), &company(), &b);
        assert_eq!(
            fields,
            vec![
                "contact.buyer_reference",
                "contact.email",
                "company.contact_name",
                "company.contact_phone",
                "company.contact_email",
                "company.iban"
            ]
        );
        let found = issue_problems(&IssueContext {
            content: &invoice(TaxMode::Standard),
            company: &company(),
            buyer: &b,
            corrected_number: None,
            gross: dec!(119),
            due: dec!(119),
        });
        assert_eq!(
            found[0].message_de(),
            "Käufer-Referenz / Leitweg-ID fehlt (XRechnung BT-10)."
        );
        let mut c = company();
        c.contact_name = "Erika Muster".into();
        c.contact_phone = "+49 30 1234567".into();
        c.contact_email = "rechnung@muster.de".into();
        c.iban = crate::Iban::parse("DE02120300000000202051").ok();
        b.buyer_reference = "04011000-12345-03".into();
        b.email = "einkauf@kunde.de".into();
        assert!(problems(&invoice(TaxMode::Standard), &c, &b).is_empty());
    }
}
