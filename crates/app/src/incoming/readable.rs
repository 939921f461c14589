//! A received invoice laid out for a person, in the spirit of the official XRechnung
//! visualisation: seller, buyer, references, lines, VAT breakdown, totals, payment data (with a
//! GiroCode for transfers), notes, attachments and the checker's findings — every value already
//! formatted and every label translated, for the page and the PDF alike.

use kontor_domain::{Iban, Language, UnitCode};
use kontor_einvoice_in::model::{Address, Invoice, Party};
use kontor_einvoice_in::{Finding, Severity};
use kontor_pdf::format;
use kontor_storage::Incoming;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub label: String,
    pub value: String,
}

fn pair(label: &str, value: impl Into<String>) -> Pair {
    Pair {
        label: label.to_string(),
        value: value.into(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadableLine {
    pub pos: String,
    pub name: String,
    /// Description, item attributes, identifiers, period, allowances: one entry per line.
    pub details: Vec<String>,
    pub quantity: String,
    pub price: String,
    pub vat: String,
    pub net: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadableVat {
    pub category: String,
    pub rate: String,
    pub taxable: String,
    pub tax: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadableTotal {
    pub label: String,
    pub value: String,
    pub strong: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadableFinding {
    pub severity: &'static str,
    pub severity_label: String,
    pub rule: String,
    pub message: String,
    pub location: String,
}

/// Every label the layout prints, in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    pub seller: &'static str,
    pub buyer: &'static str,
    pub details: &'static str,
    pub lines: &'static str,
    pub pos: &'static str,
    pub item: &'static str,
    pub quantity: &'static str,
    pub price: &'static str,
    pub vat: &'static str,
    pub net: &'static str,
    pub vat_breakdown: &'static str,
    pub category: &'static str,
    pub rate: &'static str,
    pub taxable: &'static str,
    pub tax: &'static str,
    pub totals: &'static str,
    pub payment: &'static str,
    pub notes: &'static str,
    pub attachments: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub girocode: &'static str,
    pub received_note: &'static str,
    pub allowances: &'static str,
}

fn labels(en: bool) -> Labels {
    if en {
        Labels {
            seller: "Seller",
            buyer: "Buyer",
            details: "Invoice details",
            lines: "Items",
            pos: "Pos.",
            item: "Item",
            quantity: "Quantity",
            price: "Unit price",
            vat: "VAT",
            net: "Net",
            vat_breakdown: "VAT breakdown",
            category: "Category",
            rate: "Rate",
            taxable: "Taxable amount",
            tax: "VAT amount",
            totals: "Totals",
            payment: "Payment",
            notes: "Notes",
            attachments: "Attachments",
            findings: "Check against EN 16931 / XRechnung",
            no_findings: "No findings: the invoice is valid.",
            girocode: "Scan to pay (GiroCode)",
            received_note: "Readable copy of a received e-invoice. The document of record is the original file.",
            allowances: "Allowances and charges",
        }
    } else {
        Labels {
            seller: "Verkäufer",
            buyer: "Käufer",
            details: "Rechnungsdaten",
            lines: "Positionen",
            pos: "Pos.",
            item: "Artikel",
            quantity: "Menge",
            price: "Einzelpreis",
            vat: "USt.",
            net: "Netto",
            vat_breakdown: "Umsatzsteuer",
            category: "Kategorie",
            rate: "Satz",
            taxable: "Bemessungsgrundlage",
            tax: "Steuerbetrag",
            totals: "Summen",
            payment: "Zahlung",
            notes: "Bemerkungen",
            attachments: "Anlagen",
            findings: "Prüfung nach EN 16931 / XRechnung",
            no_findings: "Keine Befunde: die Rechnung ist gültig.",
            girocode: "Zum Bezahlen scannen (GiroCode)",
            received_note: "Lesbare Fassung einer empfangenen E-Rechnung. Maßgeblich ist die Originaldatei.",
            allowances: "Nachlässe und Zuschläge",
        }
    }
}

/// The whole readable invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Readable {
    pub lang: &'static str,
    pub title: String,
    pub labels: Labels,
    pub seller: Vec<String>,
    pub buyer: Vec<String>,
    pub meta: Vec<Pair>,
    pub lines: Vec<ReadableLine>,
    pub allowances: Vec<Pair>,
    pub vat: Vec<ReadableVat>,
    pub totals: Vec<ReadableTotal>,
    pub payment: Vec<Pair>,
    pub notes: Vec<String>,
    pub attachments: Vec<String>,
    pub findings: Vec<ReadableFinding>,
    /// The EPC payload of a GiroCode (credit transfer in EUR to a valid IBAN).
    pub girocode: Option<String>,
}

fn address_lines(a: &Address) -> Vec<String> {
    let mut out: Vec<String> = [&a.line1, &a.line2, &a.line3]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .collect();
    let city = [a.postcode.as_deref(), a.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !city.trim().is_empty() {
        out.push(city);
    }
    if let Some(sub) = a.subdivision.as_ref().filter(|s| !s.is_empty()) {
        out.push(sub.clone());
    }
    if let Some(country) = a.country.as_ref().filter(|c| c.as_str() != "DE") {
        out.push(country.clone());
    }
    out
}

fn party_lines(p: &Party, en: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = &p.name {
        out.push(n.clone());
    }
    if let Some(t) = p
        .trading_name
        .as_ref()
        .filter(|t| Some(*t) != p.name.as_ref())
    {
        out.push(t.clone());
    }
    if let Some(a) = &p.address {
        out.extend(address_lines(a));
    }
    if let Some(v) = &p.vat_id {
        out.push(format!("{} {v}", if en { "VAT ID" } else { "USt-IdNr." }));
    }
    if let Some(t) = &p.tax_number {
        out.push(format!(
            "{} {t}",
            if en { "Tax no." } else { "Steuernummer" }
        ));
    }
    if let Some(l) = &p.legal_id {
        out.push(format!(
            "{} {}",
            if en { "Registration" } else { "Register" },
            l.value
        ));
    }
    if let Some(c) = &p.contact {
        let parts: Vec<&str> = [c.name.as_deref(), c.phone.as_deref(), c.email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !parts.is_empty() {
            out.push(parts.join(" · "));
        }
    }
    if let Some(e) = &p.electronic_address {
        out.push(format!(
            "{} {}",
            if en { "E-address" } else { "E-Adresse" },
            e.value
        ));
    }
    out
}

fn unit_label(code: Option<&str>, lang: &str) -> String {
    match code {
        Some(c) => UnitCode::parse(c)
            .map(|u| u.label(lang).to_string())
            .unwrap_or_else(|_| c.to_string()),
        None => String::new(),
    }
}

fn means_label(code: &str, en: bool) -> String {
    let (de, en_text) = match code {
        "10" => ("Bar", "Cash"),
        "30" => ("Überweisung", "Credit transfer"),
        "31" => ("Überweisung", "Debit transfer"),
        "42" => ("Zahlung auf Bankkonto", "Payment to bank account"),
        "48" | "54" | "55" => ("Kartenzahlung", "Card payment"),
        "49" => ("Lastschrift", "Direct debit"),
        "57" => ("Dauerauftrag", "Standing agreement"),
        "58" => ("SEPA-Überweisung", "SEPA credit transfer"),
        "59" => ("SEPA-Lastschrift", "SEPA direct debit"),
        "97" => ("Verrechnung", "Clearing between partners"),
        _ => ("", ""),
    };
    let text = if en { en_text } else { de };
    if text.is_empty() {
        code.to_string()
    } else {
        format!("{text} ({code})")
    }
}

fn category_label(code: &str, en: bool) -> String {
    let (de, en_text) = match code {
        "S" => ("Normalsatz", "Standard rate"),
        "Z" => ("Nullsatz", "Zero rated"),
        "E" => ("Steuerbefreit", "Exempt"),
        "AE" => ("Reverse Charge", "Reverse charge"),
        "K" => ("Innergemeinschaftlich", "Intra-community supply"),
        "G" => ("Ausfuhr", "Export outside the EU"),
        "O" => ("Nicht steuerbar", "Outside the scope of VAT"),
        "L" => ("IGIC (Kanaren)", "IGIC (Canary Islands)"),
        "M" => ("IPSI (Ceuta/Melilla)", "IPSI (Ceuta/Melilla)"),
        _ => ("", ""),
    };
    let text = if en { en_text } else { de };
    if text.is_empty() {
        code.to_string()
    } else {
        format!("{code} – {text}")
    }
}

/// Lays the invoice out (see the module comment). `incoming` gives the header a person may
/// have corrected and the state; `invoice` is what was read (none for a plain PDF).
pub fn readable(
    incoming: &Incoming,
    invoice: Option<&Invoice>,
    findings: &[Finding],
    lang: Language,
) -> Readable {
    let en = lang == Language::En;
    let lang_code = if en { "en" } else { "de" };
    let h = &incoming.header;
    let currency = h.currency.as_str();
    let money = |d: Decimal| format::money(d, currency, en);
    let date = |d: chrono::NaiveDate| format::date(d, en);
    let credit = h.credit_note;
    let kind = match (credit, en) {
        (true, true) => "Credit note",
        (true, false) => "Gutschrift",
        (false, true) => "Invoice",
        (false, false) => "Rechnung",
    };
    let title = if h.number.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {}", h.number)
    };
    let t = |de: &str, en_text: &str| {
        if en {
            en_text.to_string()
        } else {
            de.to_string()
        }
    };
    let mut meta = Vec::new();
    let mut payment = Vec::new();
    let mut lines = Vec::new();
    let mut allowances = Vec::new();
    let mut vat = Vec::new();
    let mut notes = Vec::new();
    let mut attachments = Vec::new();
    let (seller, buyer) = match invoice {
        Some(inv) => (party_lines(&inv.seller, en), party_lines(&inv.buyer, en)),
        None => (
            [h.seller_name.clone(), h.seller_vat_id.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
            Vec::new(),
        ),
    };
    if !h.number.is_empty() {
        meta.push(pair(
            &t("Rechnungsnummer", "Invoice number"),
            h.number.clone(),
        ));
    }
    if let Some(d) = h.issue_date {
        meta.push(pair(&t("Rechnungsdatum", "Invoice date"), date(d)));
    }
    if let Some(d) = h.due_date {
        meta.push(pair(&t("Fällig am", "Due date"), date(d)));
    }
    if let Some(inv) = invoice {
        if let Some(code) = &inv.type_code {
            meta.push(pair(&t("Rechnungsart", "Invoice type"), code.clone()));
        }
        let refs: [(&str, &str, &Option<String>); 9] = [
            (
                "Leitweg-ID / Käuferreferenz",
                "Buyer reference",
                &inv.buyer_reference,
            ),
            ("Bestellnummer", "Purchase order", &inv.order_ref),
            ("Auftragsnummer", "Sales order", &inv.sales_order_ref),
            ("Vertrag", "Contract", &inv.contract_ref),
            ("Projekt", "Project", &inv.project_ref),
            ("Lieferschein", "Despatch advice", &inv.despatch_advice_ref),
            (
                "Wareneingang",
                "Receiving advice",
                &inv.receiving_advice_ref,
            ),
            ("Ausschreibung / Los", "Tender or lot", &inv.tender_ref),
            ("Kostenstelle", "Accounting reference", &inv.accounting_ref),
        ];
        for (de, en_text, value) in refs {
            if let Some(v) = value.as_ref().filter(|v| !v.trim().is_empty()) {
                meta.push(pair(&t(de, en_text), v.clone()));
            }
        }
        if let Some(d) = inv.delivery_date {
            meta.push(pair(&t("Leistungsdatum", "Delivery date"), date(d)));
        }
        if let (Some(s), Some(e)) = (inv.period_start, inv.period_end) {
            meta.push(pair(
                &t("Leistungszeitraum", "Invoicing period"),
                format!("{} – {}", date(s), date(e)),
            ));
        }
        if let Some(d) = inv.tax_point_date {
            meta.push(pair(&t("Steuerzeitpunkt", "Tax point date"), date(d)));
        }
        for p in &inv.preceding {
            let when = p
                .date
                .map(|d| format!(" ({})", date(d)))
                .unwrap_or_default();
            meta.push(pair(
                &t("Vorherige Rechnung", "Preceding invoice"),
                format!("{}{when}", p.number),
            ));
        }
        if let Some(name) = &inv.delivery_name {
            let mut parts = vec![name.clone()];
            if let Some(a) = &inv.delivery_address {
                parts.extend(address_lines(a));
            }
            meta.push(pair(&t("Lieferanschrift", "Deliver to"), parts.join(", ")));
        }
        if let Some(spec) = &inv.customization_id {
            meta.push(pair(&t("Spezifikation", "Specification"), spec.clone()));
        }
        for (i, line) in inv.lines.iter().enumerate() {
            let mut details = Vec::new();
            if let Some(d) = line.description.as_ref().filter(|d| !d.trim().is_empty()) {
                details.push(d.clone());
            }
            for a in &line.attributes {
                details.push(format!("{}: {}", a.name, a.value));
            }
            if let Some(id) = &line.seller_item_id {
                details.push(format!("{} {id}", t("Art.-Nr.", "Item no.")));
            }
            if let Some(id) = &line.buyer_item_id {
                details.push(format!("{} {id}", t("Ihre Art.-Nr.", "Buyer's item no.")));
            }
            if let Some(id) = &line.standard_item_id {
                details.push(format!("{} {}", t("GTIN/ID", "Standard ID"), id.value));
            }
            if let (Some(s), Some(e)) = (line.period_start, line.period_end) {
                details.push(format!("{} – {}", date(s), date(e)));
            }
            if let Some(n) = &line.note {
                details.push(n.clone());
            }
            for ac in &line.allowances_charges {
                let what = if ac.charge {
                    t("Zuschlag", "Charge")
                } else {
                    t("Nachlass", "Allowance")
                };
                let reason = ac.reason.clone().unwrap_or_default();
                let amount = ac.amount.map(money).unwrap_or_default();
                details.push(format!("{what} {reason} {amount}").trim().to_string());
            }
            let qty = line
                .quantity
                .map(|q| {
                    format!(
                        "{} {}",
                        format::quantity(q, en),
                        unit_label(line.unit.as_deref(), lang_code)
                    )
                })
                .unwrap_or_default();
            let price = line
                .net_price
                .map(|p| {
                    let base = line
                        .base_quantity
                        .filter(|b| *b != Decimal::ONE)
                        .map(|b| format!(" / {}", format::quantity(b, en)))
                        .unwrap_or_default();
                    format!("{}{base}", format::unit_price(p, currency, en))
                })
                .unwrap_or_default();
            lines.push(ReadableLine {
                pos: line.id.clone().unwrap_or_else(|| (i + 1).to_string()),
                name: line.name.clone().unwrap_or_default(),
                details,
                quantity: qty.trim().to_string(),
                price,
                vat: match (&line.vat_category, line.vat_rate) {
                    (_, Some(r)) => format::percent(r, en),
                    (Some(c), None) => c.clone(),
                    _ => String::new(),
                },
                net: line.net_amount.map(money).unwrap_or_default(),
            });
        }
        for ac in &inv.allowances_charges {
            let what = if ac.charge {
                t("Zuschlag", "Charge")
            } else {
                t("Nachlass", "Allowance")
            };
            let reason = ac.reason.clone().unwrap_or_default();
            let rate = ac
                .vat_rate
                .map(|r| format!(" ({})", format::percent(r, en)))
                .unwrap_or_default();
            let amount = ac.amount.map(money).unwrap_or_default();
            allowances.push(pair(
                format!("{what} {reason}{rate}").trim(),
                if ac.charge {
                    amount
                } else {
                    format!("−{amount}")
                },
            ));
        }
        for g in &inv.vat_breakdown {
            vat.push(ReadableVat {
                category: g
                    .category
                    .as_deref()
                    .map(|c| category_label(c, en))
                    .unwrap_or_default(),
                rate: g.rate.map(|r| format::percent(r, en)).unwrap_or_default(),
                taxable: g.taxable.map(money).unwrap_or_default(),
                tax: g.tax.map(money).unwrap_or_default(),
                reason: [g.exemption_code.clone(), g.exemption_reason.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        for m in &inv.payment_means {
            if let Some(code) = &m.code {
                payment.push(pair(
                    &t("Zahlungsart", "Payment means"),
                    means_label(code, en),
                ));
            }
            if let Some(iban) = &m.iban {
                payment.push(pair("IBAN", iban.clone()));
            }
            if let Some(bic) = &m.bic {
                payment.push(pair("BIC", bic.clone()));
            }
            if let Some(name) = &m.account_name {
                payment.push(pair(&t("Kontoinhaber", "Account name"), name.clone()));
            }
            if let Some(r) = &m.remittance {
                payment.push(pair(&t("Verwendungszweck", "Remittance"), r.clone()));
            }
            if let Some(c) = &m.card_number {
                payment.push(pair(&t("Karte", "Card"), c.clone()));
            }
            if let Some(mandate) = &m.mandate {
                payment.push(pair(
                    &t("Mandatsreferenz", "Mandate reference"),
                    mandate.clone(),
                ));
            }
            if let Some(c) = &m.creditor_id {
                payment.push(pair(&t("Gläubiger-ID", "Creditor ID"), c.clone()));
            }
            if let Some(d) = &m.debited_iban {
                payment.push(pair(&t("Belastetes Konto", "Debited account"), d.clone()));
            }
        }
        if let Some(terms) = inv.payment_terms.as_ref().filter(|t| !t.trim().is_empty()) {
            let text: Vec<&str> = terms
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("#SKONTO#"))
                .collect();
            if !text.is_empty() {
                payment.push(pair(
                    &t("Zahlungsbedingungen", "Payment terms"),
                    text.join(" "),
                ));
            }
        }
        for step in &inv.skonto {
            payment.push(pair(
                "Skonto",
                format!(
                    "{} {} {}",
                    format::percent(step.percent, en),
                    t("bei Zahlung binnen", "if paid within"),
                    if en {
                        format!("{} days", step.days)
                    } else {
                        format!("{} Tagen", step.days)
                    }
                ),
            ));
        }
        notes.extend(inv.notes.iter().cloned());
        for a in &inv.attachments {
            let name = a
                .filename
                .clone()
                .or_else(|| a.id.clone())
                .unwrap_or_default();
            let desc = a.description.clone().unwrap_or_default();
            let size = a
                .size
                .map(|s| format!(" ({} KB)", s.div_ceil(1024)))
                .unwrap_or_default();
            let uri = a.uri.clone().map(|u| format!(" {u}")).unwrap_or_default();
            attachments.push(format!("{name}{size} {desc}{uri}").trim().to_string());
        }
    }
    if let (Some(d), Some(a)) = (h.skonto_date, h.skonto_amount) {
        payment.push(pair(
            &t("Mit Skonto", "With Skonto"),
            format!("{} {} {}", money(a), t("bis", "by"), date(d)),
        ));
    }
    let mut totals = Vec::new();
    if let Some(inv) = invoice {
        let tt = &inv.totals;
        let rows: [(&str, &str, Option<Decimal>, bool); 9] = [
            ("Summe Positionen", "Sum of lines", tt.line_net, false),
            ("Nachlässe", "Allowances", tt.allowances, false),
            ("Zuschläge", "Charges", tt.charges, false),
            ("Gesamt netto", "Total net", tt.net, false),
            ("Umsatzsteuer", "VAT", tt.vat, false),
            ("Gesamt brutto", "Total gross", tt.gross, true),
            ("Bereits gezahlt", "Paid", tt.prepaid, false),
            ("Rundung", "Rounding", tt.rounding, false),
            ("Zu zahlen", "Amount due", tt.due, true),
        ];
        for (de, en_text, value, strong) in rows {
            if let Some(v) = value {
                totals.push(ReadableTotal {
                    label: t(de, en_text),
                    value: money(v),
                    strong,
                });
            }
        }
    } else {
        for (de, en_text, value, strong) in [
            ("Gesamt netto", "Total net", h.net, false),
            ("Umsatzsteuer", "VAT", h.vat, false),
            ("Gesamt brutto", "Total gross", h.gross, true),
            ("Zu zahlen", "Amount due", h.due, true),
        ] {
            if let Some(v) = value {
                totals.push(ReadableTotal {
                    label: t(de, en_text),
                    value: money(v),
                    strong,
                });
            }
        }
    }
    let girocode = girocode_payload(incoming, invoice);
    let findings = findings
        .iter()
        .map(|f| ReadableFinding {
            severity: f.severity.as_str(),
            severity_label: match (f.severity, en) {
                (Severity::Fatal, false) => "Fehler",
                (Severity::Fatal, true) => "Error",
                (Severity::Warning, false) => "Warnung",
                (Severity::Warning, true) => "Warning",
                (Severity::Info, false) => "Hinweis",
                (Severity::Info, true) => "Note",
            }
            .to_string(),
            rule: f.rule.clone(),
            message: if en {
                f.message_en.clone()
            } else {
                f.message_de.clone()
            },
            location: f.location.clone(),
        })
        .collect();
    Readable {
        lang: lang_code,
        title,
        labels: labels(en),
        seller,
        buyer,
        meta,
        lines,
        allowances,
        vat,
        totals,
        payment,
        notes,
        attachments,
        findings,
        girocode,
    }
}

/// A GiroCode for what is still open, when the invoice asks for a credit transfer in EUR to a
/// valid IBAN and is not a credit note.
fn girocode_payload(incoming: &Incoming, invoice: Option<&Invoice>) -> Option<String> {
    let h = &incoming.header;
    if h.credit_note || h.currency != "EUR" {
        return None;
    }
    let transfer = invoice.is_none_or(|inv| {
        inv.payment_means
            .iter()
            .any(|m| matches!(m.code.as_deref(), Some("58" | "30" | "42")) && m.iban.is_some())
    });
    if !transfer {
        return None;
    }
    let iban = Iban::parse(&h.seller_iban).ok()?;
    let bic = invoice
        .and_then(|inv| inv.payment_means.iter().find_map(|m| m.bic.clone()))
        .and_then(|b| kontor_domain::Bic::parse(&b).ok());
    let name = invoice
        .and_then(|inv| {
            inv.payment_means
                .iter()
                .find_map(|m| m.account_name.clone())
        })
        .unwrap_or_else(|| h.seller_name.clone());
    let remittance = invoice
        .and_then(|inv| inv.payment_means.iter().find_map(|m| m.remittance.clone()))
        .unwrap_or_else(|| h.number.clone());
    let open = incoming.open();
    kontor_pdf::girocode::payload(&name, &iban, bic.as_ref(), open, &remittance)
}
