//! Buttons, words and error pages shared by all pages.

macro_rules! common {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        DashOpen "dash.open" => "Offene Rechnungen", "Open invoices";
        DashOverdue "dash.overdue" => "Überfällig", "Overdue";
        DashRevenueMonth "dash.revenue_month" =>
            "Umsatz (netto) diesen Monat",
            "Revenue (net) this month";
        DashRevenueYear "dash.revenue_year" =>
            "Umsatz (netto) dieses Jahr",
            "Revenue (net) this year";
        DashRecent "dash.recent" => "Letzte Dokumente", "Recent documents";
        DashChart "dash.chart" => "Umsatz der letzten 12 Monate", "Revenue of the last 12 months";
        CommonSearch "common.search" => "Suchen", "Search";
        CommonSave "common.save" => "Speichern", "Save";
        CommonCancel "common.cancel" => "Abbrechen", "Cancel";
        CommonEdit "common.edit" => "Bearbeiten", "Edit";
        CommonDelete "common.delete" => "Löschen", "Delete";
        CommonNew "common.new" => "Neu", "New";
        CommonBack "common.back" => "Zurück", "Back";
        CommonPrevious "common.previous" => "Zurück", "Previous";
        CommonNext "common.next" => "Weiter", "Next";
        CommonPage "common.page" => "Seite", "Page";
        CommonOf "common.of" => "von", "of";
        CommonNone "common.none" => "Keine Einträge.", "Nothing here yet.";
        CommonAll "common.all" => "Alle", "All";
        CommonFilter "common.filter" => "Filtern", "Filter";
        CommonYes "common.yes" => "Ja", "Yes";
        CommonNo "common.no" => "Nein", "No";
        CommonErrors "common.errors" =>
            "Bitte korrigieren Sie die markierten Felder.",
            "Please correct the marked fields.";
        CommonSaved "common.saved" => "Gespeichert.", "Saved.";
        CommonArchived "common.archived" => "archiviert", "archived";
        CommonInactive "common.inactive" => "inaktiv", "inactive";
        CommonIncludeArchived "common.include_archived" => "Archivierte zeigen", "Show archived";
        CommonActions "common.actions" => "Aktionen", "Actions";
        CommonDays "common.days" => "Tage", "days";
        ErrorTitle "error.title" => "Es ist ein Fehler aufgetreten", "Something went wrong";
        ErrorReference "error.reference" => "Referenz", "Reference";
        ErrorNotFound "error.not_found" => "Nicht gefunden.", "Not found.";
        ErrorForbidden "error.forbidden" =>
            "Dafür fehlt Ihnen die Berechtigung.",
            "You are not allowed to do this.";
        ErrorCsrf "error.csrf" =>
            "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu.",
            "The form has expired. Please reload the page.";
        ErrorInternal "error.internal" =>
            "Ein unerwarteter Fehler ist aufgetreten. Bitte nennen Sie dem Support die Referenz.",
            "An unexpected error occurred. Please give support the reference.";
        ErrorRequired "error.required" => "Pflichtfeld", "Required";
        ProblemCountry "problem.country" =>
            "Bitte den Ländercode nach ISO 3166 angeben, z. B. DE.",
            "must be an ISO 3166 country code such as DE";
        ProblemEmail "problem.email" =>
            "Das ist keine E-Mail-Adresse.",
            "is not an e-mail address";
        ProblemLeitwegId "problem.leitweg_id" =>
            "Das ist keine gültige Leitweg-ID (Aufbau oder Prüfziffer stimmt nicht).",
            "is not a valid Leitweg-ID";
        ProblemDays "problem.days" =>
            "Bitte eine Zahl von 0 bis 365 angeben.",
            "must be between 0 and 365";
        ProblemMandateReference "problem.mandate_reference" =>
            "Höchstens 35 Zeichen: Buchstaben A–Z, Ziffern und + ? / - : ( ) . , ' oder Leerzeichen.",
            "must have at most 35 characters: letters A-Z, digits and + ? / - : ( ) . , ' or space";
        ProblemTooLong "problem.too_long" =>
            "Der Text ist zu lang.",
            "is too long";
        ProblemVatId "problem.vat_id" =>
            "Die USt-IdNr. beginnt mit dem Ländercode, gefolgt von 2 bis 13 Buchstaben oder Ziffern, z. B. DE123456788.",
            "must start with the country prefix, e.g. DE123456788";
        ProblemVatIdCheckDigit "problem.vat_id_check_digit" =>
            "Die Prüfziffer der USt-IdNr. stimmt nicht – bitte auf Tippfehler prüfen.",
            "is not a valid VAT ID: the check digit does not match (a typing error?)";
        ProblemCurrency "problem.currency" =>
            "Keine unterstützte Währung (ISO 4217, z. B. EUR).",
            "is not a supported ISO 4217 currency";
        ProblemIban "problem.iban" =>
            "Keine gültige IBAN: die Prüfziffer stimmt nicht.",
            "is not a valid IBAN (checksum)";
        ProblemBic "problem.bic" =>
            "Keine BIC: sie hat 8 oder 11 Buchstaben und Ziffern.",
            "is not a BIC (8 or 11 letters and digits)";
        ProblemCreditorId "problem.creditor_id" =>
            "Keine gültige Gläubiger-ID (z. B. DE98ZZZ09999999999).",
            "is not a valid SEPA creditor identifier";
    } };
}
