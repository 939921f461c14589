//! Idempotency keys: a create retried with the same key returns the first answer instead of
//! creating a second record. The key is claimed, and the answer stored, in the transaction of
//! the create itself, so a crash or a failover leaves either the record with its key or neither.
//!
//! On PostgreSQL a second request with the same key waits on the first one's claim (the unique
//! index) and then sees its answer; on SQLite writers take turns anyway.

use chrono::{Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::error::{Result, StoreError};
use kontor_domain::ErrorCode;

/// How long a key is remembered.
pub const KEY_LIFETIME_HOURS: i64 = 24;
/// Longest key accepted (a UUID has 36 characters).
pub const KEY_MAX_LEN: usize = 255;

/// A client's key for one request, scoped to the calling user (and, by the store, the tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    user_id: i64,
    key: String,
    fingerprint: String,
}

impl IdempotencyKey {
    /// Checks the key (1–255 visible ASCII characters) and fingerprints the request it came with.
    pub fn new(
        user_id: i64,
        key: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<IdempotencyKey> {
        if key.is_empty() || key.len() > KEY_MAX_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(StoreError::invalid(
                "Idempotency-Key",
                format!("must be 1–{KEY_MAX_LEN} visible ASCII characters, e.g. a UUID"),
            ));
        }
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), path.as_bytes(), body] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        Ok(IdempotencyKey {
            user_id,
            key: key.to_string(),
            fingerprint: hex::encode(hash.finalize()),
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The answer stored with a key: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// What an idempotent create did.
#[derive(Debug)]
pub enum Once<T> {
    /// Created now (and the key, if any, stored with it).
    Created(T),
    /// The key was used before: the first answer, nothing created.
    Replayed(StoredResponse),
}

fn cutoff() -> String {
    (Utc::now() - Duration::hours(KEY_LIFETIME_HOURS)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Claims the key inside the caller's write transaction. `Some(answer)` means the key was used
/// before for the same request (the caller must create nothing and return the answer); an
/// expired key is forgotten first. The same key with another request is refused.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    key: &IdempotencyKey,
) -> Result<Option<StoredResponse>> {
    // This user's expired keys go (also the one being reused, if it expired).
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND created_at < $2")
        .bind(key.user_id)
        .bind(cutoff())
        .execute(&mut *conn)
        .await?;
    // A placeholder row: a concurrent request with the same key waits here until this
    // transaction ends, then finds the row (or takes over if this one rolled back).
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, status, response, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (user_id, idem_key) DO NOTHING",
    )
    .bind(key.user_id)
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(crate::util::now())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT fingerprint, status, response FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(key.user_id)
    .bind(&key.key)
    .fetch_one(&mut *conn)
    .await?;
    let fingerprint: String = row.try_get("fingerprint")?;
    if fingerprint != key.fingerprint {
        return Err(StoreError::invalid(
            "Idempotency-Key",
            "was already used for a different request; use a new key for each new request",
        ));
    }
    let status: i64 = row.try_get("status")?;
    if status == 0 {
        // Only visible if a claim was committed without its answer, which `complete` prevents.
        return Err(StoreError::conflict(
            ErrorCode::IdempotencyKeyInUse,
            "Idempotency-Key: the first request with this key has not finished; retry later",
        ));
    }
    Ok(Some(StoredResponse {
        status: u16::try_from(status)
            .map_err(|_| StoreError::Corrupt(format!("idempotency status {status}")))?,
        body: row.try_get("response")?,
    }))
}

/// Stores the answer for a key claimed in the same transaction.
pub(crate) async fn complete(
    conn: &mut AnyConnection,
    key: &IdempotencyKey,
    response: &StoredResponse,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $3, response = $4 WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(key.user_id)
    .bind(&key.key)
    .bind(i64::from(response.status))
    .bind(&response.body)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_fingerprinted() {
        let a = IdempotencyKey::new(1, "k-1", "POST", "/api/v1/documents", b"{}").unwrap();
        let same = IdempotencyKey::new(1, "k-1", "POST", "/api/v1/documents", b"{}").unwrap();
        let other_body =
            IdempotencyKey::new(1, "k-1", "POST", "/api/v1/documents", b"{ }").unwrap();
        let other_path = IdempotencyKey::new(1, "k-1", "POST", "/api/v1/contacts", b"{}").unwrap();
        assert_eq!(a, same);
        assert_ne!(a.fingerprint, other_body.fingerprint);
        assert_ne!(a.fingerprint, other_path.fingerprint);
        // Length-prefixed parts: moving bytes between path and body changes the fingerprint.
        let shifted = IdempotencyKey::new(1, "k-1", "POST", "/api/v1/documents{", b"}").unwrap();
        assert_ne!(a.fingerprint, shifted.fingerprint);
        for bad in ["", "with space", "ümlaut", &"x".repeat(256)] {
            let err = IdempotencyKey::new(1, bad, "POST", "/", b"").unwrap_err();
            assert!(
                err.to_string().starts_with("Idempotency-Key"),
                "{bad}: {err}"
            );
        }
        assert!(IdempotencyKey::new(1, &"x".repeat(255), "POST", "/", b"").is_ok());
    }
}
