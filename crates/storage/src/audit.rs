//! The append-only audit log, chained by SHA-256 so that an edited or deleted entry is detected.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::error::Result;
use crate::util::now;

/// Who did something: a user (through the web or a token) or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn user(name: &str) -> Actor {
        Actor(format!("user:{name}"))
    }
    pub fn token(user: &str, token_name: &str) -> Actor {
        Actor(format!("token:{user}/{token_name}"))
    }
    pub fn cli() -> Actor {
        Actor("cli".into())
    }
    pub fn system() -> Actor {
        Actor("system".into())
    }
}

/// One audit record as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub hash: String,
}

pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// An entry of the security log (logins, lockouts, password and 2FA changes) about
    /// `subject` (a user name or throttle key), with optional details.
    pub fn security(
        action: &'a str,
        subject: impl Into<String>,
        detail: Option<serde_json::Value>,
    ) -> Change<'a> {
        Change {
            action,
            entity: "security",
            entity_id: subject.into(),
            old: None,
            new: detail,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        at,
        actor,
        action,
        entity,
        entity_id,
        old.unwrap_or("\u{0}"),
        new.unwrap_or("\u{0}"),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one entry inside the caller's transaction. The update of the single head row
/// serialises writers, so the chain never forks.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    change: Change<'_>,
) -> Result<()> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let at = now();
    let old = change.old.map(|v| v.to_string());
    let new = change.new.map(|v| v.to_string());
    let hash = entry_hash(
        &prev,
        seq,
        &at,
        &actor.0,
        change.action,
        change.entity,
        &change.entity_id,
        old.as_deref(),
        new.as_deref(),
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_value, new_value, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(&at)
    .bind(&actor.0)
    .bind(change.action)
    .bind(change.entity)
    .bind(&change.entity_id)
    .bind(old)
    .bind(new)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: i64,
    pub problems: Vec<String>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub(crate) async fn verify(pool: &sqlx::AnyPool) -> Result<AuditReport> {
    use futures_util::TryStreamExt;
    let mut problems = Vec::new();
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut rows = sqlx::query(
        "SELECT seq, at, actor, action, entity, entity_id, old_value, new_value, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        entries += 1;
        let seq: i64 = row.try_get("seq")?;
        if seq != expected_seq {
            problems.push(format!(
                "entries {expected_seq}..{} are missing (deleted)",
                seq - 1
            ));
        }
        let stored_prev: String = row.try_get("prev_hash")?;
        let stored_hash: String = row.try_get("hash")?;
        let old: Option<String> = row.try_get("old_value")?;
        let new: Option<String> = row.try_get("new_value")?;
        let computed = entry_hash(
            &stored_prev,
            seq,
            &row.try_get::<String, _>("at")?,
            &row.try_get::<String, _>("actor")?,
            &row.try_get::<String, _>("action")?,
            &row.try_get::<String, _>("entity")?,
            &row.try_get::<String, _>("entity_id")?,
            old.as_deref(),
            new.as_deref(),
        );
        if stored_prev != prev {
            problems.push(format!(
                "entry {seq} does not follow the entry before it (chain broken)"
            ));
        }
        if computed != stored_hash {
            problems.push(format!("entry {seq} was altered (hash mismatch)"));
        }
        prev = stored_hash;
        expected_seq = seq + 1;
    }
    drop(rows);
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;
    if head_seq != expected_seq - 1 {
        problems.push(format!(
            "the log ends at entry {} but {} were written (entries deleted at the end)",
            expected_seq - 1,
            head_seq
        ));
    } else if head_hash != prev {
        problems.push("the last entry does not match the recorded head (altered)".to_string());
    }
    Ok(AuditReport { entries, problems })
}

pub(crate) async fn entries_for(
    pool: &sqlx::AnyPool,
    entity: &str,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, entity, entity_id, old_value, new_value, hash FROM audit_log \
         WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(entry_from_row).collect()
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        old_value: parse(row.try_get("old_value")?),
        new_value: parse(row.try_get("new_value")?),
        hash: row.try_get("hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field() {
        let base = entry_hash("p", 1, "t", "a", "x", "e", "1", Some("{}"), None);
        assert_ne!(
            base,
            entry_hash("p", 2, "t", "a", "x", "e", "1", Some("{}"), None)
        );
        assert_ne!(
            base,
            entry_hash("p", 1, "t", "a", "x", "e", "1", None, Some("{}"))
        );
        assert_ne!(
            base,
            entry_hash("q", 1, "t", "a", "x", "e", "1", Some("{}"), None)
        );
    }
}
