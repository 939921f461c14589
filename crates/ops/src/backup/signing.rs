//! Signatures on manifests. The age recipient is public (every manifest names it), so anyone
//! who can write to a target could encrypt a database of their own and name it like a
//! backup; the signature shows that the installation made it. The server signs each manifest
//! with an Ed25519 signing key that never goes to the targets; whoever verifies or restores
//! brings the matching verify key (in the identity file or as `--verify-key`), never taking
//! it from the target.
//!
//! The signed message is [`DOMAIN`] followed by the manifest without its `signature`, as
//! compact JSON: the manifest is re-serialised from its fields when checked, so a changed
//! size, SHA-256, file name or recipient no longer matches.

use std::path::Path;

use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};
use super::manifest::Manifest;

/// What a signature is over, besides the manifest (so it cannot be taken for another use).
const DOMAIN: &[u8] = b"kontor-backup-manifest-signature/1\n";
/// The signing key's text (secret): `KONTOR-BACKUP-SIGNING-KEY-` and 64 hex digits.
const SIGNING_PREFIX: &str = "KONTOR-BACKUP-SIGNING-KEY-";
/// The verify key's text (public): `kontor-backup-verify-key-` and 64 hex digits.
pub const VERIFY_PREFIX: &str = "kontor-backup-verify-key-";
const ALGORITHM: &str = "ed25519";

/// The key the server signs manifests with (secret; kept with the server's settings, never
/// on a target).
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, ***)", self.verify_key())
    }
}

impl SigningKey {
    /// Parses a signing key file as `kontor backup keygen` writes it: one
    /// `KONTOR-BACKUP-SIGNING-KEY-…` line, comments starting with `#`.
    pub fn parse(text: &str, source: &str) -> Result<SigningKey> {
        let bad = |m: String| BackupError::config("backup_signing_key", format!("{source}: {m}"));
        let mut found = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("AGE-SECRET-KEY-") {
                return Err(bad(
                    "this is the identity (the secret key that opens backups), not the signing key; keep the identity away from the server".into(),
                ));
            }
            let bytes = line
                .strip_prefix(SIGNING_PREFIX)
                .and_then(key_bytes)
                .ok_or_else(|| {
                    bad(format!(
                        "line {}: not a signing key ({SIGNING_PREFIX}…, see `kontor backup keygen`)",
                        n + 1
                    ))
                })?;
            if found.is_some() {
                return Err(bad("holds more than one signing key".into()));
            }
            found = Some(ed25519_dalek::SigningKey::from_bytes(&bytes));
        }
        found
            .map(SigningKey)
            .ok_or_else(|| bad(format!("holds no {SIGNING_PREFIX}… line")))
    }

    pub fn from_file(path: &Path) -> Result<SigningKey> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            BackupError::config(
                "backup_signing_key",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        SigningKey::parse(&text, &path.display().to_string())
    }

    /// The public half, which checks this key's signatures.
    pub fn verify_key(&self) -> VerifyKey {
        VerifyKey(self.0.verifying_key())
    }

    /// Signs `manifest` (replacing any signature it has).
    pub fn sign(&self, manifest: &mut Manifest) -> Result<()> {
        manifest.signature = None;
        let message = signed_message(manifest)?;
        let signature = self.0.sign(&message);
        manifest.signature = Some(ManifestSignature {
            algorithm: ALGORITHM.into(),
            key: self.verify_key().to_string(),
            value: hex::encode(signature.to_bytes()),
        });
        Ok(())
    }
}

/// The key that checks manifest signatures (public).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyKey(ed25519_dalek::VerifyingKey);

impl VerifyKey {
    pub fn parse(text: &str) -> Result<VerifyKey> {
        let text = text.trim();
        let bad = |m: &str| BackupError::config("verify_key", format!("{text:?}: {m}"));
        if text.starts_with(SIGNING_PREFIX) {
            return Err(bad(
                "this is the signing key (secret, for the server); give its verify key (kontor-backup-verify-key-…)",
            ));
        }
        let bytes = text
            .strip_prefix(VERIFY_PREFIX)
            .and_then(key_bytes)
            .ok_or_else(|| {
                bad(&format!(
                    "not a verify key ({VERIFY_PREFIX} and 64 hex digits)"
                ))
            })?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(VerifyKey)
            .map_err(|e| bad(&format!("not a valid Ed25519 public key: {e}")))
    }
}

impl std::fmt::Display for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{VERIFY_PREFIX}{}", hex::encode(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyKey({self})")
    }
}

fn key_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_text).ok()?;
    bytes.try_into().ok()
}

/// A manifest's signature as stored in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSignature {
    pub algorithm: String,
    /// The verify key the signer claims; only used to word a refusal (a target could write
    /// anything here), never to check.
    pub key: String,
    /// The Ed25519 signature, hex.
    pub value: String,
}

fn signed_message(manifest: &Manifest) -> Result<Vec<u8>> {
    let mut message = DOMAIN.to_vec();
    serde_json::to_writer(&mut message, manifest)
        .map_err(|e| BackupError::Database(format!("manifest: {e}")))?;
    Ok(message)
}

