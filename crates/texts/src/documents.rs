//! Document pages: lists, editor, view, states, tax modes, payments.

macro_rules! documents {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        PaymentMethodTransfer "payment_method.transfer" => "Überweisung", "Bank transfer";
        PaymentMethodDirectDebit "payment_method.direct_debit" =>
            "SEPA-Lastschrift",
            "SEPA direct debit";
        LineItem "line.item" => "Position", "Item";
        LineOptional "line.optional" => "Optional", "Optional";
        LineText "line.text" => "Text", "Text";
        DocsTitle "docs.title" => "Dokumente", "Documents";
        DocsNew "docs.new" => "Neues Dokument", "New document";
        DocsLines "docs.lines" => "Positionen", "Line items";
        DocsAddLine "docs.add_line" => "Position hinzufügen", "Add line";
        DocsAddText "docs.add_text" => "Textzeile hinzufügen", "Add text line";
        DocsMoveUp "docs.move_up" => "Nach oben", "Move up";
        DocsMoveDown "docs.move_down" => "Nach unten", "Move down";
        DocsRemoveLine "docs.remove_line" => "Position entfernen", "Remove line";
        DocsTotals "docs.totals" => "Summen", "Totals";
        DocsLineTotal "docs.line_total" =>
            "Summe Positionen (nach Positionsrabatten)",
            "Sum of lines (after line discounts)";
        DocsAllowance "docs.allowance" =>
            "Gesamtrabatt auf die Summe",
            "Document discount on the sum";
        DocsNet "docs.net" => "Netto", "Net";
        DocsVatAt "docs.vat_at" => "USt", "VAT";
        DocsGross "docs.gross" => "Gesamt", "Total";
        DocsPrepaid "docs.prepaid" => "Bereits gezahlt", "Prepaid";
        DocsDue "docs.due" => "Zahlbetrag", "Amount due";
        DocsDownPayments "docs.down_payments" =>
            "Abgezogene Anzahlungsrechnungen (§ 14 Abs. 5 UStG)",
            "Deducted down-payment invoices (§ 14 (5) UStG)";
        DocsDownPaymentInvoice "docs.down_payment_invoice" => "Anzahlungsrechnung", "Down-payment invoice";
        DocsDownPaymentOpen "docs.down_payment_open" =>
            "noch offen: {amount}, zahlbar auf die Anzahlungsrechnung",
            "still open: {amount}, payable on the down-payment invoice";
        DocsLessDownPayments "docs.less_down_payments" => "abzgl. Anzahlungen", "Less down payments";
        DocsCredit "docs.credit" => "Gutschrift zu Ihren Gunsten", "Credit in your favour";
        DocsSaveDraft "docs.save_draft" => "Entwurf speichern", "Save draft";
        DocsIssue "docs.issue" => "Ausstellen", "Issue";
        DocsIssueConfirm "docs.issue_confirm" =>
            "Nach dem Ausstellen kann das Dokument nicht mehr geändert werden.",
            "Once issued, the document can no longer be changed.";
        DocsCannotIssue "docs.cannot_issue" =>
            "Das Dokument kann noch nicht ausgestellt werden:",
            "The document cannot be issued yet:";
        DocsDerive "docs.derive" => "Weiterführen als", "Turn into";
        DocsCancelDoc "docs.cancel_doc" => "Stornieren", "Cancel invoice";
        DocsCancelConfirm "docs.cancel_confirm" =>
            "Es wird eine Stornorechnung erstellt.",
            "A cancellation invoice will be issued.";
        DocsDuplicate "docs.duplicate" => "Duplizieren", "Duplicate";
        DocsPdfDownload "docs.pdf_download" => "PDF öffnen", "Open PDF";
        DocsPdfPreview "docs.pdf_preview" => "PDF-Vorschau", "PDF preview";
        DocsDeleteDraft "docs.delete_draft" => "Entwurf löschen", "Delete draft";
        DocsPayments "docs.payments" => "Zahlungen", "Payments";
        DocsRecordPayment "docs.record_payment" => "Zahlung erfassen", "Record payment";
        DocsLocked "docs.locked" =>
            "Ausgestellt und gesperrt (GoBD): Änderungen nur über Gutschrift oder Storno.",
            "Issued and locked (GoBD): corrections only by credit note or cancellation.";
        DocsLockedOther "docs.locked_other" =>
            "Ausgestellt und gesperrt (GoBD): für Änderungen ein neues Dokument erstellen (Duplizieren).",
            "Issued and locked (GoBD): for changes, make a new document (Duplicate).";
        DocsDerivedDocs "docs.derived_docs" => "Daraus erstellt", "Made from it";
        DocsPaymentReversal "docs.payment_reversal" => "Storno einer Zahlung", "Reversal of a payment";
        DocsPaymentReversed "docs.payment_reversed" => "Storniert", "Reversed";
        DocsReverseReason "docs.reverse_reason" => "Grund der Stornobuchung", "Reason for the reversal";
        DocsReversePayment "docs.reverse_payment" => "Zahlung stornieren", "Reverse payment";
        DocsReverseConfirm "docs.reverse_confirm" =>
            "Die Zahlung mit einer Gegenbuchung stornieren? Beide Buchungen bleiben sichtbar.",
            "Reverse the payment with an opposite booking? Both stay visible.";
        AuditPaymentReversal "audit.payment_reversal" => "Zahlung storniert", "payment reversed";
        DocsIssueWarnings "docs.issue_warnings" =>
            "Vor dem Ausstellen prüfen – das Dokument kann ausgestellt werden, aber:",
            "Check before issuing – the document can be issued, but:";
        DocsEinvoiceOutlook "docs.einvoice_outlook" =>
            "Beim Ausstellen entstehen diese E-Rechnungen:",
            "Issuing makes these e-invoices:";
        DocsFormatZugferd "docs.format_zugferd" =>
            "ZUGFeRD / Factur-X (PDF mit eingebetteter XML)",
            "ZUGFeRD / Factur-X (PDF with embedded XML)";
        DocsFormatXrechnung "docs.format_xrechnung" =>
            "XRechnung (UBL und CII)",
            "XRechnung (UBL and CII)";
        DocsFormatNoXrechnung "docs.format_no_xrechnung" =>
            "Keine XRechnung, denn:",
            "No XRechnung, because:";
        DocsMarkAccepted "docs.mark_accepted" => "Angenommen", "Accepted";
        DocsMarkDeclined "docs.mark_declined" => "Abgelehnt", "Declined";
        DocsMarkOpen "docs.mark_open" => "Wieder offen", "Open again";
        FieldValidUntil "field.valid_until" => "Gültig bis", "Valid until";
        StatusAccepted "status.accepted" => "Angenommen", "Accepted";
        StatusDeclined "status.declined" => "Abgelehnt", "Declined";
        StatusExpired "status.expired" => "Abgelaufen", "Expired";
        AuditOutcome "audit.outcome" => "Angebotsstatus", "Quote status";
        DocsAudit "docs.audit" => "Änderungsprotokoll", "Audit trail";
        DocsSource "docs.source" => "Abgeleitet von", "Derived from";
        DocsCorrects "docs.corrects" => "Korrigiert", "Corrects";
        DocsCancelledBy "docs.cancelled_by" => "Storniert durch", "Cancelled by";
        DocsSearchContact "docs.search_contact" => "Kontakt suchen …", "Search contact …";
        DocsSearchArticle "docs.search_article" => "Artikel suchen …", "Search article …";
        DocsDraft "docs.draft" => "Entwurf", "Draft";
        DocsIssuedAt "docs.issued_at" => "Ausgestellt am", "Issued on";
        DocsSeller "docs.seller" => "Verkäufer", "Seller";
        DocsBuyer "docs.buyer" => "Käufer", "Buyer";
        StatusDraft "status.draft" => "Entwurf", "Draft";
        StatusIssued "status.issued" => "Ausgestellt", "Issued";
        StatusOpen "status.open" => "Offen", "Open";
        StatusPartiallyPaid "status.partially_paid" => "Teilweise bezahlt", "Partially paid";
        StatusPaid "status.paid" => "Bezahlt", "Paid";
        StatusOverdue "status.overdue" => "Überfällig", "Overdue";
        StatusCancelled "status.cancelled" => "Storniert", "Cancelled";
        TaxStandard "tax.standard" => "Regelbesteuerung", "Standard VAT";
        TaxSmallBusiness "tax.small_business" =>
            "Kleinunternehmer (§ 19 UStG)",
            "Small business (§ 19 UStG)";
        TaxReverseCharge "tax.reverse_charge" =>
            "Reverse Charge (§ 13b UStG)",
            "Reverse charge (§ 13b UStG)";
        TaxIntraEu "tax.intra_eu" => "Innergemeinschaftliche Lieferung", "Intra-EU supply";
        TaxExport "tax.export" => "Ausfuhrlieferung", "Export";
        PayBankTransfer "pay.bank_transfer" => "Überweisung", "Bank transfer";
        PayCash "pay.cash" => "Bar", "Cash";
        PayCard "pay.card" => "Karte", "Card";
        PayDirectDebit "pay.direct_debit" => "Lastschrift", "Direct debit";
        PayPaypal "pay.paypal" => "PayPal", "PayPal";
        PayOther "pay.other" => "Sonstige", "Other";
        DocTypeQuote "doc_type.quote" => "Angebot", "Quote";
        DocTypeOrderConfirmation "doc_type.order_confirmation" => "Auftragsbestätigung", "Order confirmation";
        DocTypeDeliveryNote "doc_type.delivery_note" => "Lieferschein", "Delivery note";
        DocTypeInvoice "doc_type.invoice" => "Rechnung", "Invoice";
        DocTypeDownPaymentInvoice "doc_type.down_payment_invoice" => "Abschlagsrechnung", "Down-payment invoice";
        DocTypeCreditNote "doc_type.credit_note" => "Rechnungskorrektur", "Credit note";
        DocTypeCancellation "doc_type.cancellation" => "Stornorechnung", "Cancellation invoice";
        FormChooseDocumentType "form.choose_document_type" => "Dokumenttyp wählen", "choose a document type";
        FormChooseContact "form.choose_contact" => "Kontakt wählen", "choose a contact";
        FormNotADate "form.not_a_date" => "kein Datum (TT.MM.JJJJ)", "not a date (YYYY-MM-DD)";
        FormWholeDays "form.whole_days" => "ganze Tage, z. B. 14", "whole days, e.g. 14";
        FormRequired "form.required" => "Pflichtfeld", "required";
        FormExchangeRate "form.exchange_rate" =>
            "größer als 0 (Einheiten der Währung je 1 EUR)",
            "must be greater than 0 (units of the document currency per 1 EUR)";
        FormSkontoDays "form.skonto_days" => "1 bis 365 Tage", "must be between 1 and 365 days";
        FormSkontoPercent "form.skonto_percent" =>
            "größer als 0 und kleiner als 100",
            "must be greater than 0 and less than 100";
        FormSkontoDecimals "form.skonto_decimals" =>
            "höchstens 2 Nachkommastellen",
            "has more than 2 decimal places";
        FormSkontoSteps "form.skonto_steps" =>
            "die zweite Stufe braucht mehr Tage und weniger Prozent als die erste",
            "the second step needs more days and a smaller percentage than the first";
        DocsXrechnungUnavailable "docs.xrechnung_unavailable" =>
            "Keine XRechnung für diese Rechnung möglich (die Daten bei der Ausstellung reichten nicht):",
            "No XRechnung for this invoice (the data when it was issued were not enough):";
        DocsCancelReason "docs.cancel_reason" => "Grund (optional)", "Reason (optional)";
        CancellationSubject "cancellation.subject" =>
            "Stornorechnung zu {type} {number} vom {date}",
            "Cancellation of {type} {number} of {date}";
        FormNotANumber "form.not_a_number" =>
            "ist keine Zahl (z. B. 12,50)",
            "is not a number (e.g. 12.50)";
        FormTooManyDecimals "form.too_many_decimals" =>
            "hat mehr als {n} Nachkommastellen",
            "has more than {n} decimal places";
        FormNegative "form.negative" => "darf nicht negativ sein", "must not be negative";
        FormTooLarge "form.too_large" => "ist zu groß", "is too large";
        FormChooseType "form.choose_type" => "Dokumenttyp wählen", "choose a document type";
        FormUnknownValue "form.unknown_value" => "unbekannter Wert", "unknown value";
        DocsDraftTitle "docs.draft_title" => "{type} (Entwurf)", "{type} (draft)";
        DocsNewTitle "docs.new_title" => "{type} (neu)", "{type} (new)";
        DocsMoreTerms "docs.more_terms" =>
            "Skonto, Wechselkurs, bereits gezahlt",
            "Cash discount, exchange rate, already paid";
        DocsContactsFound "docs.contacts_found" => "Gefundene Kontakte", "Contacts found";
        DocsArticlesFound "docs.articles_found" => "Gefundene Artikel", "Articles found";
        VatZeroRate "vat.zero_rate" => "Nullsatz", "zero rate";
        UnitC62 "unit.c62" => "Stück", "Unit";
        UnitH87 "unit.h87" => "Stück (ausgeschrieben)", "Piece";
        UnitHur "unit.hur" => "Stunde", "Hour";
        UnitMin "unit.min" => "Minute", "Minute";
        UnitDay "unit.day" => "Tag", "Day";
        UnitWee "unit.wee" => "Woche", "Week";
        UnitMon "unit.mon" => "Monat", "Month";
        UnitAnn "unit.ann" => "Jahr", "Year";
        UnitKgm "unit.kgm" => "Kilogramm", "Kilogram";
        UnitGrm "unit.grm" => "Gramm", "Gram";
        UnitTne "unit.tne" => "Tonne", "Tonne";
        UnitMtr "unit.mtr" => "Meter", "Metre";
        UnitKmt "unit.kmt" => "Kilometer", "Kilometre";
        UnitMtk "unit.mtk" => "Quadratmeter", "Square metre";
        UnitMtq "unit.mtq" => "Kubikmeter", "Cubic metre";
        UnitLtr "unit.ltr" => "Liter", "Litre";
        UnitKwh "unit.kwh" => "Kilowattstunde", "Kilowatt hour";
        UnitLs "unit.ls" => "Pauschale", "Lump sum";
        UnitSet "unit.set" => "Satz", "Set";
        UnitPr "unit.pr" => "Paar", "Pair";
        UnitXpk "unit.xpk" => "Paket", "Package";
        UnitXbx "unit.xbx" => "Karton", "Box";
        UnitP1 "unit.p1" => "Prozent", "Percent";
    } };
}
