//! Number ranges: patterns, reset rules and the counters that hand out each number once.

use chrono::NaiveDate;
use kontor_domain::numbering::{NumberPattern, ResetRule};
use sqlx::{AnyConnection, Row};

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::model::NumberRange;

struct RangeRow {
    pattern: NumberPattern,
    reset: ResetRule,
    first_counter: i64,
}

async fn load_range(conn: &mut AnyConnection, key: &str) -> Result<RangeRow> {
    let row = sqlx::query(
        "SELECT pattern, reset_rule, first_counter FROM number_ranges WHERE range_key = $1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("number range", key))?;
    let pattern: String = row.try_get("pattern")?;
    let reset: String = row.try_get("reset_rule")?;
    Ok(RangeRow {
        pattern: NumberPattern::parse(&pattern)
            .map_err(|e| StoreError::Corrupt(format!("pattern {pattern}: {e}")))?,
        reset: ResetRule::parse(&reset)
            .ok_or_else(|| StoreError::Corrupt(format!("reset rule {reset}")))?,
        first_counter: row.try_get("first_counter")?,
    })
}

/// Takes the next number of a range inside the caller's transaction. The upsert locks the
/// counter row, so concurrent transactions queue up and never get the same number; a rolled
/// back transaction gives its number back.
pub(crate) async fn allocate(
    conn: &mut AnyConnection,
    key: &str,
    date: NaiveDate,
    customer_number: &str,
) -> Result<String> {
    let range = load_range(conn, key).await?;
    let period = range.reset.period(date);
    let row = sqlx::query(
        "INSERT INTO number_counters (range_key, period, last_counter) VALUES ($1, $2, $3) \
         ON CONFLICT (range_key, period) DO UPDATE SET last_counter = number_counters.last_counter + 1 \
         RETURNING last_counter",
    )
    .bind(key)
    .bind(&period)
    .bind(range.first_counter)
    .fetch_one(&mut *conn)
    .await?;
    let counter: i64 = row.try_get("last_counter")?;
    Ok(range.pattern.render(counter, date, customer_number))
}

impl Store {
    pub async fn number_ranges(&self, today: NaiveDate) -> Result<Vec<NumberRange>> {
        let rows = sqlx::query(
            "SELECT r.range_key, r.pattern, r.reset_rule, r.first_counter, c.last_counter \
             FROM number_ranges r LEFT JOIN number_counters c ON c.range_key = r.range_key AND c.period = \
             CASE r.reset_rule WHEN 'yearly' THEN $1 WHEN 'monthly' THEN $2 ELSE '' END \
             ORDER BY r.range_key",
        )
        .bind(ResetRule::Yearly.period(today))
        .bind(ResetRule::Monthly.period(today))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let pattern: String = row.try_get("pattern")?;
                let reset: String = row.try_get("reset_rule")?;
                let first: i64 = row.try_get("first_counter")?;
                let last: Option<i64> = row.try_get("last_counter")?;
                let parsed = NumberPattern::parse(&pattern)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(NumberRange {
                    key: row.try_get("range_key")?,
                    next_preview: parsed.render(last.map_or(first, |l| l + 1), today, "K10001"),
                    pattern,
                    reset: ResetRule::parse(&reset)
                        .ok_or_else(|| StoreError::Corrupt(reset.clone()))?,
                    first_counter: first,
                })
            })
            .collect()
    }

    /// Changes a range's pattern, reset rule or first counter. Numbers already handed out stay;
    /// a pattern that could repeat an existing number is refused when that number is taken.
    pub async fn update_number_range(
        &self,
        actor: &Actor,
        key: &str,
        pattern: &str,
        reset: ResetRule,
        first_counter: i64,
        today: NaiveDate,
    ) -> Result<NumberRange> {
        let parsed = NumberPattern::parse(pattern)
            .map_err(|e| StoreError::invalid("pattern", e.to_string()))?;
        parsed
            .check_reset(reset)
            .map_err(|e| StoreError::invalid("pattern", e.to_string()))?;
        if !(0..=1_000_000_000).contains(&first_counter) {
            return Err(StoreError::invalid(
                "first_counter",
                "must be between 0 and 1000000000",
            ));
        }
        let mut tx = self.write().await?;
        let old = load_range(&mut tx, key).await?;
        sqlx::query("UPDATE number_ranges SET pattern = $1, reset_rule = $2, first_counter = $3 WHERE range_key = $4")
            .bind(pattern)
            .bind(reset.as_str())
            .bind(first_counter)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "update",
            entity: "number_range",
            entity_id: key.to_string(),
            old: Some(
                serde_json::json!({"pattern": old.pattern.as_str(), "reset": old.reset.as_str(), "first_counter": old.first_counter}),
            ),
            new: Some(
                serde_json::json!({"pattern": pattern, "reset": reset.as_str(), "first_counter": first_counter}),
            ),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        self.number_ranges(today)
            .await?
            .into_iter()
            .find(|r| r.key == key)
            .ok_or_else(|| StoreError::not_found("number range", key))
    }
}
