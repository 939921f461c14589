//! The content-addressed blob store: bytes stored once under their SHA-256.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::Store;
use crate::error::{Result, StoreError};

/// A stored file.
#[derive(Debug, Clone)]
pub struct Blob {
    pub sha256: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// Stores bytes (once) and returns their SHA-256 key.
    pub async fn put_blob(&self, content_type: &str, data: &[u8]) -> Result<String> {
        let key = hex::encode(Sha256::digest(data));
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO blobs (sha256, content_type, size, data, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&key)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(key)
    }

    /// Reads a blob and checks that its bytes still match their key.
    pub async fn blob(&self, sha256: &str) -> Result<Blob> {
        let row = sqlx::query("SELECT content_type, data FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("file", sha256))?;
        let data: Vec<u8> = row.try_get("data")?;
        if hex::encode(Sha256::digest(&data)) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "file {sha256} does not match its checksum"
            )));
        }
        Ok(Blob {
            sha256: sha256.to_string(),
            content_type: row.try_get("content_type")?,
            data,
        })
    }
}
