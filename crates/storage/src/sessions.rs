//! Server-side web sessions: a random cookie value whose hash is the key, a CSRF token,
//! an idle and an absolute timeout.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::Store;

/// The settings key of the first-run setup code.
const SETUP_CODE: &str = "setup_code";
use crate::error::Result;
use crate::model::{Role, User};

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A session as the "my sessions" page lists it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The stored hash of the cookie: identifies the session without revealing the cookie.
    pub handle: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub user_agent: String,
    pub client_ip: String,
}

/// A live session as the web layer sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub created_at: String,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// Starts a session for a user; returns the cookie value (shown to the browser only).
    pub async fn create_session(
        &self,
        user_id: i64,
        user_agent: &str,
        policy: SessionPolicy,
    ) -> Result<String> {
        self.create_session_from(user_id, user_agent, "", policy)
            .await
    }

    /// Starts a session and notes the client's address (shown on the "my sessions" page).
    pub async fn create_session_from(
        &self,
        user_id: i64,
        user_agent: &str,
        client_ip: &str,
        policy: SessionPolicy,
    ) -> Result<String> {
        let secret = random_hex(32);
        let now = Utc::now();
        let ua: String = user_agent.chars().take(200).collect();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, client_ip) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(hash(&secret))
        .bind(user_id)
        .bind(random_hex(32))
        .bind(ts(now))
        .bind(ts(now + policy.absolute))
        .bind(ua)
        .bind(client_ip.chars().take(64).collect::<String>())
        .execute(&mut *tx)
        .await?;
        // Expired sessions of anyone are cleaned up on the way.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Looks up a live session and refreshes its idle timer (at most once a minute, so that
    /// page views do not each cost a durable commit).
    pub async fn session(&self, secret: &str, policy: SessionPolicy) -> Result<Option<Session>> {
        let now = Utc::now();
        let row = sqlx::query(
            "SELECT s.csrf_token, s.created_at AS s_created, s.last_seen_at, s.expires_at, \
             u.id, u.username, u.role, u.language, u.active, u.created_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
        )
        .bind(hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: String = row.try_get("last_seen_at")?;
        let expires: String = row.try_get("expires_at")?;
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .ok()
        };
        let (Some(last_seen), Some(expires)) = (parse(&last_seen), parse(&expires)) else {
            return Ok(None);
        };
        let role: String = row.try_get("role")?;
        let user = User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            role: Role::parse(&role).unwrap_or(Role::Auditor),
            language: row.try_get("language")?,
            active: row.try_get::<i64, _>("active")? != 0,
            created_at: row.try_get("created_at")?,
        };
        if now > expires || now - last_seen > policy.idle || !user.active {
            self.delete_session(secret).await?;
            return Ok(None);
        }
        if now - last_seen > Duration::minutes(1) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(ts(now))
                .bind(hash(secret))
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("s_created")?,
        }))
    }

    /// Ends a session (logout).
    pub async fn delete_session(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash(secret))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a user (password or role change, admin action).
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// The live sessions of a user, newest first.
    pub async fn user_sessions(
        &self,
        user_id: i64,
        policy: SessionPolicy,
    ) -> Result<Vec<SessionInfo>> {
        let now = Utc::now();
        let rows = sqlx::query(
            "SELECT id_hash, created_at, last_seen_at, expires_at, user_agent, client_ip FROM sessions \
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .ok()
        };
        let mut out = Vec::new();
        for row in rows {
            let last_seen: String = row.try_get("last_seen_at")?;
            let expires: String = row.try_get("expires_at")?;
            let live = parse(&last_seen).is_some_and(|l| now - l <= policy.idle)
                && parse(&expires).is_some_and(|e| now <= e);
            if !live {
                continue;
            }
            out.push(SessionInfo {
                handle: row.try_get("id_hash")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: last_seen,
                user_agent: row.try_get("user_agent")?,
                client_ip: row.try_get("client_ip")?,
            });
        }
        Ok(out)
    }

    /// Ends one session of a user by its handle (the stored hash, never the cookie value).
    /// Returns whether there was such a session.
    pub async fn end_user_session(&self, user_id: i64, handle: &str) -> Result<bool> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2")
                .bind(user_id)
                .bind(handle)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }

    /// The handle of a session cookie (to mark "this session" in a list).
    pub fn session_handle(secret: &str) -> String {
        hash(secret)
    }

    /// Reads a setting's JSON value.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row = sqlx::query("SELECT setting_value FROM settings WHERE setting_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(serde_json::from_str(
                &r.try_get::<String, _>("setting_value")?,
            )?)
        })
        .transpose()
    }

    /// The first-run setup code: the one stored, else `candidate`, stored now (instances that
    /// start together agree on the first one stored). Kept out of the audit log: it is a
    /// secret until the setup is done.
    pub async fn setup_code(&self, candidate: &str) -> Result<String> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (setting_key, setting_value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (setting_key) DO NOTHING",
        )
        .bind(SETUP_CODE)
        .bind(serde_json::Value::from(candidate).to_string())
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        let stored: String =
            sqlx::query("SELECT setting_value FROM settings WHERE setting_key = $1")
                .bind(SETUP_CODE)
                .fetch_one(&mut *tx)
                .await?
                .try_get("setting_value")?;
        tx.commit().await?;
        match serde_json::from_str(&stored)? {
            serde_json::Value::String(code) => Ok(code),
            _ => Err(crate::StoreError::Corrupt(
                "the setup code is not a text".into(),
            )),
        }
    }

    /// Forgets the setup code once the first administrator exists.
    pub async fn clear_setup_code(&self) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM settings WHERE setting_key = $1")
            .bind(SETUP_CODE)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a setting's JSON value and logs the change.
    pub async fn set_setting(
        &self,
        actor: &crate::Actor,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        self.set_setting_redacted(actor, key, value, |v| v.clone())
            .await
    }

    /// Stores a setting that holds a secret (a password): the audit log records the old and
    /// the new value as `redact` shows them.
    pub async fn set_setting_redacted(
        &self,
        actor: &crate::Actor,
        key: &str,
        value: &serde_json::Value,
        redact: fn(&serde_json::Value) -> serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let old: Option<String> =
            sqlx::query("SELECT setting_value FROM settings WHERE setting_key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("setting_value"))
                .transpose()?;
        sqlx::query(
            "INSERT INTO settings (setting_key, setting_value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        let change = crate::audit::Change {
            action: "update",
            entity: "setting",
            entity_id: key.to_string(),
            old: old
                .map(|o| serde_json::from_str(&o))
                .transpose()?
                .map(|o| redact(&o)),
            new: Some(redact(value)),
        };
        crate::audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims a scheduled run for this instance: stores `now` under `key` unless a claim
    /// later than `since` is stored, atomically, so that of several instances on one database
    /// one runs the job per period. `now` and `since` are RFC 3339 UTC times of one format
    /// (they compare as text). No audit entry.
    pub async fn claim_setting(&self, key: &str, now: &str, since: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let claimed = sqlx::query(
            "INSERT INTO settings (setting_key, setting_value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value, updated_at = excluded.updated_at \
             WHERE settings.setting_value <= $4",
        )
        .bind(key)
        .bind(serde_json::Value::from(now).to_string())
        .bind(crate::util::now())
        .bind(serde_json::Value::from(since).to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(claimed > 0)
    }

    /// Stores what the system records about its own work (the last mailbox run's report) as
    /// a setting, without an audit entry: it changes with every run and no person set it.
    pub async fn record_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (setting_key, setting_value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
