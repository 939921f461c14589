//! Kontor's pure invoicing domain: parties, documents, lines, tax cases, totals,
//! number patterns and the rules for issuing. No I/O, no async, no SQL.

pub mod codes;
pub mod document;
pub mod down_payment;
pub mod error_code;
pub mod issued;
pub mod money;
pub mod numbering;
pub mod party;
pub mod payment;
pub mod search;
pub mod tax;
pub mod terms;
pub mod totals;
pub mod validation;
pub mod values;

pub use document::{DocumentType, Line, LineKind, QuoteOutcome, quote_status};
pub use down_payment::{DeductedDownPayment, DeductedVat};
pub use error_code::{ErrorCode, ErrorKind};
pub use issued::{DocumentNumber, Draft, Issued, Preceding, Printable, Texts};
pub use money::round2;
pub use party::{CompanyProfile, ContactData, ContactKind, EInvoiceFormat, Language};
pub use tax::{TaxMode, VatCategory};
pub use terms::{PaymentMethod, SkontoStep};
pub use totals::{Totals, VatGroup};
pub use values::{
    Bic, CurrencyCode, Iban, LeitwegId, UnitCode, VatId, VatIdError, VatRate, compact_code,
};
