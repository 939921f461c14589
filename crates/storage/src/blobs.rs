//! The content-addressed blob store: bytes stored once under their SHA-256.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::Store;
use crate::blobstore::BlobStore;
use crate::error::{Result, StoreError};
use kontor_domain::ErrorCode;

/// A stored file.
#[derive(Debug, Clone)]
pub struct Blob {
    pub sha256: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// Stores bytes (once) and returns their SHA-256 key. With a blob store the object is
    /// written first, then the row (so a row never points at an object that is not there).
    pub async fn put_blob(&self, content_type: &str, data: &[u8]) -> Result<String> {
        let key = hex::encode(Sha256::digest(data));
        let external = self.upload_if_new(&key, data).await?;
        let mut tx = self.write().await?;
        insert_blob(&mut tx, &key, content_type, data, external.as_deref()).await?;
        tx.commit().await?;
        Ok(key)
    }

    /// With a blob store: uploads a file that has no row yet and returns its object key.
    async fn upload_if_new(&self, sha256: &str, data: &[u8]) -> Result<Option<String>> {
        let Some(store) = &self.blob_store else {
            return Ok(None);
        };
        let exists = sqlx::query("SELECT 1 AS one FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if exists {
            return Ok(None);
        }
        let object = store.key_for(sha256);
        store.put(&object, data).await?;
        Ok(Some(object))
    }

