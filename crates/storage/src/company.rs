//! The company profile (the seller), one per business.

use kontor_domain::CompanyProfile;
use sqlx::Row;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::Result;
use crate::util::now;

impl Store {
    /// The company profile; empty until it is first saved.
    pub async fn company(&self) -> Result<CompanyProfile> {
        let row = sqlx::query("SELECT data FROM company WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(serde_json::from_str(&row.try_get::<String, _>("data")?)?),
            None => Ok(default_profile()),
        }
    }

    /// Replaces the company profile and logs the change.
    pub async fn update_company(
        &self,
        actor: &Actor,
        profile: &CompanyProfile,
    ) -> Result<CompanyProfile> {
        let mut tx = self.write().await?;
        let old: Option<String> = sqlx::query("SELECT data FROM company WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("data"))
            .transpose()?;
        let data = serde_json::to_string(profile)?;
        sqlx::query(
            "INSERT INTO company (id, data, updated_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(&data)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "update",
            entity: "company",
            entity_id: "1".into(),
            old: old.map(|o| serde_json::from_str(&o)).transpose()?,
            new: Some(serde_json::to_value(profile)?),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(profile.clone())
    }
}

/// The profile of a business that has not saved one yet.
pub(crate) fn default_profile() -> CompanyProfile {
    CompanyProfile {
        country: "DE".into(),
        default_payment_terms_days: 14,
        ..Default::default()
    }
}
