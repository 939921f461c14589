//! Column headers that sort a list: a link per sortable column that keeps the list's filters,
//! starts on the first page, and flips the direction when the column is already the sort.

use kontor_app::model::{Sort, SortKey};
use kontor_texts::Msg;

use crate::i18n::Tr;

/// One header cell of a list table.
pub struct Column {
    pub label: &'static str,
    /// Where a click sorts by this column; `None` for a column that does not sort.
    pub href: Option<String>,
    /// `ascending` or `descending` on the column the list is sorted by, else empty.
    pub aria_sort: &'static str,
    /// The direction in words, for screen readers and the arrow's tooltip.
    pub state: &'static str,
    /// ▲ or ▼ on the sorted column.
    pub arrow: &'static str,
    /// A numeric column (right-aligned).
    pub num: bool,
}

/// A column of a table: its label, the key it sorts by (if any), whether it is numeric.
pub type Spec<K> = (Msg, Option<K>, bool);

/// The header cells for `specs`, linking to `base` with `params` (the list's filters, without
/// page and sort) and the column's sort.
pub fn columns<K: SortKey + PartialEq>(
    tr: &Tr,
    base: &str,
    params: &[(&str, &str)],
    current: Option<Sort<K>>,
    specs: &[Spec<K>],
) -> Vec<Column> {
    specs
        .iter()
        .map(|(label, key, num)| {
            let sorted = key.and_then(|k| current.filter(|c| c.key == k));
            let href = key.map(|key| {
                let next = match sorted {
                    Some(s) => s.flipped(),
                    None => Sort {
                        key,
                        descending: false,
                    },
                };
                let mut pairs: Vec<(&str, String)> = params
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (*k, v.to_string()))
                    .collect();
                pairs.push(("sort", next.param()));
                format!(
                    "{base}?{}",
                    serde_urlencoded::to_string(&pairs).unwrap_or_default()
                )
            });
            let (aria_sort, state, arrow) = match sorted {
                Some(s) if s.descending => ("descending", tr.t(Msg::ListSortedDescending), "▼"),
                Some(_) => ("ascending", tr.t(Msg::ListSortedAscending), "▲"),
                None => ("", "", ""),
            };
            Column {
                label: tr.t(*label),
                href,
                aria_sort,
                state,
                arrow,
                num: *num,
            }
        })
        .collect()
}
