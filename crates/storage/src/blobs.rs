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

/// A file produced for an issued document: `kind` is e.g. "pdf", "xrechnung-ubl", "xrechnung-cii".
#[derive(Debug, Clone)]
pub struct Artefact {
    pub kind: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// Archives the files of an issued document in one transaction. A kind that is already
    /// archived keeps its original bytes (write once); returns the kinds newly stored.
    pub async fn archive_artefacts(
        &self,
        document_id: i64,
        artefacts: &[Artefact],
    ) -> Result<Vec<String>> {
        let mut tx = self.write().await?;
        let state: Option<String> = sqlx::query("SELECT status FROM documents WHERE id = $1")
            .bind(document_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("status"))
            .transpose()?;
        match state.as_deref() {
            None => return Err(StoreError::not_found("document", document_id)),
            Some("draft") => {
                return Err(StoreError::conflict(
                    "not_issued",
                    "only issued documents are archived",
                ));
            }
            Some(_) => {}
        }
        let mut stored = Vec::new();
        for a in artefacts {
            let key = hex::encode(Sha256::digest(&a.data));
            sqlx::query(
                "INSERT INTO blobs (sha256, content_type, size, data, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&key)
            .bind(&a.content_type)
            .bind(a.data.len() as i64)
            .bind(a.data.clone())
            .bind(crate::util::now())
            .execute(&mut *tx)
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO document_files (document_id, kind, sha256, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (document_id, kind) DO NOTHING",
            )
            .bind(document_id)
            .bind(&a.kind)
            .bind(&key)
            .bind(crate::util::now())
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                stored.push(a.kind.clone());
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The archived file of a document, if one was archived.
    pub async fn archived_artefact(&self, document_id: i64, kind: &str) -> Result<Option<Blob>> {
        let key: Option<String> =
            sqlx::query("SELECT sha256 FROM document_files WHERE document_id = $1 AND kind = $2")
                .bind(document_id)
                .bind(kind)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("sha256"))
                .transpose()?;
        match key {
            Some(k) => Ok(Some(self.blob(&k).await?)),
            None => Ok(None),
        }
    }

    /// Issued documents that have no archived file of `kind` yet (e.g. after a crash between
    /// issuing and archiving), oldest first.
    pub async fn documents_missing_artefact(&self, kind: &str, limit: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT d.id FROM documents d WHERE d.status <> 'draft' AND NOT EXISTS \
             (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.kind = $1) ORDER BY d.id LIMIT $2",
        )
        .bind(kind)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}
