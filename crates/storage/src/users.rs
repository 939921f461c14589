//! Users with argon2id password hashes, and API tokens stored only as hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::model::{ApiToken, Role, User};
use crate::util::now;
use kontor_domain::ErrorCode;

/// Minimum password length.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Argon2id memory cost in KiB (OWASP password storage cheat sheet: 19 MiB, 2 iterations, 1 lane).
pub const ARGON2_M_COST: u32 = 19 * 1024;
pub const ARGON2_T_COST: u32 = 2;
pub const ARGON2_P_COST: u32 = 1;

/// Login names that attackers try first; nobody may take them.
pub const RESERVED_USERNAMES: &[&str] = &["root", "admin", "administrator"];

/// Lowest zxcvbn score (0–4) a new password must reach: 3 means "safely unguessable:
/// moderate protection from an offline slow-hash scenario" (more than 10^8 guesses).
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Argon2id with the OWASP recommendation (19 MiB, 2 iterations, 1 lane).
#[expect(
    clippy::expect_used,
    reason = "constant parameters inside argon2's bounds"
)]
fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_M_COST, ARGON2_T_COST, ARGON2_P_COST, None)
        .expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Whether a stored hash was made with other parameters (or another algorithm) than today's,
/// so that it is replaced at the next successful login.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" || parsed.version != Some(0x13) {
        return true;
    }
    let param = |name: &str| parsed.params.get_decimal(name);
    param("m") != Some(ARGON2_M_COST)
        || param("t") != Some(ARGON2_T_COST)
        || param("p") != Some(ARGON2_P_COST)
}

/// Hashes a password into a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("argon2: {e}")))
}

fn verify_hash(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Rules a user name must follow: 3–64 characters of letters, digits, `.`, `-`, `_`, `@`.
pub fn check_username(name: &str) -> Result<()> {
    let ok = (3..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || ".-_@".contains(c));
    if !ok {
        return Err(StoreError::invalid_as(
            "username",
            ErrorCode::UsernameInvalid,
            "must be 3 to 64 letters, digits or . - _ @",
        ));
    }
    if RESERVED_USERNAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(StoreError::invalid_as(
            "username",
            ErrorCode::UsernameReserved,
            "is a well-known name that attackers try first (root, admin, administrator); choose a personal one",
        ));
    }
    Ok(())
}

/// Password policy: at least [`MIN_PASSWORD_LEN`] characters, not only one repeated character,
/// not a common or guessable password (zxcvbn with its shipped list of common passwords and
/// words, plus the user name and "kontor" as context).
pub fn check_password_for(username: &str, password: &str) -> Result<()> {
    check_password(password)?;
    let estimate = zxcvbn::zxcvbn(password, &[username, "kontor", "rechnung", "invoice"]);
    if u8::from(estimate.score()) < MIN_PASSWORD_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        return Err(StoreError::invalid_as(
            "password",
            ErrorCode::PasswordGuessable,
            format!(
                "is too easy to guess: it is a common password or close to one{hint}; use a longer passphrase"
            ),
        ));
    }
    Ok(())
}

/// Password policy without the strength estimate: length and variety only.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(StoreError::invalid_as(
            "password",
            ErrorCode::PasswordTooShort,
            format!("must be at least {MIN_PASSWORD_LEN} characters long"),
        ));
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Err(StoreError::invalid_as(
            "password",
            ErrorCode::PasswordMonotonous,
            "must not repeat a single character",
        ));
    }
    Ok(())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        language: row.try_get("language")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

/// A fixed hash to verify against when the user does not exist, so that both cases cost the same.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8Wv2n8ycFQ2u6SR2Pq8m7x3cYQZ1jM0n9ikXzM4kY0E";

