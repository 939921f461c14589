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
        MailboxTitle "mailbox.title" => "Rechnungseingang per E-Mail (IMAP)", "Invoices by e-mail (IMAP)";
        MailboxHint "mailbox.hint" =>
            "Kontor liest dieses Postfach regelmäßig: E-Rechnungen im Anhang (XRechnung, ZUGFeRD) werden als Eingangsrechnungen übernommen, jede Mail wird danach in den Ordner ihres Ergebnisses verschoben.",
            "Kontor reads this mailbox regularly: e-invoices attached (XRechnung, ZUGFeRD) become received invoices, and each mail is then moved to the folder of its outcome.";
        MailboxPasswordKept "mailbox.password_kept" =>
            "Ein Passwort ist gespeichert; leer lassen, um es zu behalten.",
            "A password is stored; leave this empty to keep it.";
        MailboxSecurityImaps "mailbox.security.imaps" => "IMAPS (TLS, Port 993)", "IMAPS (TLS, port 993)";
        MailboxSecurityStarttls "mailbox.security.starttls" => "STARTTLS (Port 143)", "STARTTLS (port 143)";
        MailboxSecurityPlain "mailbox.security.plain" => "unverschlüsselt (nur 127.0.0.1)", "unencrypted (127.0.0.1 only)";
        MailboxOffHint "mailbox.off_hint" =>
            "Server leer lassen: kein Postfach. Abrufintervall 0: nur auf Knopfdruck.",
            "Leave the server empty for no mailbox. Interval 0: only on request.";
        MailboxPollNow "mailbox.poll_now" => "Postfach jetzt abrufen", "Check mailbox now";
        MailboxLastRun "mailbox.last_run" => "Letzter Abruf", "Last run";
        MailboxNoRun "mailbox.no_run" => "Das Postfach wurde noch nicht abgerufen.", "The mailbox has not been read yet.";
        MailboxRunSummary "mailbox.run_summary" =>
            "{time}: {mails} Mail(s) gelesen, {imported} Rechnung(en) übernommen ({invalid} mit Fehlern), {duplicates} schon vorhanden, {refused} abgewiesen, {without} ohne E-Rechnung.",
            "{time}: {mails} mail(s) read, {imported} invoice(s) imported ({invalid} with errors), {duplicates} already there, {refused} refused, {without} without an e-invoice.";
        MailboxRunFailed "mailbox.run_failed" => "Der Abruf ist fehlgeschlagen:", "The run failed:";
        MailboxWaiting "mailbox.waiting" => "{n} weitere Mail(s) folgen beim nächsten Abruf.", "{n} more mail(s) follow in the next run.";
        MailboxWithoutInvoice "mailbox.without_invoice" => "Mails ohne E-Rechnung", "Mails without an e-invoice";
        MailboxMails "mailbox.mails" => "Gelesene Mails", "Mails read";
        MailboxColSubject "mailbox.col_subject" => "Betreff", "Subject";
        MailboxColFrom "mailbox.col_from" => "Absender", "From";
        MailboxColOutcome "mailbox.col_outcome" => "Ergebnis", "Outcome";
        MailboxColAttachments "mailbox.col_attachments" => "Anhänge", "Attachments";
        MailboxOutcomeImported "mailbox.outcome.imported" => "übernommen", "imported";
        MailboxOutcomeFaulty "mailbox.outcome.faulty" => "fehlerhaft", "faulty";
        MailboxOutcomeWithoutInvoice "mailbox.outcome.without_invoice" => "ohne E-Rechnung", "without e-invoice";
        MailboxOutcomeKept "mailbox.outcome.kept" => "im Postfach gelassen", "left in the mailbox";
        MailboxResultImported "mailbox.result.imported" => "übernommen", "imported";
        MailboxResultDuplicate "mailbox.result.duplicate" => "schon vorhanden", "already there";
        MailboxResultInvalid "mailbox.result.invalid" => "übernommen, mit Fehlern", "imported, with errors";
        MailboxResultRefused "mailbox.result.refused" => "abgewiesen", "refused";
        MailboxResultSkipped "mailbox.result.skipped" => "nicht übernommen", "not imported";
        MailboxResultFailed "mailbox.result.failed" => "nicht gespeichert", "not stored";
        MailboxSettingsLink "mailbox.settings_link" => "Postfach einrichten", "Set up the mailbox";
        FieldHost "field.host" => "Server (IMAP)", "Server (IMAP)";
        FieldPort "field.port" => "Port", "Port";
        FieldSecurity "field.security" => "Verbindung", "Connection";
        FieldFolder "field.folder" => "Ordner, der gelesen wird", "Folder to read";
        FieldFolderImported "field.folder_imported" => "Ordner für übernommene Mails", "Folder for imported mails";
        FieldFolderFaulty "field.folder_faulty" => "Ordner für fehlerhafte Mails", "Folder for faulty mails";
        FieldFolderWithoutInvoice "field.folder_without_invoice" => "Ordner für Mails ohne E-Rechnung", "Folder for mails without an e-invoice";
        FieldIntervalMinutes "field.interval_minutes" => "Abrufintervall (Minuten, 0 = aus)", "Interval (minutes, 0 = off)";
        FieldCaCertificate "field.ca_certificate" =>
            "Eigenes CA-Zertifikat (PEM, optional)",
            "Own CA certificate (PEM, optional)";
    } };
}