/// A new signing key: the key file's text (secret) and its verify key (public).
pub fn generate(now: chrono::DateTime<chrono::Utc>) -> (String, VerifyKey) {
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let verify = VerifyKey(key.verifying_key());
    let text = format!(
        "# Kontor backup signing key, created {}\n# The server signs every backup's manifest with it (--backup-signing-key). Keep it with\n# the server's settings, never on a backup target.\n# verify key: {verify}\n{SIGNING_PREFIX}{}\n",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        hex::encode(key.to_bytes())
    );
    (text, verify)
}

/// How a manifest passed the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticity {
    /// Signed with this verify key's signing key.
    Signed(VerifyKey),
    /// Not signed at all, accepted because the operator said so (`--accept-unsigned`).
    Unsigned,
}

/// Checks `manifest` (of backup `id` on `target`) against the verify keys the operator gave.
/// An unsigned manifest passes only with `accept_unsigned`; a signature that does not verify
/// with any of `keys` never passes.
pub fn check(
    manifest: &Manifest,
    keys: &[VerifyKey],
    accept_unsigned: bool,
    target: &str,
) -> Result<Authenticity> {
    let id = manifest.id.to_string();
    let refuse = |message: String| BackupError::BadSignature {
        id: id.clone(),
        target: target.to_string(),
        message,
    };
    let Some(signature) = &manifest.signature else {
        if accept_unsigned {
            return Ok(Authenticity::Unsigned);
        }
        return Err(BackupError::Unsigned {
            id: id.clone(),
            target: target.to_string(),
        });
    };
    if keys.is_empty() {
        return Err(BackupError::NoVerifyKey { id: id.clone() });
    }
    if signature.algorithm != ALGORITHM {
        return Err(refuse(format!(
            "unknown signature algorithm {:?}",
            signature.algorithm
        )));
    }
    let value = hex::decode(&signature.value)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| refuse("the signature is not 64 bytes of hex".into()))?;
    let value = ed25519_dalek::Signature::from_bytes(&value);
    let mut unsigned = manifest.clone();
    unsigned.signature = None;
    let message = signed_message(&unsigned)?;
    for key in keys {
        if key.0.verify_strict(&message, &value).is_ok() {
            return Ok(Authenticity::Signed(*key));
        }
    }
    let given = keys
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Err(refuse(
        if keys.iter().any(|k| k.to_string() == signature.key) {
            "the signature does not match the manifest: the manifest (a file's size or SHA-256, the recipient, …) was changed after it was signed".to_string()
        } else {
            format!(
                "it says it is signed with {}, which is not the verify key given ({given}); it was not made with your signing key",
                signature.key
            )
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::{BackupId, BackupKind, FORMAT, FileEntry};

    fn manifest() -> Manifest {
        let now = chrono::Utc::now();
        Manifest {
            format: FORMAT.into(),
            id: BackupId::new(now),
            kind: BackupKind::Sqlite,
            created_at: now.to_rfc3339(),
            schema_version: 1,
            recipient: "age1example".into(),
            files: vec![FileEntry {
                name: "kontor.db.zst.age".into(),
                size: 10,
                sha256: "ab".repeat(32),
                tenant: None,
            }],
            skipped: Vec::new(),
            signature: None,
        }
    }

    #[test]
    fn keys_parse_back_and_signatures_cover_the_manifest() {
        let (text, verify) = generate(chrono::Utc::now());
        let key = SigningKey::parse(&text, "k").unwrap();
        assert_eq!(key.verify_key(), verify);
        assert_eq!(VerifyKey::parse(&verify.to_string()).unwrap(), verify);
        assert!(!format!("{key:?}").contains(&text.lines().last().unwrap()[30..]));
        let mut m = manifest();
        key.sign(&mut m).unwrap();
        // Stored and read back as JSON, it still verifies.
        let back: Manifest =
            serde_json::from_slice(&serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        assert_eq!(
            check(&back, &[verify], false, "t").unwrap(),
            Authenticity::Signed(verify)
        );
        let mut changed = back.clone();
        changed.files[0].size = 11;
        let err = check(&changed, &[verify], false, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed after it was signed"), "{err}");
        let (_, other) = generate(chrono::Utc::now());
        let err = check(&back, &[other], false, "t").unwrap_err().to_string();
        assert!(err.contains("not the verify key given"), "{err}");
        let mut unsigned = back;
        unsigned.signature = None;
        assert!(check(&unsigned, &[verify], false, "t").is_err());
        assert_eq!(
            check(&unsigned, &[verify], true, "t").unwrap(),
            Authenticity::Unsigned
        );
        // The two kinds of key are not taken for each other.
        assert!(VerifyKey::parse(text.lines().last().unwrap()).is_err());
        assert!(SigningKey::parse(&verify.to_string(), "v").is_err());
        assert!(SigningKey::parse("# nothing\n", "v").is_err());
    }
}
