//! The pages' texts in German (default) and English, and number/date formats per language.

use chrono::NaiveDate;

/// A copyable value behind any number of references (askama passes `&&T` in loops).
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}
impl<T: Copy> Val<T> for &&&T {
    fn val(&self) -> T {
        ****self
    }
}
use rust_decimal::Decimal;

/// The language a page is shown in: the one language type of Kontor.
pub use kontor_domain::Language as Lang;

/// (key, German, English).
const TEXTS: &[(&str, &str, &str)] = &[
    ("app.title", "Kontor", "Kontor"),
    ("nav.dashboard", "Übersicht", "Dashboard"),
    ("nav.contacts", "Kontakte", "Contacts"),
    ("nav.articles", "Artikel", "Articles"),
    ("nav.documents", "Dokumente", "Documents"),
    ("nav.settings", "Einstellungen", "Settings"),
    ("nav.logout", "Abmelden", "Log out"),
    ("nav.language", "English", "Deutsch"),
    ("nav.skip", "Zum Inhalt springen", "Skip to content"),
    ("login.title", "Anmelden", "Log in"),
    ("login.username", "Benutzername", "User name"),
    ("login.password", "Passwort", "Password"),
    ("login.submit", "Anmelden", "Log in"),
    ("tenant.field", "Mandant", "Tenant"),
    (
        "login.failed",
        "Benutzername oder Passwort ist falsch.",
        "User name or password is wrong.",
    ),
    ("setup.title", "Kontor einrichten", "Set up Kontor"),
    (
        "setup.intro",
        "Willkommen! Legen Sie Ihr Unternehmen und den ersten Administrator an.",
        "Welcome! Enter your company and the first administrator.",
    ),
    ("setup.company", "Unternehmen", "Company"),
    ("setup.admin", "Administrator", "Administrator"),
    (
        "setup.password_repeat",
        "Passwort wiederholen",
        "Repeat password",
    ),
    (
        "setup.password_mismatch",
        "Die Passwörter stimmen nicht überein.",
        "The passwords do not match.",
    ),
    (
        "setup.submit",
        "Einrichten und anmelden",
        "Set up and log in",
    ),
    ("dash.open", "Offene Rechnungen", "Open invoices"),
    ("dash.overdue", "Überfällig", "Overdue"),
    (
        "dash.revenue_month",
        "Umsatz (netto) diesen Monat",
        "Revenue (net) this month",
    ),
    (
        "dash.revenue_year",
        "Umsatz (netto) dieses Jahr",
        "Revenue (net) this year",
    ),
    ("dash.recent", "Letzte Dokumente", "Recent documents"),
    (
        "dash.chart",
        "Umsatz der letzten 12 Monate",
        "Revenue of the last 12 months",
    ),
    ("common.search", "Suchen", "Search"),
    ("common.save", "Speichern", "Save"),
    ("common.cancel", "Abbrechen", "Cancel"),
    ("common.edit", "Bearbeiten", "Edit"),
    ("common.delete", "Löschen", "Delete"),
    ("common.new", "Neu", "New"),
    ("common.back", "Zurück", "Back"),
    ("common.previous", "Zurück", "Previous"),
    ("common.next", "Weiter", "Next"),
    ("common.page", "Seite", "Page"),
    ("common.of", "von", "of"),
    ("common.none", "Keine Einträge.", "Nothing here yet."),
    ("common.all", "Alle", "All"),
    ("common.filter", "Filtern", "Filter"),
    ("common.yes", "Ja", "Yes"),
    ("common.no", "Nein", "No"),
    (
        "common.errors",
        "Bitte korrigieren Sie die markierten Felder.",
        "Please correct the marked fields.",
    ),
    ("common.saved", "Gespeichert.", "Saved."),
    ("common.archived", "archiviert", "archived"),
    ("common.inactive", "inaktiv", "inactive"),
    (
        "common.include_archived",
        "Archivierte zeigen",
        "Show archived",
    ),
    ("common.actions", "Aktionen", "Actions"),
    ("field.number", "Nummer", "Number"),
    ("field.name", "Name", "Name"),
    ("field.kind", "Art", "Kind"),
    ("field.kind.company", "Firma", "Company"),
    ("field.kind.person", "Person", "Person"),
    ("field.legal_form", "Rechtsform", "Legal form"),
    ("field.street", "Straße und Hausnummer", "Street"),
    ("field.postal_code", "PLZ", "Postal code"),
    ("field.city", "Ort", "City"),
    ("field.country", "Land (ISO-Code)", "Country (ISO code)"),
    (
        "field.delivery_address",
        "Lieferadresse (falls abweichend)",
        "Delivery address (if different)",
    ),
    ("field.vat_id", "USt-IdNr.", "VAT ID"),
    ("field.tax_number", "Steuernummer", "Tax number"),
    ("field.registry", "Registereintrag", "Registry entry"),
    (
        "field.managing_directors",
        "Geschäftsführung",
        "Managing directors",
    ),
    ("field.contact_name", "Ansprechpartner", "Contact person"),
    ("field.contact_phone", "Telefon", "Phone"),
    ("field.contact_email", "E-Mail", "E-mail"),
    ("field.email", "E-Mail", "E-mail"),
    ("field.phone", "Telefon", "Phone"),
    ("field.iban", "IBAN", "IBAN"),
    ("field.bic", "BIC", "BIC"),
    ("field.bank_name", "Bank", "Bank"),
    (
        "field.small_business",
        "Kleinunternehmer (§ 19 UStG)",
        "Small business (§ 19 UStG)",
    ),
    (
        "field.payment_terms_days",
        "Zahlungsziel (Tage)",
        "Payment terms (days)",
    ),
    (
        "field.buyer_reference",
        "Käufer-Referenz / Leitweg-ID",
        "Buyer reference / Leitweg-ID",
    ),
    (
        "field.einvoice_format",
        "E-Rechnungsformat",
        "E-invoice format",
    ),
    ("field.language", "Sprache", "Language"),
    ("field.currency", "Währung", "Currency"),
    ("field.tax_mode", "Steuerart", "Tax mode"),
    ("field.is_customer", "Kunde", "Customer"),
    ("field.is_supplier", "Lieferant", "Supplier"),
    ("field.notes", "Notizen", "Notes"),
    ("field.description", "Beschreibung", "Description"),
    ("field.unit", "Einheit", "Unit"),
    (
        "field.unit_price",
        "Einzelpreis (netto)",
        "Unit price (net)",
    ),
    ("field.vat_rate", "USt-Satz %", "VAT rate %"),
    ("field.active", "Aktiv", "Active"),
    ("field.quantity", "Menge", "Quantity"),
    ("field.discount_percent", "Rabatt %", "Discount %"),
    ("field.type", "Typ", "Type"),
    ("field.status", "Status", "Status"),
    ("field.contact", "Kontakt", "Contact"),
    ("field.date", "Datum", "Date"),
    ("field.delivery_date", "Leistungsdatum", "Delivery date"),
    ("field.due_date", "Fällig am", "Due date"),
    ("field.date_from", "Datum von", "Date from"),
    ("field.date_to", "Datum bis", "Date to"),
    ("field.subject", "Betreff", "Subject"),
    ("field.intro_text", "Einleitungstext", "Intro text"),
    ("field.closing_text", "Schlusstext", "Closing text"),
    (
        "field.prepaid_amount",
        "Bereits gezahlt (Anzahlungen)",
        "Already paid (down payments)",
    ),
    (
        "field.skonto1_days",
        "Skonto 1: Tage",
        "Cash discount 1: days",
    ),
    ("field.skonto1_percent", "Skonto 1: %", "Cash discount 1: %"),
    (
        "field.skonto2_days",
        "Skonto 2: Tage",
        "Cash discount 2: days",
    ),
    ("field.skonto2_percent", "Skonto 2: %", "Cash discount 2: %"),
    ("field.skonto", "Skonto", "Cash discount"),
    (
        "field.contact_skonto",
        "Skonto (Tage:%; leer = Standard, - = keins)",
        "Cash discount (days:%; empty = default, - = none)",
    ),
    (
        "field.default_skonto",
        "Standard-Skonto (Tage:%, z. B. 14:2)",
        "Default cash discount (days:%, e.g. 14:2)",
    ),
    ("common.days", "Tage", "days"),
    (
        "field.exchange_rate",
        "Wechselkurs (Einheiten je 1 EUR)",
        "Exchange rate (units per 1 EUR)",
    ),
    ("field.vat_in_eur", "USt. in EUR", "VAT in EUR"),
    ("field.payment_method", "Zahlungsweise", "Payment method"),
    ("payment_method.transfer", "Überweisung", "Bank transfer"),
    (
        "payment_method.direct_debit",
        "SEPA-Lastschrift",
        "SEPA direct debit",
    ),
    (
        "field.sepa_mandate_reference",
        "SEPA-Mandatsreferenz",
        "SEPA mandate reference",
    ),
    (
        "field.sepa_debtor_iban",
        "IBAN für Lastschrift",
        "IBAN for direct debit",
    ),
    (
        "field.creditor_id",
        "Gläubiger-ID (SEPA)",
        "SEPA creditor ID",
    ),
    (
        "field.doc_discount",
        "Gesamtrabatt %",
        "Document discount %",
    ),
    ("field.amount", "Betrag", "Amount"),
    ("field.method", "Zahlungsart", "Method"),
    ("field.pattern", "Muster", "Pattern"),
    ("field.reset", "Zurücksetzen", "Reset"),
    ("field.first_counter", "Startwert", "First counter"),
    ("field.next_preview", "Nächste Nummer", "Next number"),
    ("field.role", "Rolle", "Role"),
    ("field.username", "Benutzername", "User name"),
    ("field.password", "Passwort", "Password"),
    ("field.article", "Artikel", "Article"),
    ("field.line_kind", "Art", "Kind"),
    ("field.net", "Netto", "Net"),
    ("field.vat", "USt", "VAT"),
    ("field.gross", "Brutto", "Gross"),
    ("field.open_amount", "Offen", "Open"),
    ("field.paid", "Bezahlt", "Paid"),
    ("line.item", "Position", "Item"),
    ("line.optional", "Optional", "Optional"),
    ("line.text", "Text", "Text"),
    ("contacts.title", "Kontakte", "Contacts"),
    ("contacts.new", "Neuer Kontakt", "New contact"),
    ("contacts.edit", "Kontakt bearbeiten", "Edit contact"),
    ("contacts.documents", "Dokumente", "Documents"),
    ("contacts.open_items", "Offene Posten", "Open items"),
    ("contacts.archive", "Archivieren", "Archive"),
    ("contacts.unarchive", "Wiederherstellen", "Restore"),
    ("articles.title", "Artikel", "Articles"),
    ("articles.new", "Neuer Artikel", "New article"),
    ("articles.edit", "Artikel bearbeiten", "Edit article"),
    (
        "articles.include_inactive",
        "Inaktive zeigen",
        "Show inactive",
    ),
    ("docs.title", "Dokumente", "Documents"),
    ("docs.new", "Neues Dokument", "New document"),
    ("docs.lines", "Positionen", "Line items"),
    ("docs.add_line", "Position hinzufügen", "Add line"),
    ("docs.add_text", "Textzeile hinzufügen", "Add text line"),
    ("docs.move_up", "Nach oben", "Move up"),
    ("docs.move_down", "Nach unten", "Move down"),
    ("docs.remove_line", "Position entfernen", "Remove line"),
    ("docs.totals", "Summen", "Totals"),
    ("docs.line_total", "Summe Positionen", "Sum of lines"),
    ("docs.allowance", "Rabatt", "Discount"),
    ("docs.net", "Netto", "Net"),
    ("docs.vat_at", "USt", "VAT"),
    ("docs.gross", "Gesamt", "Total"),
    ("docs.prepaid", "Bereits gezahlt", "Prepaid"),
    ("docs.due", "Zahlbetrag", "Amount due"),
    ("docs.save_draft", "Entwurf speichern", "Save draft"),
    ("docs.issue", "Ausstellen", "Issue"),
    (
        "docs.issue_confirm",
        "Nach dem Ausstellen kann das Dokument nicht mehr geändert werden.",
        "Once issued, the document can no longer be changed.",
    ),
    (
        "docs.cannot_issue",
        "Das Dokument kann noch nicht ausgestellt werden:",
        "The document cannot be issued yet:",
    ),
    ("docs.derive", "Weiterführen als", "Turn into"),
    ("docs.cancel_doc", "Stornieren", "Cancel invoice"),
    (
        "docs.cancel_confirm",
        "Es wird eine Stornorechnung erstellt.",
        "A cancellation invoice will be issued.",
    ),
    ("docs.duplicate", "Duplizieren", "Duplicate"),
    ("docs.pdf_download", "PDF öffnen", "Open PDF"),
    ("docs.pdf_preview", "PDF-Vorschau", "PDF preview"),
    ("docs.delete_draft", "Entwurf löschen", "Delete draft"),
    ("docs.payments", "Zahlungen", "Payments"),
    ("docs.record_payment", "Zahlung erfassen", "Record payment"),
    (
        "docs.locked",
        "Ausgestellt und gesperrt (GoBD): Änderungen nur über Gutschrift oder Storno.",
        "Issued and locked (GoBD): corrections only by credit note or cancellation.",
    ),
    ("docs.audit", "Änderungsprotokoll", "Audit trail"),
    ("docs.source", "Abgeleitet von", "Derived from"),
    ("docs.corrects", "Korrigiert", "Corrects"),
    ("docs.cancelled_by", "Storniert durch", "Cancelled by"),
    (
        "docs.search_contact",
        "Kontakt suchen …",
        "Search contact …",
    ),
    (
        "docs.search_article",
        "Artikel suchen …",
        "Search article …",
    ),
    ("docs.draft", "Entwurf", "Draft"),
    ("docs.issued_at", "Ausgestellt am", "Issued on"),
    ("docs.seller", "Verkäufer", "Seller"),
    ("docs.buyer", "Käufer", "Buyer"),
    ("status.draft", "Entwurf", "Draft"),
    ("status.issued", "Ausgestellt", "Issued"),
    ("status.open", "Offen", "Open"),
    (
        "status.partially_paid",
        "Teilweise bezahlt",
        "Partially paid",
    ),
    ("status.paid", "Bezahlt", "Paid"),
    ("status.overdue", "Überfällig", "Overdue"),
    ("status.cancelled", "Storniert", "Cancelled"),
    ("tax.standard", "Regelbesteuerung", "Standard VAT"),
    (
        "tax.small_business",
        "Kleinunternehmer (§ 19 UStG)",
        "Small business (§ 19 UStG)",
    ),
    (
        "tax.reverse_charge",
        "Reverse Charge (§ 13b UStG)",
        "Reverse charge (§ 13b UStG)",
    ),
    (
        "tax.intra_eu",
        "Innergemeinschaftliche Lieferung",
        "Intra-EU supply",
    ),
    ("tax.export", "Ausfuhrlieferung", "Export"),
    ("pay.bank_transfer", "Überweisung", "Bank transfer"),
    ("pay.cash", "Bar", "Cash"),
    ("pay.card", "Karte", "Card"),
    ("pay.direct_debit", "Lastschrift", "Direct debit"),
    ("pay.paypal", "PayPal", "PayPal"),
    ("pay.other", "Sonstige", "Other"),
    ("settings.title", "Einstellungen", "Settings"),
    ("settings.company", "Unternehmen", "Company"),
    ("settings.numbers", "Nummernkreise", "Number ranges"),
    ("settings.users", "Benutzer", "Users"),
    ("settings.texts", "Textbausteine", "Text blocks"),
    ("settings.look", "Dokument-Layout", "Document layout"),
    ("settings.preview", "Vorschau (PDF)", "Preview (PDF)"),
    (
        "settings.template_hint",
        "Typst-Vorlage, die /data.json liest (Datenmodell: docs/pdf-template.md). Leer lassen für das Standard-Layout. Beim Speichern wird sie mit Beispieldokumenten übersetzt; Fehler nennen die Zeile.",
        "A typst template reading /data.json (data model: docs/pdf-template.md). Leave empty for the default layout. Saving compiles it with sample documents; errors name the line.",
    ),
    ("field.accent", "Akzentfarbe", "Accent colour"),
    ("field.font", "Schrift", "Font"),
    (
        "field.tagline",
        "Zeile unter dem Firmennamen",
        "Line under the company name",
    ),
    (
        "field.columns",
        "Spalten der Positionstabelle",
        "Columns of the line table",
    ),
    ("field.template", "Eigene Vorlage", "Own template"),
    ("column.position", "Pos.", "Item no."),
    ("column.unit", "Einheit", "Unit"),
    ("column.unit_price", "Einzelpreis", "Unit price"),
    ("column.vat_rate", "USt.-Satz", "VAT rate"),
    ("settings.add_user", "Benutzer anlegen", "Add user"),
    (
        "settings.texts_help",
        "Platzhalter: {name}, {number}, {date}, {due_date}",
        "Placeholders: {name}, {number}, {date}, {due_date}",
    ),
    ("reset.never", "nie", "never"),
    ("reset.yearly", "jährlich", "yearly"),
    ("reset.monthly", "monatlich", "monthly"),
    ("range.quote", "Angebote", "Quotes"),
    (
        "range.order_confirmation",
        "Auftragsbestätigungen",
        "Order confirmations",
    ),
    ("range.delivery_note", "Lieferscheine", "Delivery notes"),
    ("range.invoice", "Rechnungen", "Invoices"),
    (
        "range.down_payment_invoice",
        "Abschlagsrechnungen",
        "Down-payment invoices",
    ),
    ("range.credit_note", "Rechnungskorrekturen", "Credit notes"),
    ("range.cancellation", "Stornorechnungen", "Cancellations"),
    ("range.customer", "Kundennummern", "Customer numbers"),
    ("range.supplier", "Lieferantennummern", "Supplier numbers"),
    ("range.article", "Artikelnummern", "Article numbers"),
    ("audit.create", "angelegt", "created"),
    ("audit.update", "geändert", "changed"),
    ("audit.delete", "gelöscht", "deleted"),
    ("audit.issue", "ausgestellt", "issued"),
    ("audit.derive", "abgeleitet", "derived"),
    ("audit.cancel", "storniert", "cancelled"),
    ("audit.payment", "Zahlung erfasst", "payment recorded"),
    ("role.admin", "Administrator", "Administrator"),
    ("role.accountant", "Buchhaltung", "Accountant"),
    ("role.sales", "Vertrieb", "Sales"),
    ("role.auditor", "Prüfer (nur lesen)", "Auditor (read-only)"),
    (
        "error.title",
        "Es ist ein Fehler aufgetreten",
        "Something went wrong",
    ),
    ("error.reference", "Referenz", "Reference"),
    ("error.not_found", "Nicht gefunden.", "Not found."),
    (
        "error.forbidden",
        "Dafür fehlt Ihnen die Berechtigung.",
        "You are not allowed to do this.",
    ),
    (
        "error.csrf",
        "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu.",
        "The form has expired. Please reload the page.",
    ),
    (
        "error.internal",
        "Ein unerwarteter Fehler ist aufgetreten. Bitte nennen Sie dem Support die Referenz.",
        "An unexpected error occurred. Please give support the reference.",
    ),
    ("error.required", "Pflichtfeld", "Required"),
    // The backup page.
    ("backups.title", "Datensicherung", "Backups"),
    (
        "backups.link",
        "Datensicherung: Zeitplan, Ziele, letzte Sicherungen",
        "Backups: schedule, targets, latest runs",
    ),
    (
        "backups.not_configured",
        "Für diese Installation sind keine Sicherungen eingerichtet. Kontor sichert Datenbank und Dateien selbst, sobald beim Start ein öffentlicher Schlüssel und mindestens ein Ziel (zweite Platte, NFS, S3) angegeben sind:",
        "No backups are set up for this installation. Kontor backs up the database and every file itself once it is started with a public key and at least one target (second disk, NFS, S3):",
    ),
    (
        "backups.docs",
        "Einzelheiten, Wiederherstellung und Aufbewahrung: docs/backup.md.",
        "Details, restoring and retention: docs/backup.md.",
    ),
    (
        "backups.hosted",
        "Ihre Daten und Dateien sichert der Betreiber dieser Installation, zusammen mit allen anderen Mandanten, aber für jeden getrennt; eine Wiederherstellung beauftragen Sie bei ihm.",
        "The operator of this installation backs up your data and files, together with every other tenant but separately for each; ask them for a restore.",
    ),
    ("backups.schedule", "Sicherung alle", "Backup every"),
    ("backups.keep", "Aufbewahrung", "Kept for"),
    ("backups.days", "Tage", "days"),
    ("backups.run_now", "Jetzt sichern", "Back up now"),
    (
        "backups.started",
        "Die Sicherung läuft; ihr Ergebnis erscheint in der Liste.",
        "The backup is running; its result appears in the list.",
    ),
    ("backups.runs", "Letzte Sicherungen", "Latest backups"),
    ("backups.none", "Noch keine Sicherung.", "No backup yet."),
    ("backups.started_at", "Begonnen", "Started"),
    ("backups.result", "Ergebnis", "Result"),
    ("backups.size", "Größe je Ziel", "Size per target"),
    ("backups.targets", "Ziele", "Targets"),
    ("backups.result.ok", "vollständig", "complete"),
    (
        "backups.result.partial",
        "teilweise (ein Ziel fehlt)",
        "partial (a target failed)",
    ),
    ("backups.result.failed", "fehlgeschlagen", "failed"),
    ("backups.result.running", "läuft", "running"),
    (
        "backups.records_unreadable",
        "Die Aufzeichnungen der Sicherungen können gerade nicht gelesen werden.",
        "The backup records cannot be read right now.",
    ),
];

