//! Pagination links for list pages.

use kontor_app::model::Page;

pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links to the previous and next page, keeping the list's filters.
    pub fn new<T>(p: &Page<T>, base: &str, params: &[(&str, &str)]) -> Pager {
        // An uncounted list (total -1) knows only whether a next page exists.
        let pages = if p.total < 0 {
            -1
        } else {
            ((p.total + p.per_page - 1) / p.per_page).max(1)
        };
        let link = |n: i64| {
            let mut pairs: Vec<(&str, String)> = params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.to_string()))
                .collect();
            pairs.push(("page", n.to_string()));
            format!(
                "{base}?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        Pager {
            page: p.page,
            pages,
            total: p.total,
            prev: (p.page > 1).then(|| link(p.page - 1)),
            next: p.has_more.then(|| link(p.page + 1)),
        }
    }
}
