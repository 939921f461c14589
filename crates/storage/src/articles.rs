//! Articles: the catalogue of goods and services with unit, net price and VAT rate.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::model::{Article, ArticleData, ArticleQuery, Page};
use crate::numbers;
use crate::sort::ArticleSort;
use crate::util::{now, parse_dec, parse_value, search_text, sql};

const COLUMNS: &str =
    "id, number, name, description, unit, unit_price, vat_rate, active, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Article> {
    Ok(Article {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        data: ArticleData {
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            unit: parse_value("unit", &row.try_get::<String, _>("unit")?)?,
            unit_price: parse_dec(&row.try_get::<String, _>("unit_price")?)?,
            vat_rate: parse_value("vat_rate", &row.try_get::<String, _>("vat_rate")?)?,
            active: row.try_get::<i64, _>("active")? != 0,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn json(a: &ArticleData, number: &str) -> serde_json::Value {
    serde_json::json!({
        "number": number, "name": a.name, "description": a.description, "unit": a.unit.as_str(),
        "unit_price": a.unit_price.to_string(), "vat_rate": a.vat_rate.to_string(), "active": a.active,
    })
}

impl Store {
    /// Creates an article; without a number it gets the next one of the article range of
    /// `today`.
    pub async fn create_article(
        &self,
        actor: &Actor,
        number: Option<&str>,
        data: &ArticleData,
        today: chrono::NaiveDate,
    ) -> Result<Article> {
        let mut tx = self.write().await?;
        let number = match number.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => {
                let taken: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM articles WHERE number = $1")
                        .bind(n)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("n")?;
                if taken > 0 {
                    return Err(StoreError::invalid(
                        "number",
                        format!("article number {n} is already taken"),
                    ));
                }
                n.to_string()
            }
            None => numbers::allocate(&mut tx, "article", today, "").await?,
        };
        let at = now();
        let row = sqlx::query(
            "INSERT INTO articles (number, name, description, unit, unit_price, vat_rate, active, search, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(&number)
        .bind(&data.name)
        .bind(&data.description)
        .bind(data.unit.as_str())
        .bind(data.unit_price.to_string())
        .bind(data.vat_rate.to_string())
        .bind(i64::from(data.active))
        .bind(search_text(&[&number, &data.name, &data.description]))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        audit::append(
            &mut tx,
            actor,
            Change {
                action: "create",
                entity: "article",
                entity_id: id.to_string(),
                old: None,
                new: Some(json(data, &number)),
            },
        )
        .await?;
        tx.commit().await?;
        self.article(id).await
    }

    pub async fn article(&self, id: i64) -> Result<Article> {
        let row = sqlx::query(sql(format!("SELECT {COLUMNS} FROM articles WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("article", id))?;
        from_row(&row)
    }

    /// Loads several articles in one query (for document lines).
    pub async fn articles_by_id(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let query_sql = format!(
            "SELECT {COLUMNS} FROM articles WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sql(&query_sql));
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    pub async fn update_article(
        &self,
        actor: &Actor,
        id: i64,
        data: &ArticleData,
    ) -> Result<Article> {
        let mut tx = self.write().await?;
        let old = sqlx::query(sql(format!("SELECT {COLUMNS} FROM articles WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("article", id))?;
        let old = from_row(&old)?;
        sqlx::query(
            "UPDATE articles SET name = $1, description = $2, unit = $3, unit_price = $4, vat_rate = $5, active = $6, search = $7, updated_at = $8 \
             WHERE id = $9",
        )
        .bind(&data.name)
        .bind(&data.description)
        .bind(data.unit.as_str())
        .bind(data.unit_price.to_string())
        .bind(data.vat_rate.to_string())
        .bind(i64::from(data.active))
        .bind(search_text(&[&old.number, &data.name, &data.description]))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "update",
            entity: "article",
            entity_id: id.to_string(),
            old: Some(json(&old.data, &old.number)),
            new: Some(json(data, &old.number)),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        self.article(id).await
    }

    pub async fn list_articles(&self, q: &ArticleQuery) -> Result<Page<Article>> {
        let list = crate::catalog::CatalogList {
            table: "articles",
            columns: COLUMNS,
            hide: (!q.include_inactive).then_some("active = 1"),
            search: q.search.as_deref(),
            order: q.sort.map(|s| {
                // Prices and rates are decimal text: compared as numbers, not as text.
                let column = match s.key {
                    ArticleSort::Number => "number",
                    ArticleSort::Name => "LOWER(name)",
                    ArticleSort::Unit => "unit",
                    ArticleSort::UnitPrice => "CAST(unit_price AS NUMERIC)",
                    ArticleSort::VatRate => "CAST(vat_rate AS NUMERIC)",
                };
                (column, s.descending)
            }),
            page: q.page,
        };
        self.list_catalog(list, from_row).await
    }
}
