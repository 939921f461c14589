//! The second login factor: TOTP (RFC 6238, HMAC-SHA-1, 6 digits, 30 s) with one-time recovery
//! codes, the short-lived login challenge between password and code, and the business setting
//! that requires 2FA for everyone.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;

use crate::Store;
use crate::audit::{self, Actor, Change};
use crate::error::{Result, StoreError};
use crate::model::User;
use kontor_domain::ErrorCode;

/// Seconds per TOTP step.
pub const TOTP_STEP: u64 = 30;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Wrong codes allowed in one login challenge before it ends.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

/// RFC 4648 base32 without padding, as authenticator apps expect it in `secret=`. Reading also
/// takes lower case, padding and whitespace, and ignores the unused bits of the last character.
#[expect(
    clippy::expect_used,
    reason = "a constant specification, checked by the tests"
)]
static BASE32: LazyLock<data_encoding::Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    spec.ignore.push_str("= \t\r\n");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.encoding().expect("a valid base32 specification")
});

/// RFC 4648 base32 without padding (what authenticator apps expect in `secret=`).
pub fn base32_encode(bytes: &[u8]) -> String {
    BASE32.encode(bytes)
}

/// Reads base32 as [`base32_encode`] writes it, also in lower case, with padding or with
/// whitespace; `None` for anything else.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    BASE32.decode(text.as_bytes()).ok()
}

/// The 6-digit code for a counter value (RFC 4226 HOTP with dynamic truncation).
pub fn hotp(secret: &[u8], counter: u64) -> String {
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let code = (u32::from(digest[offset] & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]))
        % 1_000_000;
    format!("{code:06}")
}

/// The TOTP code at a Unix time.
pub fn totp_at(secret: &[u8], unix: u64) -> String {
    hotp(secret, unix / TOTP_STEP)
}

fn unix_now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

/// The step a code matches (the current one, or one step before or after for clock skew).
fn matching_step(secret: &[u8], code: &str, unix: u64) -> Option<u64> {
    let now = unix / TOTP_STEP;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|&step| bool::from(hotp(secret, step).as_bytes().ct_eq(code.as_bytes())))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A recovery code as shown to the user: 4-4-4 lower-case letters and digits.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}

fn normalize_recovery(code: &str) -> String {
    code.trim().to_lowercase().replace(' ', "")
}

/// Where a user stands with the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpState {
    None,
    /// A secret was shown but not yet confirmed with a code.
    Pending,
    Enabled,
}

/// How a second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    RecoveryCode,
}

