//! Settings: company, number ranges, users, audit log.

macro_rules! settings {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        SettingsTitle "settings.title" => "Einstellungen", "Settings";
        SettingsCompany "settings.company" => "Unternehmen", "Company";
        SettingsNumbers "settings.numbers" => "Nummernkreise", "Number ranges";
        SettingsUsers "settings.users" => "Benutzer", "Users";
        SettingsTexts "settings.texts" => "Textbausteine", "Text blocks";
        SettingsLook "settings.look" => "Dokument-Layout", "Document layout";
        SettingsPreview "settings.preview" => "Vorschau (PDF)", "Preview (PDF)";
        SettingsTemplateHint "settings.template_hint" =>
            "Typst-Vorlage, die /data.json liest (Datenmodell: docs/pdf-template.md). Leer lassen für das Standard-Layout. Beim Speichern wird sie mit Beispieldokumenten übersetzt; Fehler nennen die Zeile.",
            "A typst template reading /data.json (data model: docs/pdf-template.md). Leave empty for the default layout. Saving compiles it with sample documents; errors name the line.";
        SettingsAddUser "settings.add_user" => "Benutzer anlegen", "Add user";
        SettingsTextsHelp "settings.texts_help" =>
            "Platzhalter: {name}, {number}, {date}, {due_date}",
            "Placeholders: {name}, {number}, {date}, {due_date}";
        ResetNever "reset.never" => "nie", "never";
        ResetYearly "reset.yearly" => "jährlich", "yearly";
        ResetMonthly "reset.monthly" => "monatlich", "monthly";
        RangeQuote "range.quote" => "Angebote", "Quotes";
        RangeOrderConfirmation "range.order_confirmation" =>
            "Auftragsbestätigungen",
            "Order confirmations";
        RangeDeliveryNote "range.delivery_note" => "Lieferscheine", "Delivery notes";
        RangeInvoice "range.invoice" => "Rechnungen", "Invoices";
        RangeDownPaymentInvoice "range.down_payment_invoice" =>
            "Abschlagsrechnungen",
            "Down-payment invoices";
        RangeCreditNote "range.credit_note" => "Rechnungskorrekturen", "Credit notes";
        RangeCancellation "range.cancellation" => "Stornorechnungen", "Cancellations";
        RangeCustomer "range.customer" => "Kundennummern", "Customer numbers";
        RangeSupplier "range.supplier" => "Lieferantennummern", "Supplier numbers";
        RangeArticle "range.article" => "Artikelnummern", "Article numbers";
        AuditCreate "audit.create" => "angelegt", "created";
        AuditUpdate "audit.update" => "geändert", "changed";
        AuditDelete "audit.delete" => "gelöscht", "deleted";
        AuditIssue "audit.issue" => "ausgestellt", "issued";
        AuditDerive "audit.derive" => "abgeleitet", "derived";
        AuditCancel "audit.cancel" => "storniert", "cancelled";
        AuditPayment "audit.payment" => "Zahlung erfasst", "payment recorded";
        RoleAdmin "role.admin" => "Administrator", "Administrator";
        RoleAccountant "role.accountant" => "Buchhaltung", "Accountant";
        RoleSales "role.sales" => "Vertrieb", "Sales";
        RoleAuditor "role.auditor" => "Prüfer (nur lesen)", "Auditor (read-only)";
    } };
}
