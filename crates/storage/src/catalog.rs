//! The paged, searchable list shared by the catalogue tables (contacts, articles): a flag that
//! hides archived/inactive rows, a text search, name order or a whitelisted column's, and a deferred join so that any
//! page is reached through the index.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Store;
use crate::error::Result;
use crate::model::{Page, PageRequest};
use crate::util::{like_pattern, sql};

/// Which rows of a catalogue table to list.
pub(crate) struct CatalogList<'a> {
    /// Table name (a constant of this crate, never user input).
    pub table: &'static str,
    /// Columns to select (a constant of this crate).
    pub columns: &'static str,
    /// Condition that hides archived or inactive rows, when they are not wanted.
    pub hide: Option<&'static str>,
    pub search: Option<&'a str>,
    /// The order: an expression from [`CatalogList::order_by`], or by name.
    pub order: Option<(&'static str, bool)>,
    pub page: PageRequest,
}

impl CatalogList<'_> {
    /// ORDER BY for a sort column (a constant of this crate) and direction; ties by id in the
    /// same direction. Without one: by name, as the list's index runs.
    fn order_by(&self) -> String {
        match self.order {
            None => "name, id".into(),
            Some((column, descending)) => {
                let dir = if descending { "DESC" } else { "ASC" };
                format!("{column} {dir}, id {dir}")
            }
        }
    }
}

impl Store {
    pub(crate) async fn list_catalog<T>(
        &self,
        q: CatalogList<'_>,
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        let (table, columns) = (q.table, q.columns);
        let mut filter = String::from(" WHERE 1 = 1");
        if let Some(hide) = q.hide {
            filter.push_str(" AND ");
            filter.push_str(hide);
        }
        let pattern = q.search.filter(|s| !s.trim().is_empty()).map(like_pattern);
        if pattern.is_some() {
            filter.push_str(" AND search LIKE $1 ESCAPE '\\'");
        }
        let (limit_i, offset_i) = if pattern.is_some() { (2, 3) } else { (1, 2) };
        let order = q.order_by();
        let list_sql = format!(
            "SELECT {columns} FROM {table} WHERE id IN (SELECT id FROM {table}{filter} ORDER BY {order} LIMIT ${limit_i} OFFSET ${offset_i}) ORDER BY {order}"
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM {table}{filter}");
        let mut list = sqlx::query(sql(&list_sql));
        let mut count = sqlx::query(sql(&count_sql));
        if let Some(p) = &pattern {
            list = list.bind(p.clone());
            count = count.bind(p.clone());
        }
        let rows = list
            .bind(q.page.per_page)
            .bind(q.page.offset())
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = count.fetch_one(&self.pool).await?.try_get("n")?;
        let items: Vec<T> = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page {
            has_more: q.page.offset() + (items.len() as i64) < total,
            items,
            page: q.page.page,
            per_page: q.page.per_page,
            total,
        })
    }
}
