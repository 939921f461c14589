//! Document types, lines, and the rules for deriving one document from another.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::down_payment::DeductedDownPayment;
use crate::tax::TaxMode;
use crate::terms::{PaymentMethod, SkontoStep};
use crate::values::{CurrencyCode, UnitCode, VatRate};

/// The kinds of business document Kontor writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Quote,
    OrderConfirmation,
    DeliveryNote,
    Invoice,
    DownPaymentInvoice,
    CreditNote,
    Cancellation,
}

impl DocumentType {
    pub const ALL: [DocumentType; 7] = [
        DocumentType::Quote,
        DocumentType::OrderConfirmation,
        DocumentType::DeliveryNote,
        DocumentType::Invoice,
        DocumentType::DownPaymentInvoice,
        DocumentType::CreditNote,
        DocumentType::Cancellation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Quote => "quote",
            DocumentType::OrderConfirmation => "order_confirmation",
            DocumentType::DeliveryNote => "delivery_note",
            DocumentType::Invoice => "invoice",
            DocumentType::DownPaymentInvoice => "down_payment_invoice",
            DocumentType::CreditNote => "credit_note",
            DocumentType::Cancellation => "cancellation",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether issuing this type creates a claim that is paid (open items, payments, dunning).
    pub fn is_receivable(self) -> bool {
        matches!(
            self,
            DocumentType::Invoice | DocumentType::DownPaymentInvoice
        )
    }

    /// Whether this type is an invoice in the sense of § 14 UStG (full legal content required).
    pub fn is_tax_invoice(self) -> bool {
        matches!(
            self,
            DocumentType::Invoice
                | DocumentType::DownPaymentInvoice
                | DocumentType::CreditNote
                | DocumentType::Cancellation
        )
    }

    /// Whether this type corrects an earlier invoice and must reference it.
    pub fn is_correction(self) -> bool {
        matches!(self, DocumentType::CreditNote | DocumentType::Cancellation)
    }

    /// Whether this type shows prices (a delivery note does not).
    pub fn shows_prices(self) -> bool {
        self != DocumentType::DeliveryNote
    }

    /// The document types that may be derived from an issued document of this type.
    /// Cancellations are made by the cancel action, never by deriving.
    pub fn derivable_targets(self) -> &'static [DocumentType] {
        use DocumentType::*;
        match self {
            Quote => &[OrderConfirmation, DeliveryNote, Invoice, DownPaymentInvoice],
            OrderConfirmation => &[DeliveryNote, Invoice, DownPaymentInvoice],
            DeliveryNote => &[Invoice],
            Invoice => &[CreditNote],
            DownPaymentInvoice => &[CreditNote],
            CreditNote | Cancellation => &[],
        }
    }

    pub fn can_derive(self, target: DocumentType) -> bool {
        self.derivable_targets().contains(&target)
    }

    /// Whether an issued document of this type may be cancelled.
    pub fn can_be_cancelled(self) -> bool {
        matches!(
            self,
            DocumentType::Invoice | DocumentType::DownPaymentInvoice | DocumentType::CreditNote
        )
    }
}

/// What became of an issued quote: the customer accepted or declined it. Recorded beside
/// the quote (the issued document itself never changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteOutcome {
    Accepted,
    Declined,
}

impl QuoteOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteOutcome::Accepted => "accepted",
            QuoteOutcome::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<QuoteOutcome> {
        match s {
            "accepted" => Some(QuoteOutcome::Accepted),
            "declined" => Some(QuoteOutcome::Declined),
            _ => None,
        }
    }
}

