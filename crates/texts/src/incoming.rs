//! Received invoices (payables): the list with its upload area, the invoice's page and its
//! forms.

macro_rules! incoming {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        IncomingTitle "incoming.title" => "Eingangsrechnungen", "Received invoices";
        IncomingUpload "incoming.upload" => "Dateien hochladen", "Upload files";
        IncomingDrop "incoming.drop" =>
            "XRechnung (XML), ZUGFeRD / Factur-X oder PDF hierher ziehen – auch mehrere auf einmal – oder auswählen:",
            "Drop XRechnung (XML), ZUGFeRD / Factur-X or PDF files here – several at once – or choose them:";
        IncomingChoose "incoming.choose" => "Dateien", "Files";
        IncomingUploaded "incoming.uploaded" => "{n} Datei(en) empfangen.", "{n} file(s) received.";
        IncomingRefused "incoming.refused" => "Nicht empfangen: {name}: {message}", "Not received: {name}: {message}";
        IncomingDueWeek "incoming.due_week" => "Diese Woche zu zahlen", "To pay this week";
        IncomingDueWeekSum "incoming.due_week_sum" =>
            "{n} freigegebene Rechnung(en) bis {date} fällig, zusammen {amount}",
            "{n} approved invoice(s) due by {date}, {amount} in all";
        IncomingDueWeekEmpty "incoming.due_week_empty" =>
            "Bis Sonntag ist keine freigegebene Rechnung fällig.",
            "No approved invoice is due by Sunday.";
        IncomingAll "incoming.all" => "Alle", "All";
        IncomingColReceived "incoming.col_received" => "Eingang", "Received";
        IncomingColSupplier "incoming.col_supplier" => "Lieferant", "Supplier";
        IncomingColNumber "incoming.col_number" => "Rechnungsnr.", "Invoice no.";
        IncomingColDue "incoming.col_due" => "Fällig", "Due";
        IncomingColAmount "incoming.col_amount" => "Zu zahlen", "Amount due";
        IncomingColStatus "incoming.col_status" => "Status", "Status";
        IncomingColCheck "incoming.col_check" => "Prüfung", "Check";
        IncomingValid "incoming.valid" => "gültig", "valid";
        IncomingInvalid "incoming.invalid" => "Fehler gefunden", "errors found";
        IncomingPlainPdf "incoming.plain_pdf" => "PDF ohne E-Rechnung", "PDF without e-invoice";
        IncomingDuplicateOf "incoming.duplicate_of" => "Duplikat von Nr. {id}", "Duplicate of no. {id}";
        IncomingStatusReceived "incoming.status.received" => "Eingegangen", "Received";
        IncomingStatusChecked "incoming.status.checked" => "Geprüft", "Checked";
        IncomingStatusApproved "incoming.status.approved" => "Freigegeben", "Approved";
        IncomingStatusPaid "incoming.status.paid" => "Bezahlt", "Paid";
        IncomingStatusRejected "incoming.status.rejected" => "Abgelehnt", "Rejected";
        IncomingOriginal "incoming.original" => "Original herunterladen", "Download original";
        IncomingPdf "incoming.pdf" => "Lesbare Fassung (PDF)", "Readable copy (PDF)";
        IncomingAttachment "incoming.attachment" => "Anlage herunterladen", "Download attachment";
        IncomingApprove "incoming.approve" => "Zur Zahlung freigeben", "Approve for payment";
        IncomingReject "incoming.reject" => "Ablehnen", "Reject";
        IncomingRejectReason "incoming.reject_reason" => "Grund der Ablehnung", "Reason for rejecting";
        IncomingRejected "incoming.rejected" => "Abgelehnt: {reason}", "Rejected: {reason}";
        IncomingEnter "incoming.enter" => "Angaben prüfen und erfassen", "Check and enter the data";
        IncomingEnterHint "incoming.enter_hint" =>
            "Kontor hat aus dieser Datei keine fehlerfreie E-Rechnung gelesen. Übernehmen Sie die Angaben aus dem Dokument; mit dem Speichern gilt die Rechnung als geprüft.",
            "Kontor did not read a faultless e-invoice from this file. Enter the data from the document; saving marks the invoice as checked.";
        IncomingEnterSave "incoming.enter_save" => "Speichern und als geprüft markieren", "Save and mark as checked";
        IncomingSupplierMatched "incoming.supplier_matched" => "Lieferant: {name} (erkannt an: {how})", "Supplier: {name} (matched by {how})";
        IncomingSupplierNew "incoming.supplier_new" =>
            "Kein passender Kontakt: bei der Freigabe wird ein Lieferantenkontakt aus den Rechnungsdaten angelegt.",
            "No matching contact: approving creates a supplier contact from the invoice's data.";
        IncomingMatchedVatId "incoming.matched.vat_id" => "USt-IdNr.", "VAT ID";
        IncomingMatchedIban "incoming.matched.iban" => "IBAN früherer Zahlungen", "IBAN of earlier payments";
        IncomingMatchedName "incoming.matched.name" => "Name", "name";
        IncomingMatchedLinked "incoming.matched.linked" => "Freigabe", "approval";
        IncomingPayments "incoming.payments" => "Zahlungen", "Payments";
        IncomingPay "incoming.pay" => "Zahlung erfassen", "Record payment";
        IncomingReverse "incoming.reverse" => "Zahlung zurücknehmen", "Take back payment";
        IncomingHistory "incoming.history" => "Verlauf", "History";
        IncomingOpen "incoming.open" => "Offen: {amount}", "Open: {amount}";
        IncomingApproverNeeded "incoming.approver_needed" =>
            "Freigeben, ablehnen und bezahlen darf die Buchhaltung (Rolle Buchhaltung oder Admin).",
            "Approving, rejecting and paying is for accounting (role accountant or admin).";
        IncomingFieldSeller "incoming.field.seller" => "Lieferant", "Supplier";
        IncomingFieldVatId "incoming.field.vat_id" => "USt-IdNr. des Lieferanten", "Supplier's VAT ID";
        IncomingFieldIban "incoming.field.iban" => "IBAN des Lieferanten", "Supplier's IBAN";
        IncomingFieldNumber "incoming.field.number" => "Rechnungsnummer", "Invoice number";
        IncomingFieldIssueDate "incoming.field.issue_date" => "Rechnungsdatum", "Invoice date";
        IncomingFieldDueDate "incoming.field.due_date" => "Fällig am", "Due date";
        IncomingFieldCurrency "incoming.field.currency" => "Währung", "Currency";
        IncomingFieldNet "incoming.field.net" => "Netto", "Net";
        IncomingFieldVat "incoming.field.vat" => "Umsatzsteuer", "VAT";
        IncomingFieldGross "incoming.field.gross" => "Brutto", "Gross";
        IncomingFieldDue "incoming.field.due" => "Zu zahlen", "Amount due";
        AuditReceive "audit.receive" => "empfangen", "received";
        AuditCheck "audit.check" => "geprüft und erfasst", "checked and entered";
        AuditApprove "audit.approve" => "zur Zahlung freigegeben", "approved for payment";
        AuditReject "audit.reject" => "abgelehnt", "rejected";
        IncomingFieldCreditNote "incoming.field.credit_note" => "Gutschrift", "Credit note";
    } };
}