    /// Reads a blob and checks that its bytes still match their key (from the database, or
    /// from the blob store for files kept there).
    pub async fn blob(&self, sha256: &str) -> Result<Blob> {
        let row =
            sqlx::query("SELECT content_type, data, external_key FROM blobs WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("file", sha256))?;
        let external: Option<String> = row.try_get("external_key")?;
        let data = match external {
            None => {
                let data: Vec<u8> = row.try_get("data")?;
                if hex::encode(Sha256::digest(&data)) != sha256 {
                    return Err(StoreError::Corrupt(format!(
                        "file {sha256} does not match its checksum"
                    )));
                }
                data
            }
            Some(object) => self.fetch_external(sha256, &object).await?,
        };
        Ok(Blob {
            sha256: sha256.to_string(),
            content_type: row.try_get("content_type")?,
            data,
        })
    }

    pub(crate) async fn fetch_external(&self, sha256: &str, object: &str) -> Result<Vec<u8>> {
        let no_store = |reason: String| StoreError::NoBlobStore {
            sha256: sha256.to_string(),
            key: object.to_string(),
            reason,
        };
        let store = self
            .blob_store
            .as_ref()
            .ok_or_else(|| no_store("no blob store is configured".into()))?;
        if !store.owns(object) {
            return Err(no_store(format!(
                "the configured store {} does not hold that prefix",
                store.name()
            )));
        }
        store.get_verified(object, sha256).await
    }

    /// Files kept in a blob store: (SHA-256, object key), ordered by SHA-256.
    pub async fn external_blobs(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT sha256, external_key FROM blobs WHERE external_key IS NOT NULL ORDER BY sha256",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("sha256")?, r.try_get("external_key")?)))
            .collect()
    }

    /// Puts the bytes of a file kept in a blob store back into its row (restores, moves back).
    /// Returns whether a row was changed; bytes that do not match the key are refused.
    pub async fn fill_blob(&self, sha256: &str, data: &[u8]) -> Result<bool> {
        if hex::encode(Sha256::digest(data)) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "file {sha256}: the bytes given do not match its checksum"
            )));
        }
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE blobs SET data = $1, external_key = NULL WHERE sha256 = $2 AND external_key IS NOT NULL",
        )
        .bind(data.to_vec())
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many files are in the database and how many in a blob store.
    pub async fn blob_counts(&self) -> Result<BlobCounts> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
                    CAST(COALESCE(SUM(CASE WHEN external_key IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) AS e \
             FROM blobs",
        )
        .fetch_one(&self.pool)
        .await?;
        let (total, external): (i64, i64) = (row.try_get("n")?, row.try_get("e")?);
        Ok(BlobCounts {
            in_database: (total - external) as u64,
            external: external as u64,
        })
    }

    /// Moves every file kept in the database into `to` (this installation's or tenant's
    /// prefix): upload, read back and check, then clear the row's bytes — one file per
    /// transaction, so an interrupted move is resumed by running it again.
    pub async fn move_blobs_to_store(&self, to: &BlobStore) -> Result<MoveReport> {
        let mut report = MoveReport::default();
        let mut after = String::new();
        loop {
            let batch: Vec<String> = sqlx::query(
                "SELECT sha256 FROM blobs WHERE external_key IS NULL AND sha256 > $1 ORDER BY sha256 LIMIT 100",
            )
            .bind(&after)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("sha256"))
            .collect::<std::result::Result<_, _>>()?;
            let Some(last) = batch.last() else { break };
            after = last.clone();
            for sha in batch {
                // A file that is already damaged stays where it is, named; the others move.
                let blob = match self.blob(&sha).await {
                    Ok(b) => b,
                    Err(e @ StoreError::Corrupt(_)) => {
                        report.problems.push(format!("file {sha}: {e}"));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let object = to.key_for(&sha);
                to.put_verified(&object, &sha, &blob.data).await?;
                let mut tx = self.write().await?;
                let done = sqlx::query(
                    "UPDATE blobs SET data = $1, external_key = $2 WHERE sha256 = $3 AND external_key IS NULL",
                )
                .bind(Vec::<u8>::new())
                .bind(&object)
                .bind(&sha)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if done.rows_affected() == 1 {
                    report.moved += 1;
                    report.bytes += blob.data.len() as u64;
                }
            }
        }
        Ok(report)
    }

    /// Moves every file kept in this store's blob store back into the database (each read
    /// and checked first; one file per transaction, resumable). The objects stay in the
    /// bucket: delete the prefix by hand once `kontor blobs check` is clean.
    pub async fn move_blobs_to_database(&self) -> Result<MoveReport> {
        let mut report = MoveReport::default();
        for (sha, _) in self.external_blobs().await? {
            let blob = match self.blob(&sha).await {
                Ok(b) => b,
                Err(e @ (StoreError::BlobMissing { .. } | StoreError::BlobCorrupt { .. })) => {
                    report.problems.push(format!("file {sha}: {e}"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if self.fill_blob(&sha, &blob.data).await? {
                report.moved += 1;
                report.bytes += blob.data.len() as u64;
            }
        }
        Ok(report)
    }

    /// Reads every file (from the database or the blob store) and checks its SHA-256.
    pub async fn check_blobs(&self) -> Result<BlobCheck> {
        let mut check = BlobCheck::default();
        let mut after = String::new();
        loop {
            let batch: Vec<(String, Option<String>)> = sqlx::query(
                "SELECT sha256, external_key FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT 100",
            )
            .bind(&after)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("sha256")?, r.try_get("external_key")?)))
            .collect::<std::result::Result<_, sqlx::Error>>()?;
            let Some((last, _)) = batch.last() else { break };
            after = last.clone();
            for (sha, external) in batch {
                check.checked += 1;
                if external.is_some() {
                    check.external += 1;
                }
                match self.blob(&sha).await {
                    Ok(_) => {}
                    // The database itself failing is not a finding about one file.
                    Err(e @ StoreError::Database(_)) => return Err(e),
                    Err(e) => check.problems.push(format!("file {sha}: {e}")),
                }
            }
        }
        Ok(check)
    }
}

/// Only an issued (or later) document's files are archived.
async fn archivable(conn: &mut sqlx::AnyConnection, document_id: i64) -> Result<()> {
    let status: Option<String> = sqlx::query("SELECT status FROM documents WHERE id = $1")
        .bind(document_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("status"))
        .transpose()?;
    match status.as_deref() {
        None => Err(StoreError::not_found("document", document_id)),
        Some("draft") => Err(StoreError::conflict(
            ErrorCode::NotIssued,
            "only issued documents are archived",
        )),
        Some(_) => Ok(()),
    }
}

async fn insert_blob(
    conn: &mut sqlx::AnyConnection,
    sha256: &str,
    content_type: &str,
    data: &[u8],
    external: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO blobs (sha256, content_type, size, data, created_at, external_key) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(if external.is_some() {
        Vec::new()
    } else {
        data.to_vec()
    })
    .bind(crate::util::now())
    .bind(external.map(str::to_string))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Files in the database and in a blob store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlobCounts {
    pub in_database: u64,
    pub external: u64,
}

/// What a move did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveReport {
    pub moved: u64,
    pub bytes: u64,
    /// Files left where they were because they are damaged or missing (one line each).
    pub problems: Vec<String>,
}

/// What `check_blobs` found.
#[derive(Debug, Clone, Default)]
pub struct BlobCheck {
    pub checked: u64,
    pub external: u64,
    /// One line per bad file, naming the file (and the object key for a blob store).
    pub problems: Vec<String>,
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
        let keys: Vec<String> = artefacts
            .iter()
            .map(|a| hex::encode(Sha256::digest(&a.data)))
            .collect();
        // With a blob store the objects go up first, outside the write transaction (a slow
        // bucket must not hold SQLite's write lock); a transaction that then fails leaves only
        // content-addressed objects nobody points at.
        let mut uploaded = Vec::with_capacity(artefacts.len());
        if self.blob_store.is_some() {
            // Nothing goes up for a document that will not be archived (checked again below).
            archivable(&mut *self.pool.acquire().await?, document_id).await?;
        }
        for (a, key) in artefacts.iter().zip(&keys) {
            uploaded.push(self.upload_if_new(key, &a.data).await?);
        }
        let mut tx = self.write().await?;
        archivable(&mut tx, document_id).await?;
        let mut stored = Vec::new();
        for ((a, key), external) in artefacts.iter().zip(&keys).zip(&uploaded) {
            insert_blob(&mut tx, key, &a.content_type, &a.data, external.as_deref()).await?;
            let inserted = sqlx::query(
                "INSERT INTO document_files (document_id, kind, sha256, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (document_id, kind) DO NOTHING",
            )
            .bind(document_id)
            .bind(&a.kind)
            .bind(key)
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
