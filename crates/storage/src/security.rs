//! Login throttling (per account and per source, growing delays, temporary lockout) and the
//! security log, which is kept in the hash-chained audit log under the entity "security".
//!
//! All counters live in the database so that several instances share them.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::Result;

/// How failed logins are slowed down and locked out.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures that are answered without delay.
    pub free_failures: i64,
    /// Failures of one account that lock it for [`ThrottlePolicy::lockout`].
    pub account_lockout_after: i64,
    /// Failures from one source address that lock that source (higher: offices share an address).
    pub source_lockout_after: i64,
    pub lockout: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The first delay; each further failure doubles it.
    pub base_delay: Duration,
    /// The longest delay between attempts before the lockout.
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 3,
            account_lockout_after: 10,
            source_lockout_after: 50,
            lockout: Duration::minutes(15),
            window: Duration::minutes(15),
            base_delay: Duration::seconds(1),
            max_delay: Duration::seconds(60),
        }
    }
}

impl ThrottlePolicy {
    /// The wait after `failures` failures: none for the first few, then 1 s, 2 s, 4 s, … up to
    /// [`ThrottlePolicy::max_delay`].
    pub fn delay_after(&self, failures: i64) -> Duration {
        if failures < self.free_failures {
            return Duration::zero();
        }
        let exp = (failures - self.free_failures).min(16) as u32;
        (self.base_delay * 2i32.pow(exp)).min(self.max_delay)
    }
}

/// Whether a login attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Try again after this many seconds (growing delay or lockout).
    Wait {
        seconds: i64,
        locked: bool,
    },
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The throttle key of an account: user names are compared case-insensitively here so that
/// "Anna" and "anna" share one counter.
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

pub fn source_key(ip: &str) -> String {
    format!("source:{ip}")
}

/// One entry of the security log as the admin page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub event: String,
    pub subject: String,
    pub detail: Option<serde_json::Value>,
}

impl Store {
    /// Checks the account's and the source's counters before a password is even looked at.
    pub async fn login_gate(&self, keys: &[String], policy: ThrottlePolicy) -> Result<Gate> {
        let now = Utc::now();
        let mut wait = Duration::zero();
        let mut locked = false;
        for key in keys {
            let Some(row) = sqlx::query(
                "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            else {
                continue;
            };
            let failures: i64 = row.try_get("failures")?;
            let last: Option<DateTime<Utc>> = parse(&row.try_get::<String, _>("last_failure_at")?);
            let until: Option<String> = row.try_get("locked_until")?;
            if let Some(until) = until.as_deref().and_then(parse)
                && until > now
            {
                locked = true;
                wait = wait.max(until - now);
                continue;
            }
            let Some(last) = last else { continue };
            if now - last > policy.window {
                continue;
            }
            let next = last + policy.delay_after(failures);
            if next > now {
                wait = wait.max(next - now);
            }
        }
        if wait > Duration::zero() {
            // Round up: "wait 0 seconds" would invite an immediate retry.
            let seconds = (wait.num_milliseconds() + 999) / 1000;
            Ok(Gate::Wait { seconds, locked })
        } else {
            Ok(Gate::Open)
        }
    }

