//! Texts written into the e-invoice XML (payment terms BT-20, notes, allowance reasons);
//! `{name}` marks a value filled in by the writer.

macro_rules! einvoice {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        EinvoiceCredited "einvoice.credited" =>
            "Der Betrag wird mit der Rechnung {number} verrechnet oder erstattet.",
            "The amount is credited against invoice {number} or refunded.";
        EinvoiceNothingDue "einvoice.nothing_due" =>
            "Kein Zahlbetrag offen: der Betrag wurde bereits vorausbezahlt.",
            "Nothing is due: the amount has been paid in advance.";
        EinvoicePayableBy "einvoice.payable_by" =>
            "Zahlbar bis zum {date} ohne Abzug",
            "Payable by {date} without deduction";
        EinvoicePayableOnReceipt "einvoice.payable_on_receipt" =>
            "Zahlbar sofort ohne Abzug",
            "Payable on receipt without deduction";
        EinvoiceSkontoStep "einvoice.skonto_step" =>
            "; bei Zahlung bis zum {date} {percent} % Skonto ({amount} {currency})",
            "; if paid by {date}, {percent} % cash discount ({amount} {currency})";
        EinvoiceDirectDebit "einvoice.direct_debit" =>
            " Der Betrag wird per SEPA-Lastschrift von Ihrem Konto eingezogen.",
            " The amount will be debited from your account under the SEPA mandate.";
        EinvoiceDiscount "einvoice.discount" => "Rabatt", "Discount";
        EinvoiceDownPayments "einvoice.down_payments" =>
            "Abzüglich Anzahlungsrechnungen (§ 14 Abs. 5 UStG), als bereits gezahlter Betrag abgezogen: {list}. Summe {net} {currency} netto zzgl. {vat} {currency} USt. = {gross} {currency}.",
            "Less down-payment invoices (§ 14 (5) UStG), deducted as the amount paid in advance: {list}. Total {net} {currency} net plus {vat} {currency} VAT = {gross} {currency}.";
        EinvoiceDownPayment "einvoice.down_payment" =>
            "{number} vom {date} ({groups})",
            "{number} of {date} ({groups})";
        EinvoiceDownPaymentGroup "einvoice.down_payment_group" =>
            "{net} {currency} netto zu {rate} % zzgl. {vat} {currency} USt.",
            "{net} {currency} net at {rate} % plus {vat} {currency} VAT";
        EinvoiceDownPaymentOpen "einvoice.down_payment_open" =>
            ", davon noch offen {amount} {currency}, zahlbar auf die Anzahlungsrechnung",
            ", of which {amount} {currency} is still open, payable on the down-payment invoice";
        EinvoiceManagingDirectors "einvoice.managing_directors" =>
            "Geschäftsführung",
            "Managing directors";
    } };
}
