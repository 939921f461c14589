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
    } };
}