impl Store {
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        check_username(username)?;
        check_password_for(username, password)?;
        let hash = hash_password(password)?;
        let mut tx = self.write().await?;
        let taken: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if taken > 0 {
            return Err(StoreError::invalid_as(
                "username",
                ErrorCode::UsernameTaken,
                format!("user {username} already exists"),
            ));
        }
        let row = sqlx::query("INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(username)
            .bind(&hash)
            .bind(role.as_str())
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = row.try_get("id")?;
        let change = Change {
            action: "create",
            entity: "user",
            entity_id: id.to_string(),
            old: None,
            new: Some(serde_json::json!({"username": username, "role": role.as_str()})),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        self.user(id).await
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query(
            "SELECT id, username, role, language, active, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("user", id))?;
        user_from_row(&row)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<User> {
        let row = sqlx::query("SELECT id, username, role, language, active, created_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("user", username))?;
        user_from_row(&row)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, username, role, language, active, created_at FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Checks a user name and password. Unknown users cost the same time as wrong passwords.
    pub async fn verify_login(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, username, role, language, active, created_at, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let password = password.to_string();
        match row {
            None => {
                let _ =
                    tokio::task::spawn_blocking(move || verify_hash(&password, DUMMY_HASH)).await;
                Ok(None)
            }
            Some(row) => {
                let hash: String = row.try_get("password_hash")?;
                let stale = needs_rehash(&hash);
                let check = password.clone();
                let ok = tokio::task::spawn_blocking(move || verify_hash(&check, &hash))
                    .await
                    .unwrap_or(false);
                let user = user_from_row(&row)?;
                if ok && stale {
                    // Parameters changed since this hash was made: store a fresh one now that
                    // the password is known.
                    let fresh = tokio::task::spawn_blocking(move || hash_password(&password))
                        .await
                        .map_err(|e| StoreError::Corrupt(format!("argon2 task: {e}")))??;
                    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                        .bind(fresh)
                        .bind(user.id)
                        .execute(&self.pool)
                        .await?;
                    tracing::info!(user = %user.username, "password hash upgraded to current parameters");
                }
                Ok((ok && user.active).then_some(user))
            }
        }
    }

    /// Creates an API token for a user; returns the record and the secret, which is shown once.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        role: Option<Role>,
    ) -> Result<(ApiToken, String)> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(StoreError::invalid("name", "must be 1 to 100 characters"));
        }
        let user = self.user(user_id).await?;
        let role = role.unwrap_or(user.role);
        if role > user.role {
            return Err(StoreError::invalid(
                "role",
                "a token cannot have a higher role than its owner",
            ));
        }
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!("kontor_{}", hex::encode(secret));
        let mut tx = self.write().await?;
        let row = sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(user_id)
            .bind(name)
            .bind(token_hash(&token))
            .bind(role.as_str())
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = row.try_get("id")?;
        let change = Change {
            action: "create",
            entity: "api_token",
            entity_id: id.to_string(),
            old: None,
            new: Some(
                serde_json::json!({"user": user.username, "name": name, "role": role.as_str()}),
            ),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        let record = ApiToken {
            id,
            user_id,
            name: name.to_string(),
            role,
            created_at: now(),
        };
        Ok((record, token))
    }

    /// Finds the active user and token for a bearer token.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<(User, ApiToken)>> {
        if !token.starts_with("kontor_") {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.name AS token_name, t.role AS token_role, t.created_at AS token_created, \
             u.id, u.username, u.role, u.language, u.active, u.created_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        if !user.active {
            return Ok(None);
        }
        let token_role: String = row.try_get("token_role")?;
        let role = Role::parse(&token_role)
            .ok_or_else(|| StoreError::Corrupt(token_role.clone()))?
            .min(user.role);
        let record = ApiToken {
            id: row.try_get("token_id")?,
            user_id: user.id,
            name: row.try_get("token_name")?,
            role,
            created_at: row.try_get("token_created")?,
        };
        Ok(Some((user, record)))
    }
}

impl Store {
    /// Sets the language a user sees the pages in ("de" or "en").
    pub async fn set_user_language(&self, user_id: i64, language: &str) -> Result<()> {
        if !matches!(language, "de" | "en") {
            return Err(StoreError::invalid("language", "must be de or en"));
        }
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Changes a user's role; the user's sessions end (a new session id after a privilege
    /// change) and the change goes into the security log.
    pub async fn set_user_role(&self, actor: &Actor, user_id: i64, role: Role) -> Result<User> {
        let before = self.user(user_id).await?;
        if before.role == role {
            return Ok(before);
        }
        let mut tx = self.write().await?;
        if before.role == Role::Admin {
            let admins: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("n")?;
            if admins <= 1 {
                return Err(StoreError::invalid(
                    "role",
                    "the last administrator cannot lose the admin role",
                ));
            }
        }
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "role_changed",
            entity: "security",
            entity_id: before.username.clone(),
            old: Some(serde_json::json!({ "role": before.role.as_str() })),
            new: Some(serde_json::json!({ "role": role.as_str() })),
        };
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        self.user(user_id).await
    }

    /// Changes a password after checking the current one; every session of the user ends
    /// (the caller starts a new one for the browser that made the change).
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new_password: &str,
    ) -> Result<()> {
        if self.verify_login(&user.username, current).await?.is_none() {
            return Err(StoreError::invalid_as(
                "current_password",
                ErrorCode::PasswordWrong,
                "is not correct",
            ));
        }
        check_password_for(&user.username, new_password)?;
        let new_password = new_password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&new_password))
            .await
            .map_err(|e| StoreError::Corrupt(format!("argon2 task: {e}")))??;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let change = Change::security("password_changed", user.username.clone(), None);
        audit::append(&mut tx, &Actor::user(&user.username), change).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Checks a user name and password against the rules without storing anything.
pub fn users_check(username: &str, password: &str) -> Result<()> {
    check_username(username)?;
    check_password_for(username, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_hash("correct horse battery", &h));
        assert!(!verify_hash("wrong horse battery", &h));
        assert!(!verify_hash("anything", DUMMY_HASH));
    }

    #[test]
    fn policies() {
        assert!(check_password("short").is_err());
        assert!(check_password("aaaaaaaaaaaaaa").is_err());
        assert!(check_password("a long enough passphrase").is_ok());
        assert!(check_username("anna.schmidt").is_ok());
        assert!(check_username("a b").is_err());
        for reserved in ["root", "admin", "Administrator", "ADMIN"] {
            assert!(check_username(reserved).is_err(), "{reserved}");
        }
        assert!(check_username("admin.meier").is_ok());
        // Common and guessable passwords fail although they are long enough.
        for weak in [
            "password1234",
            "qwertzuiop123",
            "anna.schmidt2024",
            "1234567890ab",
        ] {
            assert!(check_password_for("anna.schmidt", weak).is_err(), "{weak}");
        }
        assert!(check_password_for("anna", "a long enough passphrase").is_ok());
    }

    /// The login cost on this machine (release-grade: dependencies are optimised in the dev
    /// profile too). Run: `cargo test -p kontor-storage --lib -- --ignored --nocapture argon2_login_cost`.
    #[test]
    #[ignore = "a measurement; run on demand"]
    fn argon2_login_cost() {
        let hash = hash_password("correct horse battery").unwrap();
        let mut times: Vec<f64> = (0..21)
            .map(|_| {
                let start = std::time::Instant::now();
                assert!(verify_hash("correct horse battery", &hash));
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let (min, median, max) = (times[0], times[10], times[20]);
        println!(
            "argon2id m=19456 t=2 p=1 verify: median {median:.1} ms (min {min:.1}, max {max:.1}, 21 runs)"
        );
        // Cheap enough for a login, costly enough to slow down guessing.
        assert!((5.0..2000.0).contains(&median), "{median} ms");
    }

    #[test]
    fn stale_parameters_are_detected() {
        let current = hash_password("correct horse battery").unwrap();
        assert!(!needs_rehash(&current));
        let weaker = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery")
        .unwrap()
        .to_string();
        assert!(needs_rehash(&weaker));
        assert!(needs_rehash("not a hash"));
    }
}
