//! Figures for the dashboard: open and overdue sums, revenue per month.

use chrono::{Datelike, NaiveDate};
use kontor_domain::money::from_cents;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;

use crate::Store;
use crate::error::Result;
use crate::util::date_str;

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub open_count: i64,
    pub open_sum: Decimal,
    pub overdue_count: i64,
    pub overdue_sum: Decimal,
    pub revenue_month: Decimal,
    pub revenue_year: Decimal,
    /// Net revenue of the last 12 months, oldest first: ("2026-11", amount).
    pub monthly: Vec<(String, Decimal)>,
}

/// Invoices count as revenue (net, issued, EUR); cancellations and credit notes reduce it.
const REVENUE_SIGN: &str = "CASE WHEN doc_type IN ('invoice', 'down_payment_invoice') THEN net_cents \
    WHEN doc_type IN ('credit_note', 'cancellation') THEN -net_cents ELSE 0 END";

impl Store {
    pub async fn dashboard(&self, today: NaiveDate) -> Result<Dashboard> {
        let open = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(due_cents - paid_cents), 0) AS BIGINT) AS s, \
             CAST(COALESCE(SUM(CASE WHEN due_date < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_, \
             CAST(COALESCE(SUM(CASE WHEN due_date < $1 THEN due_cents - paid_cents ELSE 0 END), 0) AS BIGINT) AS os \
             FROM documents WHERE status = 'issued' AND doc_type IN ('invoice', 'down_payment_invoice') AND paid_cents < due_cents",
        )
        .bind(date_str(today))
        .fetch_one(&self.pool)
        .await?;
        let first_month = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .unwrap_or(today);
        let sql = format!(
            "SELECT SUBSTR(doc_date, 1, 7) AS ym, CAST(COALESCE(SUM({REVENUE_SIGN}), 0) AS BIGINT) AS s FROM documents \
             WHERE status IN ('issued', 'cancelled') AND currency = 'EUR' AND doc_date >= $1 GROUP BY SUBSTR(doc_date, 1, 7)"
        );
        let rows = sqlx::query(crate::util::sql(&sql))
            .bind(date_str(first_month))
            .fetch_all(&self.pool)
            .await?;
        let mut by_month = std::collections::HashMap::new();
        for row in &rows {
            by_month.insert(
                row.try_get::<String, _>("ym")?,
                from_cents(row.try_get("s")?),
            );
        }
        let mut monthly = Vec::new();
        let mut m = first_month;
        for _ in 0..12 {
            let key = format!("{:04}-{:02}", m.year(), m.month());
            monthly.push((key.clone(), by_month.get(&key).copied().unwrap_or_default()));
            m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(m);
        }
        let year_sql = format!(
            "SELECT CAST(COALESCE(SUM({REVENUE_SIGN}), 0) AS BIGINT) AS s FROM documents \
             WHERE status IN ('issued', 'cancelled') AND currency = 'EUR' AND doc_date >= $1 AND doc_date <= $2"
        );
        let year: i64 = sqlx::query(crate::util::sql(&year_sql))
            .bind(format!("{:04}-01-01", today.year()))
            .bind(date_str(today))
            .fetch_one(&self.pool)
            .await?
            .try_get("s")?;
        let this_month = format!("{:04}-{:02}", today.year(), today.month());
        Ok(Dashboard {
            open_count: open.try_get("n")?,
            open_sum: from_cents(open.try_get("s")?),
            overdue_count: open.try_get("on_")?,
            overdue_sum: from_cents(open.try_get("os")?),
            revenue_month: by_month.get(&this_month).copied().unwrap_or_default(),
            revenue_year: from_cents(year),
            monthly,
        })
    }
}