/// Looks up texts for one language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text for `key`; the key itself if it is unknown (shows up in tests).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TEXTS
            .iter()
            .chain(crate::i18n_security::TEXTS)
            .find(|(k, _, _)| *k == key)
        {
            Some((_, de, en)) => {
                if self.lang == Lang::En {
                    en
                } else {
                    de
                }
            }
            None => key,
        }
    }

    /// A text whose key is built from a prefix and a code, e.g. ("status", "paid").
    pub fn tk(&self, prefix: &str, code: impl AsRef<str>) -> String {
        let code = code.as_ref();
        let key = format!("{prefix}.{code}");
        match TEXTS
            .iter()
            .chain(crate::i18n_security::TEXTS)
            .find(|(k, _, _)| *k == key)
        {
            Some((_, de, en)) => (if self.lang == Lang::En { en } else { de }).to_string(),
            None => code.to_string(),
        }
    }

    /// Money as a reader expects it: "1.234,56 €" in German, "€1,234.56" in English.
    pub fn money(&self, amount: impl Val<Decimal>, currency: impl AsRef<str>) -> String {
        let currency = currency.as_ref();
        let s = format!("{:.2}", kontor_domain::round2(amount.val()));
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, s),
        };
        let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(if self.lang == Lang::En { ',' } else { '.' });
            }
            grouped.push(c);
        }
        let sign = if neg { "-" } else { "" };
        let symbol = if currency == "EUR" { "€" } else { currency };
        match self.lang {
            Lang::De => format!("{sign}{grouped},{frac} {symbol}"),
            Lang::En => format!("{sign}{symbol}{grouped}.{frac}"),
        }
    }

    /// A plain decimal for display ("2,5" in German).
    pub fn num(&self, value: impl Val<Decimal>) -> String {
        let s = value.val().normalize().to_string();
        if self.lang == Lang::De {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A price with at least two decimals ("12,50", "85,1234").
    pub fn price(&self, value: impl Val<Decimal>) -> String {
        let v = value.val().normalize();
        let v = if v.scale() < 2 {
            v.round_dp(2).trunc_with_scale(2)
        } else {
            v
        };
        let s = format!("{v:.*}", v.scale().max(2) as usize);
        if self.lang == Lang::De {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A stored RFC 3339 timestamp as local date and time ("26.11.2026 18:04").
    pub fn timestamp(&self, ts: impl AsRef<str>) -> String {
        match chrono::DateTime::parse_from_rfc3339(ts.as_ref()) {
            Ok(t) => {
                let local = t.with_timezone(&chrono::Local);
                match self.lang {
                    Lang::De => local.format("%d.%m.%Y %H:%M").to_string(),
                    Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
                }
            }
            Err(_) => ts.as_ref().to_string(),
        }
    }

    /// A unit code's label in this language ("HUR" → "Std.").
    pub fn unit(&self, code: impl AsRef<str>) -> &'static str {
        kontor_domain::codes::unit_label(code.as_ref(), self.lang.code())
    }

    pub fn date(&self, d: impl Val<NaiveDate>) -> String {
        let d = d.val();
        match self.lang {
            Lang::De => d.format("%d.%m.%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    pub fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| self.date(d)).unwrap_or_default()
    }

    pub fn doc_type(&self, t: impl Val<kontor_domain::DocumentType>) -> &'static str {
        t.val().label(self.lang.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_money_per_language() {
        let de = Tr::new(Lang::De);
        let en = Tr::new(Lang::En);
        assert_eq!(de.money(dec!(1234.5), "EUR"), "1.234,50 €");
        assert_eq!(en.money(dec!(1234.5), "EUR"), "€1,234.50");
        assert_eq!(de.money(dec!(-1234567.891), "USD"), "-1.234.567,89 USD");
        assert_eq!(de.money(dec!(0), "EUR"), "0,00 €");
        assert_eq!(
            de.date(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
            "26.11.2026"
        );
    }

    #[test]
    fn every_key_has_both_languages_and_no_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for (k, de, en) in TEXTS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!de.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,de;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::De);
        assert_eq!(Lang::from_accept_language("fr"), Lang::De);
    }
}
