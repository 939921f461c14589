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
        EinvoiceManagingDirectors "einvoice.managing_directors" =>
            "Geschäftsführung",
            "Managing directors";
    } };
}