/// The status of an issued quote as people say it: its outcome, else "expired" once the day
/// after its valid-until date has come, else "issued" (open).
pub fn quote_status(
    outcome: Option<QuoteOutcome>,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    match outcome {
        Some(o) => o.as_str(),
        None if valid_until.is_some_and(|d| d < today) => "expired",
        None => "issued",
    }
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A priced position that counts towards the totals.
    #[default]
    Item,
    /// An optional or alternative position on a quote: shown, but not in the totals.
    Optional,
    /// Text only (headings, remarks): no quantity, no price.
    Text,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Item => "item",
            LineKind::Optional => "optional",
            LineKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<LineKind> {
        [LineKind::Item, LineKind::Optional, LineKind::Text]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One line of a document, already validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    pub article_id: Option<i64>,
    pub description: String,
    pub quantity: Decimal,
    /// UN/ECE Rec 20 unit code.
    pub unit: UnitCode,
    /// Net unit price, up to 4 decimals.
    pub unit_price: Decimal,
    /// VAT rate in percent as entered; the tax mode decides what is charged.
    pub vat_rate: VatRate,
    pub discount_percent: Decimal,
}

impl Line {
    /// Whether this line contributes to the totals.
    pub fn counts(&self) -> bool {
        self.kind == LineKind::Item
    }
}

/// The document content that totals and issuing rules look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentContent {
    pub doc_type: DocumentType,
    pub tax_mode: TaxMode,
    pub currency: CurrencyCode,
    pub date: NaiveDate,
    pub delivery_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub discount_percent: Decimal,
    /// Paid in advance without a down-payment invoice (part of EN 16931 BT-113).
    pub prepaid_amount: Decimal,
    pub lines: Vec<Line>,
    /// On a final invoice: the down-payment invoices it deducts, see [`crate::down_payment`].
    #[serde(default)]
    pub down_payments: Vec<DeductedDownPayment>,
    /// Cash discount steps (at most two), see [`crate::terms`].
    #[serde(default)]
    pub skonto: Vec<SkontoStep>,
    #[serde(default)]
    pub payment_method: PaymentMethod,
    /// For a currency other than EUR: units of the document currency per 1 EUR.
    #[serde(default)]
    pub exchange_rate: Option<Decimal>,
}

impl DocumentContent {
    /// The VAT total in EUR (§ 16 (6) UStG, EN 16931 BT-111) of a foreign-currency document
    /// with an exchange rate; `None` for EUR documents or without a rate.
    pub fn vat_in_eur(&self, vat: Decimal) -> Option<Decimal> {
        if self.currency.is_eur() {
            return None;
        }
        crate::terms::to_eur(vat, self.exchange_rate?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_is_open_until_its_date_then_expired_unless_answered() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let until = Some(d("2026-12-31"));
        assert_eq!(quote_status(None, until, d("2026-12-31")), "issued");
        assert_eq!(quote_status(None, until, d("2027-01-01")), "expired");
        assert_eq!(quote_status(None, None, d("2030-01-01")), "issued");
        assert_eq!(
            quote_status(Some(QuoteOutcome::Accepted), until, d("2027-02-01")),
            "accepted"
        );
        assert_eq!(
            QuoteOutcome::parse("declined"),
            Some(QuoteOutcome::Declined)
        );
        assert_eq!(QuoteOutcome::parse("maybe"), None);
    }

    #[test]
    fn derivation_chain() {
        use DocumentType::*;
        assert!(Quote.can_derive(OrderConfirmation));
        assert!(OrderConfirmation.can_derive(DeliveryNote));
        assert!(DeliveryNote.can_derive(Invoice));
        assert!(OrderConfirmation.can_derive(DownPaymentInvoice));
        assert!(!Invoice.can_derive(Quote));
        assert!(!Invoice.can_derive(Cancellation));
        assert!(Invoice.can_be_cancelled() && !Quote.can_be_cancelled());
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::parse(t.as_str()), Some(t));
        }
    }
}

/// Bounds that keep every computation on a document far from decimal overflow.
pub mod limits {
    /// Lines per document.
    pub const MAX_LINES: usize = 1000;
    /// Quantity of one line.
    pub const MAX_QUANTITY: i64 = 1_000_000_000;
    /// Net unit price of one line.
    pub const MAX_UNIT_PRICE: i64 = 100_000_000_000;
    /// Sum of the line nets of a document.
    pub const MAX_TOTAL: i64 = 1_000_000_000_000;
}
