//! Texts printed on the PDF documents; `{name}` marks a value filled in by the renderer.

macro_rules! pdf {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        PdfQuoteNo "pdf.quote_no" => "Angebotsnr.", "Quote no.";
        PdfOrderNo "pdf.order_no" => "Auftragsnr.", "Order no.";
        PdfDeliveryNoteNo "pdf.delivery_note_no" => "Lieferscheinnr.", "Delivery note no.";
        PdfInvoiceNo "pdf.invoice_no" => "Rechnungsnr.", "Invoice no.";
        PdfDraft "pdf.draft" => "Entwurf", "Draft";
        PdfDate "pdf.date" => "Datum", "Date";
        PdfDeliveryDate "pdf.delivery_date" => "Leistungsdatum", "Delivery date";
        PdfCustomerNo "pdf.customer_no" => "Kundennr.", "Customer no.";
        PdfYourReference "pdf.your_reference" => "Ihre Referenz", "Your reference";
        PdfYourVatId "pdf.your_vat_id" => "Ihre USt-IdNr.", "Your VAT ID";
        PdfContact "pdf.contact" => "Ansprechpartner", "Contact";
        PdfPhone "pdf.phone" => "Telefon", "Phone";
        PdfEmail "pdf.email" => "E-Mail", "E-mail";
        PdfColumnPosition "pdf.column_position" => "Pos.", "Item";
        PdfColumnDescription "pdf.column_description" => "Beschreibung", "Description";
        PdfColumnQuantity "pdf.column_quantity" => "Menge", "Qty";
        PdfColumnUnit "pdf.column_unit" => "Einheit", "Unit";
        PdfColumnUnitPrice "pdf.column_unit_price" => "Einzelpreis", "Unit price";
        PdfVat "pdf.vat" => "USt.", "VAT";
        PdfColumnTotal "pdf.column_total" => "Gesamt", "Total";
        PdfQuoteNote "pdf.quote_note" =>
            "Alle Preise verstehen sich zuzüglich der gesetzlichen Umsatzsteuer, soweit ausgewiesen.",
            "Prices plus statutory VAT where shown.";
        PdfDeliveryNoteReceipt "pdf.delivery_note_receipt" =>
            "Ware in einwandfreiem Zustand erhalten: ____________________ (Datum, Unterschrift)",
            "Goods received in good condition: ____________________ (date, signature)";
        PdfFooterPhone "pdf.footer_phone" => "Tel.", "Phone";
        PdfManagingDirectors "pdf.managing_directors" => "Geschäftsführung", "Managing directors";
        PdfTaxNumber "pdf.tax_number" => "St.-Nr.", "Tax no.";
        PdfVatId "pdf.vat_id" => "USt-IdNr.", "VAT ID";
        PdfPage "pdf.page" => "Seite", "Page";
        PdfPageOf "pdf.page_of" => "von", "of";
        PdfCarry "pdf.carry" => "Zwischensumme (Übertrag)", "Subtotal carried forward";
        PdfCarried "pdf.carried" => "Übertrag", "Brought forward";
        PdfOptional "pdf.optional" => "optional", "optional";
        PdfQr "pdf.qr" => "Mit Banking-App scannen", "Scan with your banking app";
        PdfOnDueDate "pdf.on_due_date" => "zum Fälligkeitstag", "on the due date";
        PdfValidUntil "pdf.valid_until" => "Gültig bis", "Valid until";
        PdfAfterInvoicing "pdf.after_invoicing" => "nach Rechnungsstellung", "after invoicing";
        PdfPayableBy "pdf.payable_by" => "Zahlbar bis", "Payable by";
        PdfWithoutDeduction "pdf.without_deduction" => "ohne Abzug", "without deduction";
        PdfPayableImmediately "pdf.payable_immediately" =>
            "Zahlbar sofort ohne Abzug",
            "Payable immediately without deduction";
        PdfIfPaidBy "pdf.if_paid_by" => "bei Zahlung bis", "if paid by";
        PdfSkonto "pdf.skonto" => "Skonto", "cash discount";
        PdfTransferBy "pdf.transfer_by" =>
            "Bitte überweisen Sie den Betrag ohne Abzug bis zum",
            "Please transfer the amount without deduction by";
        PdfPayableImmediatelySentence "pdf.payable_immediately_sentence" =>
            "Zahlbar sofort ohne Abzug.",
            "Payable immediately without deduction.";
        PdfIfPaidBySentence "pdf.if_paid_by_sentence" => "Bei Zahlung bis", "If paid by";
        PdfBankAccount "pdf.bank_account" => "Bankverbindung:", "Bank account:";
        PdfPaymentReference "pdf.payment_reference" => "Verwendungszweck:", "Reference:";
        PdfItemsTotal "pdf.items_total" => "Summe Positionen", "Items total";
        PdfLessDiscount "pdf.less_discount" => "abzgl. Rabatt", "less discount";
        PdfNetAmount "pdf.net_amount" => "Nettobetrag", "Net amount";
        PdfTotalNet "pdf.total_net" => "Summe netto", "Total net";
        PdfPlusVat "pdf.plus_vat" => "zzgl. USt.", "plus VAT";
        PdfVatOn "pdf.vat_on" => "auf", "on";
        PdfTotalGross "pdf.total_gross" => "Gesamtbetrag brutto", "Total gross";
        PdfVatInEur "pdf.vat_in_eur" => "USt. in EUR", "VAT in EUR";
        PdfTotal "pdf.total" => "Gesamtbetrag", "Total";
        PdfTotalNetExempt "pdf.total_net_exempt" =>
            "Summe netto (steuerfrei)",
            "Total net (VAT exempt)";
        PdfLessPrepaid "pdf.less_prepaid" =>
            "abzgl. geleistete Anzahlungen",
            "less payments on account";
        PdfAmountDue "pdf.amount_due" => "Zahlbetrag", "Amount due";
        PdfDownPayments "pdf.down_payments" =>
            "Abzüglich Anzahlungsrechnungen (§ 14 Abs. 5 UStG)",
            "Less down-payment invoices (§ 14 (5) UStG)";
        PdfDownPaymentInvoice "pdf.down_payment_invoice" => "Anzahlungsrechnung", "Down-payment invoice";
        PdfColumnNet "pdf.column_net" => "Netto", "Net";
        PdfColumnVatRate "pdf.column_vat_rate" => "USt.-Satz", "VAT rate";
        PdfColumnGross "pdf.column_gross" => "Brutto", "Gross";
        PdfLessDownPayments "pdf.less_down_payments" =>
            "abzgl. Anzahlungsrechnungen",
            "less down-payment invoices";
        PdfRemainingNet "pdf.remaining_net" =>
            "verbleibendes Nettoentgelt {rate}",
            "remaining net amount {rate}";
        PdfRemainingVat "pdf.remaining_vat" =>
            "verbleibende USt. {rate}",
            "remaining VAT {rate}";
        PdfDownPaymentOpen "pdf.down_payment_open" =>
            "Die Anzahlungsrechnung {number} ist noch nicht vollständig bezahlt. Sie ist oben abgezogen, weil ihre Umsatzsteuer bereits in Rechnung gestellt ist; die offenen {amount} sind weiterhin auf die Anzahlungsrechnung zu zahlen und im Zahlbetrag dieser Rechnung nicht enthalten.",
            "Down-payment invoice {number} is not fully paid yet. It is deducted above because its VAT has already been invoiced; the open {amount} remain payable on the down-payment invoice and are not part of the amount due on this invoice.";
        PdfTemplateTooSlow "pdf.template_too_slow" =>
            "Die Vorlage braucht zu lange: sie wurde nach {seconds} Sekunden abgebrochen, der Zeitgrenze für eigene Vorlagen. Prüfen Sie Schleifen und Wiederholungen.",
            "The template takes too long: it was stopped after {seconds} seconds, the time limit for own templates. Check its loops and repetitions.";
        PdfTemplateTooMuchMemory "pdf.template_too_much_memory" =>
            "Die Vorlage braucht zu viel Speicher: mehr als {mib} MiB, die Speichergrenze für eigene Vorlagen. Prüfen Sie, ob sie große Listen oder Texte aufbaut.",
            "The template needs too much memory: more than {mib} MiB, the memory limit for own templates. Check whether it builds large arrays or texts.";
        PdfTemplateRendererFailed "pdf.template_renderer_failed" =>
            "Die Vorlage konnte nicht übersetzt werden: der Vorlagen-Prozess brach unerwartet ab.",
            "The template could not be compiled: the template process stopped unexpectedly.";
        PdfDirectDebit "pdf.direct_debit" =>
            "Der Betrag von {amount} wird {when} per SEPA-Lastschrift von Ihrem Konto IBAN {iban} eingezogen (Mandatsreferenz {mandate}, Gläubiger-ID {creditor}).",
            "The amount of {amount} will be debited {when} from your account IBAN {iban} by SEPA direct debit (mandate reference {mandate}, creditor ID {creditor}).";
        PdfRefersTo "pdf.refers_to" => "Bezug:", "Refers to";
        PdfRefersToDate "pdf.refers_to_date" => "vom {date}", "of {date}";
    } };
}
