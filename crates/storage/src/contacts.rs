//! Contacts: customers and suppliers with their own number ranges; archived once used.

use kontor_domain::ContactData;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::idempotency::{self, IdempotencyKey, Once, StoredResponse};
use crate::model::{Contact, ContactQuery, Page};
use crate::numbers;
use crate::sort::ContactSort;
use crate::util::{now, search_text, sql};
use kontor_domain::ErrorCode;

const COLUMNS: &str = "id, number, data, archived, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        archived: row.try_get::<i64, _>("archived")? != 0,
        data: serde_json::from_str(&row.try_get::<String, _>("data")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn contact_search(number: &str, d: &ContactData) -> String {
    search_text(&[number, &d.name, &d.city, &d.email, &d.postal_code])
}

impl Store {
    /// Creates a contact numbered in today's range by the wall clock (seeding and tests; the
    /// service layer passes its own clock's date to [`Store::create_contact_on`]).
    pub async fn create_contact(&self, actor: &Actor, data: &ContactData) -> Result<Contact> {
        self.create_contact_on(actor, data, chrono::Utc::now().date_naive())
            .await
    }

    /// Creates a contact numbered in the range of `today`.
    pub async fn create_contact_on(
        &self,
        actor: &Actor,
        data: &ContactData,
        today: chrono::NaiveDate,
    ) -> Result<Contact> {
        match self
            .create_contact_once(actor, data, today, None, |_| {
                Err(StoreError::Corrupt("no key, no answer".into()))
            })
            .await?
        {
            Once::Created(contact) => Ok(contact),
            Once::Replayed(_) => Err(StoreError::Corrupt("replay without a key".into())),
        }
    }

    /// Creates a contact numbered in the range of `today`; with a key, the key and `respond`'s
    /// answer are stored in the same transaction, and a repeat of the key returns that answer
    /// and creates nothing.
    pub async fn create_contact_once(
        &self,
        actor: &Actor,
        data: &ContactData,
        today: chrono::NaiveDate,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Contact) -> Result<StoredResponse>,
    ) -> Result<Once<Contact>> {
        let mut tx = self.write().await?;
        if let Some(key) = key
            && let Some(first) = idempotency::claim(&mut tx, key).await?
        {
            return Ok(Once::Replayed(first));
        }
        let range = if data.is_supplier && !data.is_customer {
            "supplier"
        } else {
            "customer"
        };
        let number = numbers::allocate(&mut tx, range, today, "").await?;
        let at = now();
        let row = sqlx::query(
            "INSERT INTO contacts (number, kind, name, city, email, search, data, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
        )
        .bind(&number)
        .bind(data.kind.as_str())
        .bind(&data.name)
        .bind(&data.city)
        .bind(&data.email)
        .bind(contact_search(&number, data))
        .bind(serde_json::to_string(data)?)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let change = Change {
            action: "create",
            entity: "contact",
            entity_id: id.to_string(),
            old: None,
            new: Some(serde_json::to_value(data)?),
        };
        audit::append(&mut tx, actor, change).await?;
        let row = sqlx::query(sql(format!("SELECT {COLUMNS} FROM contacts WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let contact = from_row(&row)?;
        if let Some(key) = key {
            idempotency::complete(&mut tx, key, &respond(&contact)?).await?;
        }
        tx.commit().await?;
        Ok(Once::Created(contact))
    }

    pub async fn contact(&self, id: i64) -> Result<Contact> {
        let row = sqlx::query(sql(format!("SELECT {COLUMNS} FROM contacts WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("contact", id))?;
        from_row(&row)
    }

    /// Replaces a contact's data; `archived` sets or clears the archive flag when given.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: i64,
        data: &ContactData,
        archived: Option<bool>,
    ) -> Result<Contact> {
        let mut tx = self.write().await?;
        let old_row = sqlx::query(sql(format!("SELECT {COLUMNS} FROM contacts WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("contact", id))?;
        let old = from_row(&old_row)?;
        let archived = archived.unwrap_or(old.archived);
        sqlx::query(
            "UPDATE contacts SET kind = $1, name = $2, city = $3, email = $4, search = $5, data = $6, archived = $7, updated_at = $8 \
             WHERE id = $9",
        )
        .bind(data.kind.as_str())
        .bind(&data.name)
        .bind(&data.city)
        .bind(&data.email)
        .bind(contact_search(&old.number, data))
        .bind(serde_json::to_string(data)?)
        .bind(i64::from(archived))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut old_json = serde_json::to_value(&old.data)?;
        old_json["archived"] = old.archived.into();
        let mut new_json = serde_json::to_value(data)?;
        new_json["archived"] = archived.into();
        let change = Change {
            action: "update",
            entity: "contact",
            entity_id: id.to_string(),
            old: Some(old_json),
            new: Some(new_json),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        self.contact(id).await
    }

    /// Deletes a contact that no document uses; a used contact must be archived instead.
    pub async fn delete_contact(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let old = sqlx::query(sql(format!("SELECT {COLUMNS} FROM contacts WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("contact", id))?;
        let old = from_row(&old)?;
        let used: i64 = sqlx::query("SELECT COUNT(*) AS n FROM documents WHERE contact_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if used > 0 {
            return Err(StoreError::conflict(
                ErrorCode::ContactInUse,
                "the contact is used by documents and cannot be deleted; archive it instead (\"archived\": true)",
            ));
        }
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "delete",
            entity: "contact",
            entity_id: id.to_string(),
            old: Some(serde_json::to_value(&old.data)?),
            new: None,
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_contacts(&self, q: &ContactQuery) -> Result<Page<Contact>> {
        let list = crate::catalog::CatalogList {
            table: "contacts",
            columns: COLUMNS,
            hide: (!q.include_archived).then_some("archived = 0"),
            search: q.search.as_deref(),
            order: q.sort.map(|s| {
                let column = match s.key {
                    ContactSort::Number => "number",
                    ContactSort::Name => "LOWER(name)",
                    ContactSort::City => "LOWER(city)",
                    ContactSort::Email => "LOWER(email)",
                };
                (column, s.descending)
            }),
            page: q.page,
        };
        self.list_catalog(list, from_row).await
    }
}