    /// Counts a failed login against each key; locks a key that reached its limit and writes
    /// the lockout into the security log. Returns whether a lockout started now.
    pub async fn record_login_failure(
        &self,
        username: &str,
        ip: &str,
        policy: ThrottlePolicy,
    ) -> Result<bool> {
        let now = Utc::now();
        let mut tx = self.write().await?;
        let mut locked_now = Vec::new();
        for (key, limit) in [
            (account_key(username), policy.account_lockout_after),
            (source_key(ip), policy.source_lockout_after),
        ] {
            let row = sqlx::query(
                "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE throttle_key = $1",
            )
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
            let (mut failures, first) = match &row {
                Some(row) => {
                    let last = parse(&row.try_get::<String, _>("last_failure_at")?);
                    let until: Option<String> = row.try_get("locked_until")?;
                    let lock_over = until.as_deref().and_then(parse).is_some_and(|u| u <= now);
                    if lock_over || last.is_none_or(|l| now - l > policy.window) {
                        (0, now)
                    } else {
                        (row.try_get::<i64, _>("failures")?, now)
                    }
                }
                None => (0, now),
            };
            failures += 1;
            let locked_until = (failures >= limit).then(|| ts(now + policy.lockout));
            if locked_until.is_some() {
                locked_now.push(key.clone());
            }
            sqlx::query(
                "INSERT INTO login_throttle (throttle_key, failures, first_failure_at, last_failure_at, locked_until) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, \
                 last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until, \
                 first_failure_at = CASE WHEN excluded.failures = 1 THEN excluded.first_failure_at \
                 ELSE login_throttle.first_failure_at END",
            )
            .bind(&key)
            .bind(failures)
            .bind(ts(first))
            .bind(ts(now))
            .bind(locked_until)
            .execute(&mut *tx)
            .await?;
        }
        let failed = Change::security(
            "login_failed",
            username.chars().take(64).collect::<String>(),
            Some(serde_json::json!({ "ip": ip })),
        );
        audit::append(&mut tx, &Actor::system(), failed).await?;
        for key in &locked_now {
            let detail = serde_json::json!({
                "ip": ip,
                "minutes": policy.lockout.num_minutes(),
            });
            let lockout = Change::security("lockout", key.clone(), Some(detail));
            audit::append(&mut tx, &Actor::system(), lockout).await?;
        }
        tx.commit().await?;
        if !locked_now.is_empty() {
            tracing::warn!(keys = ?locked_now, "login lockout");
        }
        Ok(!locked_now.is_empty())
    }

    /// After a correct password: forgets the account's failures. Returns how many failures
    /// there were (a login after several failures is an unusual login worth logging).
    pub async fn clear_login_failures(&self, username: &str) -> Result<i64> {
        let key = account_key(username);
        let mut tx = self.write().await?;
        let failures: i64 =
            sqlx::query("SELECT failures FROM login_throttle WHERE throttle_key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("failures"))
                .transpose()?
                .unwrap_or(0);
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(failures)
    }

    /// Writes one entry into the security log (part of the hash-chained audit log).
    pub async fn security_event(
        &self,
        actor: &Actor,
        event: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let change = Change::security(
            event,
            subject.chars().take(100).collect::<String>(),
            Some(detail),
        );
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest security-log entries: the "security" entries plus user and token changes.
    pub async fn security_log(&self, limit: i64) -> Result<Vec<SecurityEvent>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, entity, entity_id, new_value FROM audit_log \
             WHERE entity IN ('security', 'user', 'api_token') ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let entity: String = row.try_get("entity")?;
                let action: String = row.try_get("action")?;
                let new: Option<String> = row.try_get("new_value")?;
                Ok(SecurityEvent {
                    seq: row.try_get("seq")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    event: if entity == "security" {
                        action
                    } else {
                        format!("{entity}_{action}")
                    },
                    subject: row.try_get("entity_id")?,
                    detail: new.and_then(|n| serde_json::from_str(&n).ok()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let p = ThrottlePolicy::default();
        assert_eq!(p.delay_after(0), Duration::zero());
        assert_eq!(p.delay_after(2), Duration::zero());
        assert_eq!(p.delay_after(3), Duration::seconds(1));
        assert_eq!(p.delay_after(4), Duration::seconds(2));
        assert_eq!(p.delay_after(6), Duration::seconds(8));
        assert_eq!(p.delay_after(40), Duration::seconds(60));
    }

    #[test]
    fn keys_fold_case() {
        assert_eq!(account_key(" Anna "), account_key("anna"));
        assert_ne!(account_key("anna"), source_key("anna"));
    }
}
