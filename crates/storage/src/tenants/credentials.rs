//! Tenant role credentials: the master secret, role passwords derived from it, SCRAM verifiers.

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use pbkdf2::pbkdf2_hmac_array;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};

/// The secret every role's password is derived from ([`MasterSecret::role_password`]).
///
/// The secret comes from a file or an environment variable, never from the database.
/// PostgreSQL only ever receives a SCRAM verifier computed here ([`scram_verifier`]), so a
/// password is neither stored nor sent in DDL (where statement logging could catch it).
#[derive(Clone)]
pub struct MasterSecret(Arc<Vec<u8>>);

impl std::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterSecret(***)")
    }
}

impl MasterSecret {
    /// At least 32 bytes (e.g. `openssl rand -hex 32`).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<MasterSecret> {
        let bytes = bytes.into();
        if bytes.len() < 32 {
            return Err(StoreError::invalid(
                "master_secret",
                "must be at least 32 bytes long (e.g. the output of `openssl rand -hex 32`)",
            ));
        }
        Ok(MasterSecret(Arc::new(bytes)))
    }

    /// Reads the secret from a file (one line; surrounding whitespace is ignored). The file must
    /// not be readable by group or others.
    pub fn from_file(path: &Path) -> Result<MasterSecret> {
        let field = "master_secret_file";
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path).map_err(|e| {
                StoreError::invalid(field, format!("cannot read {}: {e}", path.display()))
            })?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(StoreError::invalid(
                    field,
                    format!(
                        "{} is readable by group or others; run chmod 600 on it",
                        path.display()
                    ),
                ));
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            StoreError::invalid(field, format!("cannot read {}: {e}", path.display()))
        })?;
        MasterSecret::new(text.trim().as_bytes().to_vec())
            .map_err(|_| StoreError::invalid(field, "the secret must be at least 32 bytes long"))
    }

    /// The password of a PostgreSQL role: the lowercase hex of HMAC-SHA256 keyed with the
    /// secret over `kontor role password v1:` followed by the role's name. docs/cloud.md shows
    /// the same with openssl (and the tenancy tests check that it agrees); changing it would
    /// lock every existing role out.
    pub fn role_password(&self, role: &str) -> String {
        hex::encode(hmac_sha256(
            &self.0,
            format!("kontor role password v1:{role}").as_bytes(),
        ))
    }
}

/// HMAC-SHA256 (RFC 2104).
#[expect(clippy::expect_used, reason = "HMAC accepts keys of every length")]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// SCRAM's `Hi()`, the salted password: PBKDF2-HMAC-SHA256 with one output block (32 bytes).
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations)
}

/// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / 7677).
pub fn scram_verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let salted = salted_password(password.as_bytes(), salt, iterations);
    let client_key = hmac_sha256(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac_sha256(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        b64.encode(salt),
        b64.encode(stored_key),
        b64.encode(server_key)
    )
}

/// A verifier for `password` with a fresh random salt and PostgreSQL's default 4096 iterations.
pub(super) fn new_verifier(password: &str) -> String {
    let salt: [u8; 16] = rand::random();
    scram_verifier(password, &salt, 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn pbkdf2_matches_published_vectors() {
        // RFC 7914 section 11, PBKDF2-HMAC-SHA256: the first 32 bytes (PBKDF2's first block is
        // the start of any longer output).
        assert_eq!(
            hex::encode(salted_password(b"passwd", b"salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
        assert_eq!(
            hex::encode(salted_password(b"Password", b"NaCl", 80_000)),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        );
        // RFC 6070's inputs with SHA-256 instead of SHA-1, at SCRAM's 4096 iterations.
        assert_eq!(
            hex::encode(salted_password(b"password", b"salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }

    #[test]
    fn scram_verifier_matches_rfc_7677() {
        // RFC 7677's example: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==.
        let salt = base64::engine::general_purpose::STANDARD
            .decode("W22ZaJ0SNY7soEsUEjb6gQ==")
            .unwrap();
        let verifier = scram_verifier("pencil", &salt, 4096);
        assert!(verifier.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"));
        let b64 = base64::engine::general_purpose::STANDARD;
        let (_, keys) = verifier.rsplit_once('$').unwrap();
        let (stored_key, server_key) = keys.split_once(':').unwrap();
        let (stored_key, server_key) = (
            b64.decode(stored_key).unwrap(),
            b64.decode(server_key).unwrap(),
        );
        let auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        // The server's signature from the verifier's ServerKey is the RFC's.
        assert_eq!(
            b64.encode(hmac_sha256(&server_key, auth_message.as_bytes())),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        // The client proof the RFC shows verifies against the verifier's StoredKey.
        let proof = b64
            .decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .unwrap();
        let signature = hmac_sha256(&stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof
            .iter()
            .zip(signature.iter())
            .map(|(a, b)| a ^ b)
            .collect();
        assert_eq!(Sha256::digest(&client_key).to_vec(), stored_key);
    }

    #[test]
    fn role_passwords_differ_per_role_and_secret() {
        let a = MasterSecret::new(vec![1u8; 32]).unwrap();
        let b = MasterSecret::new(vec![2u8; 32]).unwrap();
        assert_eq!(a.role_password("k_t1"), a.role_password("k_t1"));
        assert_ne!(a.role_password("k_t1"), a.role_password("k_t2"));
        assert_ne!(a.role_password("k_t1"), b.role_password("k_t1"));
        assert_eq!(a.role_password("k_t1").len(), 64);
        // Existing roles log in with passwords derived this way: the derivation never changes.
        assert_eq!(
            a.role_password("k_t1"),
            "7f862afd847a1c8009173eff37738b307d80af44a53211c7776080b7caeb529e"
        );
        assert!(MasterSecret::new(vec![0u8; 31]).is_err());
        assert_eq!(format!("{a:?}"), "MasterSecret(***)");
    }
}
