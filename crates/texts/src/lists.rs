//! List pages (sorting, selection, bulk downloads) and the dashboard's labels and months.

macro_rules! lists {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        ListSortedAscending "list.sorted_ascending" => "aufsteigend sortiert", "sorted ascending";
        ListSortedDescending "list.sorted_descending" => "absteigend sortiert", "sorted descending";
        ListSearchHint "list.search_hint" =>
            "Nummer, Kontakt, Betreff oder Bruttobetrag (z. B. 1.271,64)",
            "Number, contact, subject or gross amount (e.g. 1,271.64)";
        ListSelect "list.select" => "Auswählen", "Select";
        ListSelectAll "list.select_all" => "Alle auf dieser Seite auswählen", "Select all on this page";
        ListSelection "list.selection" => "Ausgewählte Dokumente", "Selected documents";
        ListBulkZip "list.bulk_zip" => "PDFs als ZIP herunterladen", "Download PDFs as ZIP";
        ListBulkCsv "list.bulk_csv" => "Als CSV exportieren (Excel)", "Export as CSV (Excel)";
        ListBulkHint "list.bulk_hint" =>
            "Das ZIP enthält die archivierten PDFs der ausgestellten Dokumente (Entwürfe haben noch keins); höchstens {n} Dokumente auf einmal.",
            "The ZIP holds the archived PDFs of the issued documents (drafts have none yet); at most {n} documents at a time.";
        ListBulkNone "list.bulk_none" =>
            "Bitte wählen Sie mindestens ein Dokument aus.",
            "Please select at least one document.";
        ListBulkTooMany "list.bulk_too_many" =>
            "Bitte wählen Sie höchstens {n} Dokumente auf einmal aus.",
            "Please select at most {n} documents at a time.";
        ListBulkNoIssued "list.bulk_no_issued" =>
            "Unter den ausgewählten Dokumenten ist kein ausgestelltes: nur ausgestellte Dokumente haben ein archiviertes PDF.",
            "None of the selected documents is issued: only issued documents have an archived PDF.";
        DashOpenHint "dash.open_hint" =>
            "Noch zu zahlen auf alle ausgestellten Rechnungen, Stand {date}",
            "Still to be paid on all issued invoices, as of {date}";
        DashOverdueHint "dash.overdue_hint" =>
            "Davon über das Fälligkeitsdatum hinaus offen (fällig vor dem {date})",
            "Of these, unpaid past their due date (due before {date})";
        DashInvoiceCount "dash.invoice_count" => "Anzahl Rechnungen: {n}", "Number of invoices: {n}";
        DashRevenueHint "dash.revenue_hint" =>
            "Netto in EUR: ausgestellte Rechnungen abzüglich Gutschriften und Stornos",
            "Net in EUR: issued invoices less credit notes and cancellations";
        DashChartHint "dash.chart_hint" =>
            "Umsatz netto in EUR je Monat, {from} bis {to}",
            "Net revenue in EUR per month, {from} to {to}";
        DashMonth "dash.month" => "Monat", "Month";
        DashRevenue "dash.revenue" => "Umsatz netto", "Net revenue";
        Month1 "month.1" => "Januar", "January";
        Month2 "month.2" => "Februar", "February";
        Month3 "month.3" => "März", "March";
        Month4 "month.4" => "April", "April";
        Month5 "month.5" => "Mai", "May";
        Month6 "month.6" => "Juni", "June";
        Month7 "month.7" => "Juli", "July";
        Month8 "month.8" => "August", "August";
        Month9 "month.9" => "September", "September";
        Month10 "month.10" => "Oktober", "October";
        Month11 "month.11" => "November", "November";
        Month12 "month.12" => "Dezember", "December";
        MonthShort1 "month_short.1" => "Jan", "Jan";
        MonthShort2 "month_short.2" => "Feb", "Feb";
        MonthShort3 "month_short.3" => "Mär", "Mar";
        MonthShort4 "month_short.4" => "Apr", "Apr";
        MonthShort5 "month_short.5" => "Mai", "May";
        MonthShort6 "month_short.6" => "Jun", "Jun";
        MonthShort7 "month_short.7" => "Jul", "Jul";
        MonthShort8 "month_short.8" => "Aug", "Aug";
        MonthShort9 "month_short.9" => "Sep", "Sep";
        MonthShort10 "month_short.10" => "Okt", "Oct";
        MonthShort11 "month_short.11" => "Nov", "Nov";
        MonthShort12 "month_short.12" => "Dez", "Dec";
    } };
}
