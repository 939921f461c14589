//! How a list is ordered: one of a fixed set of columns per list, ascending or descending.
//! A sort is only ever one of these keys, each mapped to SQL inside this crate, so no text
//! from a request reaches a query; ties go by id in the same direction, so pages are stable.

use kontor_domain::payment::PaymentStatus;

/// The columns of one list that it can be sorted by.
pub trait SortKey: Copy + Sized + 'static {
    /// Every key, in the order they are documented.
    const ALL: &'static [Self];
    /// The name in a `sort` parameter ("date").
    fn as_str(self) -> &'static str;
}

/// A list's order: a key, and whether descending (`-date`) or ascending (`date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: SortKey + PartialEq> Sort<K> {
    /// Reads a `sort` parameter: a key name, with a leading `-` for descending.
    pub fn parse(s: &str) -> Option<Sort<K>> {
        let s = s.trim();
        let (name, descending) = match s.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (s.strip_prefix('+').unwrap_or(s), false),
        };
        K::ALL
            .iter()
            .find(|k| k.as_str() == name)
            .map(|&key| Sort { key, descending })
    }

    /// The parameter again ("-date").
    pub fn param(&self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.as_str()
        )
    }

    /// The same key in the other direction (for a column header that flips the order).
    pub fn flipped(&self) -> Sort<K> {
        Sort {
            key: self.key,
            descending: !self.descending,
        }
    }

    /// Every value a `sort` parameter may take, ascending then descending per key.
    pub fn all_params() -> Vec<String> {
        K::ALL
            .iter()
            .flat_map(|k| [k.as_str().to_string(), format!("-{}", k.as_str())])
            .collect()
    }

    pub(crate) fn direction(&self) -> &'static str {
        if self.descending { "DESC" } else { "ASC" }
    }
}

macro_rules! sort_keys {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
        }

        impl SortKey for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

sort_keys! {
    /// The sortable columns of the document list.
    DocumentSort {
        Number => "number",
        Date => "date",
        Contact => "contact",
        DueDate => "due_date",
        Amount => "amount",
        Status => "status",
    }
}

sort_keys! {
    /// The sortable columns of the contact list.
    ContactSort {
        Number => "number",
        Name => "name",
        City => "city",
        Email => "email",
    }
}

sort_keys! {
    /// The sortable columns of the article list.
    ArticleSort {
        Number => "number",
        Name => "name",
        Unit => "unit",
        UnitPrice => "unit_price",
        VatRate => "vat_rate",
    }
}

/// A status a document list can be filtered by: the stored state (draft, issued, cancelled),
/// every receivable with something left to pay (open), or the payment status a row shows
/// (partially paid, overdue, paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Draft,
    Issued,
    Cancelled,
    Open,
    PartiallyPaid,
    Overdue,
    Paid,
}

impl StatusFilter {
    pub const ALL: &'static [StatusFilter] = &[
        StatusFilter::Draft,
        StatusFilter::Issued,
        StatusFilter::Open,
        StatusFilter::PartiallyPaid,
        StatusFilter::Overdue,
        StatusFilter::Paid,
        StatusFilter::Cancelled,
    ];

    /// The name in a `status` parameter, which is also the status's text key.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Draft => "draft",
            StatusFilter::Issued => "issued",
            StatusFilter::Cancelled => "cancelled",
            StatusFilter::Open => "open",
            StatusFilter::PartiallyPaid => "partially_paid",
            StatusFilter::Overdue => "overdue",
            StatusFilter::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<StatusFilter> {
        StatusFilter::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s.trim())
    }

    /// The filter as the fields of a [`crate::DocumentQuery`]: (state, open only, payment).
    pub fn parts(self) -> (Option<crate::DocState>, bool, Option<PaymentStatus>) {
        use crate::DocState;
        match self {
            StatusFilter::Draft => (Some(DocState::Draft), false, None),
            StatusFilter::Issued => (Some(DocState::Issued), false, None),
            StatusFilter::Cancelled => (Some(DocState::Cancelled), false, None),
            StatusFilter::Open => (None, true, None),
            StatusFilter::PartiallyPaid => (None, false, Some(PaymentStatus::PartiallyPaid)),
            StatusFilter::Overdue => (None, false, Some(PaymentStatus::Overdue)),
            StatusFilter::Paid => (None, false, Some(PaymentStatus::Paid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sort_parameter_is_a_known_key_with_an_optional_minus() {
        assert_eq!(
            Sort::parse("-date"),
            Some(Sort {
                key: DocumentSort::Date,
                descending: true
            })
        );
        assert_eq!(
            Sort::<DocumentSort>::parse("amount").map(|s| s.param()),
            Some("amount".to_string())
        );
        for bad in [
            "",
            "-",
            "d.id",
            "date; DROP TABLE documents",
            "--date",
            "Date",
        ] {
            assert_eq!(Sort::<DocumentSort>::parse(bad), None, "{bad}");
        }
        assert_eq!(Sort::<ArticleSort>::all_params().len(), 10);
    }

    #[test]
    fn every_status_filter_reads_back() {
        for f in StatusFilter::ALL {
            assert_eq!(StatusFilter::parse(f.as_str()), Some(*f));
        }
        assert_eq!(StatusFilter::parse("partly"), None);
    }
}