impl Store {
    pub async fn totp_state(&self, user_id: i64) -> Result<TotpState> {
        let row = sqlx::query("SELECT enabled FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            None => TotpState::None,
            Some(r) if r.try_get::<i64, _>("enabled")? != 0 => TotpState::Enabled,
            Some(_) => TotpState::Pending,
        })
    }

    /// Starts (or restarts) an enrolment: a new 160-bit secret, returned base32-encoded.
    pub async fn start_totp_enrolment(&self, user_id: i64) -> Result<String> {
        if self.totp_state(user_id).await? == TotpState::Enabled {
            return Err(StoreError::conflict(
                ErrorCode::TotpEnabled,
                "two-factor login is already on; turn it off first",
            ));
        }
        let mut secret = [0u8; 20];
        rand::rng().fill_bytes(&mut secret);
        let encoded = base32_encode(&secret);
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO user_totp (user_id, secret, enabled, last_step, created_at) VALUES ($1, $2, 0, 0, $3)",
        )
        .bind(user_id)
        .bind(&encoded)
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(encoded)
    }

    /// The secret of an enrolment that waits for its first code (for the QR code).
    pub async fn pending_totp_secret(&self, user_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query("SELECT secret FROM user_totp WHERE user_id = $1 AND enabled = 0")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("secret"))
                .transpose()?,
        )
    }

    /// Confirms an enrolment with a code from the app; turns 2FA on and returns fresh recovery
    /// codes (shown once, stored hashed).
    pub async fn confirm_totp(
        &self,
        actor: &Actor,
        user: &User,
        code: &str,
    ) -> Result<Vec<String>> {
        let secret = self.pending_totp_secret(user.id).await?.ok_or_else(|| {
            StoreError::conflict(
                ErrorCode::TotpNotPending,
                "start the two-factor setup first",
            )
        })?;
        let bytes =
            base32_decode(&secret).ok_or_else(|| StoreError::Corrupt("totp secret".into()))?;
        let Some(step) = matching_step(&bytes, code.trim(), unix_now()) else {
            return Err(StoreError::invalid_as(
                "code",
                ErrorCode::TwoFactorCodeWrong,
                "the code does not match; check the time on your phone",
            ));
        };
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let mut tx = self.write().await?;
        sqlx::query("UPDATE user_totp SET enabled = 1, last_step = $1 WHERE user_id = $2")
            .bind(step as i64)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        for c in &codes {
            sqlx::query(
                "INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(sha256_hex(&normalize_recovery(c)))
            .bind(user.id)
            .bind(crate::util::now())
            .execute(&mut *tx)
            .await?;
        }
        let change = Change::security(
            "totp_enabled",
            user.username.clone(),
            Some(serde_json::json!({ "recovery_codes": RECOVERY_CODES })),
        );
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Turns 2FA off for a user (by the user, or by an admin for a lost phone).
    pub async fn disable_totp(&self, actor: &Actor, user: &User) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let change = Change::security("totp_disabled", user.username.clone(), None);
        audit::append(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many unused recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?)
    }

    /// Checks a second factor: a 6-digit TOTP code (each step accepted once) or an unused
    /// recovery code (then used up). Returns how it was given, or `None` when it is wrong.
    pub async fn verify_second_factor(
        &self,
        user: &User,
        code: &str,
    ) -> Result<Option<SecondFactor>> {
        let code = code.trim();
        let mut tx = self.write().await?;
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            let Some(row) = sqlx::query(
                "SELECT secret, last_step FROM user_totp WHERE user_id = $1 AND enabled = 1",
            )
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(None);
            };
            let secret: String = row.try_get("secret")?;
            let last: i64 = row.try_get("last_step")?;
            let bytes =
                base32_decode(&secret).ok_or_else(|| StoreError::Corrupt("totp secret".into()))?;
            match matching_step(&bytes, code, unix_now()) {
                Some(step) if step as i64 > last => {
                    sqlx::query("UPDATE user_totp SET last_step = $1 WHERE user_id = $2")
                        .bind(step as i64)
                        .bind(user.id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(Some(SecondFactor::Totp))
                }
                _ => Ok(None),
            }
        } else {
            let used = sqlx::query(
                "UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL",
            )
            .bind(crate::util::now())
            .bind(sha256_hex(&normalize_recovery(code)))
            .bind(user.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if used == 0 {
                return Ok(None);
            }
            let change = Change::security("recovery_code_used", user.username.clone(), None);
            audit::append(&mut tx, &Actor::user(&user.username), change).await?;
            tx.commit().await?;
            Ok(Some(SecondFactor::RecoveryCode))
        }
    }

    /// After a correct password, when a second factor is still needed: a challenge whose
    /// secret goes into a short-lived cookie. Returns the secret.
    pub async fn create_login_challenge(&self, user_id: i64) -> Result<String> {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let secret = hex::encode(raw);
        let now = Utc::now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_challenges (id_hash, user_id, created_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(sha256_hex(&secret))
        .bind(user_id)
        .bind(ts(now))
        .bind(ts(now + Duration::minutes(5)))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The user of a live challenge (not expired, attempts left).
    pub async fn login_challenge(&self, secret: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT user_id, expires_at, attempts FROM login_challenges WHERE id_hash = $1",
        )
        .bind(sha256_hex(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("expires_at")?;
        let live = DateTime::parse_from_rfc3339(&expires).is_ok_and(|e| e > Utc::now())
            && row.try_get::<i64, _>("attempts")? < CHALLENGE_ATTEMPTS;
        if !live {
            self.end_login_challenge(secret).await?;
            return Ok(None);
        }
        let user = self.user(row.try_get("user_id")?).await?;
        Ok(user.active.then_some(user))
    }

    /// Counts a wrong code against a challenge.
    pub async fn fail_login_challenge(&self, secret: &str) -> Result<()> {
        sqlx::query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1")
            .bind(sha256_hex(secret))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn end_login_challenge(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_challenges WHERE id_hash = $1")
            .bind(sha256_hex(secret))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 seed, last 6 of the 8 digits.
        let seed = b"12345678901234567890";
        assert_eq!(totp_at(seed, 59), "287082");
        assert_eq!(totp_at(seed, 1_111_111_109), "081804");
        assert_eq!(totp_at(seed, 1_234_567_890), "005924");
        assert_eq!(totp_at(seed, 2_000_000_000), "279037");
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 appendix D: HOTP values for counters 0 to 9.
        let seed = b"12345678901234567890";
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(seed, counter as u64), *code, "counter {counter}");
        }
    }

    #[test]
    fn base32_round_trip() {
        // RFC 4648 section 10, without the padding.
        for (raw, encoded) in [
            (&b""[..], ""),
            (b"f", "MY"),
            (b"fo", "MZXQ"),
            (b"foo", "MZXW6"),
            (b"foob", "MZXW6YQ"),
            (b"fooba", "MZXW6YTB"),
            (b"foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(raw), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), raw);
        }
        // Lower case, padding and whitespace (as typed or copied) read the same.
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        let raw = [7u8; 20];
        assert_eq!(base32_decode(&base32_encode(&raw)).unwrap(), raw);
        assert!(base32_decode("not*base32").is_none());
    }

    #[test]
    fn skew_is_one_step() {
        let seed = b"12345678901234567890";
        let t = 1_000_000_020;
        assert!(matching_step(seed, &totp_at(seed, t - 30), t).is_some());
        assert!(matching_step(seed, &totp_at(seed, t + 30), t).is_some());
        assert!(matching_step(seed, &totp_at(seed, t - 90), t).is_none());
    }
}
