//! Keys and the sealed file format: zstd-compressed, then encrypted with age to an x25519
//! public key. Only the recipient (public key) is configured where backups are made; the
//! identity (secret key) is needed to verify or restore and is kept elsewhere.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use super::error::{BackupError, Result};
use super::manifest::Manifest;
use super::signing::{self, Authenticity, VERIFY_PREFIX, VerifyKey};

/// zstd level: 3 is zstd's default, a good speed/size balance for SQL pages and JSON.
const ZSTD_LEVEL: i32 = 3;

/// The public key backups are encrypted to (`age1…`).
#[derive(Clone)]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    pub fn parse(text: &str) -> Result<Recipient> {
        let text = text.trim();
        if text.starts_with("AGE-SECRET-KEY-") {
            return Err(BackupError::config(
                "backup_recipient",
                "this is a secret key (identity); give its public key (age1…) instead and keep the identity away from the server",
            ));
        }
        age::x25519::Recipient::from_str(text)
            .map(Recipient)
            .map_err(|e| {
                BackupError::config(
                    "backup_recipient",
                    format!("not an age x25519 public key (age1…): {e}"),
                )
            })
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

/// What the operator holds to open and check backups: the secret key(s) that decrypt them,
/// the verify key(s) that check their signatures, and whether unsigned backups (made before
/// Kontor signed them) are accepted.
#[derive(Clone)]
pub struct Identity {
    keys: Vec<age::x25519::Identity>,
    verify: Vec<VerifyKey>,
    accept_unsigned: bool,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Identity({} key(s), ***, verify keys {:?})",
            self.keys.len(),
            self.verify
        )
    }
}

impl Identity {
    /// Parses an identity file as `kontor backup keygen` (or `age-keygen`) writes it: lines
    /// `AGE-SECRET-KEY-1…`, verify keys `kontor-backup-verify-key-…`, comments starting
    /// with `#`.
    pub fn parse(text: &str, source: &str) -> Result<Identity> {
        let mut keys = Vec::new();
        let mut verify = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with(VERIFY_PREFIX) {
                let key = VerifyKey::parse(line).map_err(|e| {
                    BackupError::config("identity", format!("{source}, line {}: {e}", n + 1))
                })?;
                verify.push(key);
                continue;
            }
            let key = age::x25519::Identity::from_str(line).map_err(|e| {
                BackupError::config(
                    "identity",
                    format!("{source}, line {}: not an age secret key: {e}", n + 1),
                )
            })?;
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(BackupError::config(
                "identity",
                format!("{source} holds no AGE-SECRET-KEY-1… line"),
            ));
        }
        Ok(Identity {
            keys,
            verify,
            accept_unsigned: false,
        })
    }

    pub fn from_file(path: &Path) -> Result<Identity> {
        let text = std::fs::read_to_string(path).map_err(|e| BackupError::io(path, e))?;
        Identity::parse(&text, &path.display().to_string())
    }

    /// The public keys of these identities.
    pub fn recipients(&self) -> Vec<Recipient> {
        self.keys.iter().map(|k| Recipient(k.to_public())).collect()
    }

    /// Also checks signatures with `key` (given apart from the identity file).
    pub fn with_verify_key(mut self, key: VerifyKey) -> Identity {
        if !self.verify.contains(&key) {
            self.verify.push(key);
        }
        self
    }

    /// Accepts backups without a signature (those made before Kontor signed them), so that
    /// they can still be restored; a wrong signature is never accepted.
    pub fn accepting_unsigned(mut self, accept: bool) -> Identity {
        self.accept_unsigned = accept;
        self
    }

    pub fn verify_keys(&self) -> &[VerifyKey] {
        &self.verify
    }

    /// Whether `manifest`, read from `target`, is one to trust (see [`signing::check`]).
    pub fn check(&self, manifest: &Manifest, target: &str) -> Result<Authenticity> {
        signing::check(manifest, &self.verify, self.accept_unsigned, target)
    }
}

/// A new key pair: the identity file's text (secret) and the recipient (public key). With
/// `verify`, the file also holds that verify key (of the server's signing key).
pub fn generate(
    now: chrono::DateTime<chrono::Utc>,
    verify: Option<&VerifyKey>,
) -> (String, Recipient) {
    let key = age::x25519::Identity::generate();
    let recipient = key.to_public();
    let mut text = format!(
        "# Kontor backup identity, created {}\n# Keep this file away from the backups and from the server that makes them.\n# public key: {recipient}\n{}\n",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        key.to_string().expose_secret()
    );
    if let Some(verify) = verify {
        text.push_str(&format!(
            "# Checks that a backup was signed by the server's signing key (public):\n{verify}\n"
        ));
    }
    (text, Recipient(recipient))
}

/// Size and SHA-256 of a sealed file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest256 {
    pub size: u64,
    pub sha256: String,
}

/// A writer that counts and hashes what passes through.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    pub fn finish(self) -> (W, Digest256) {
        let digest = Digest256 {
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        };
        (self.inner, digest)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

type Sink = HashingWriter<BufWriter<File>>;

/// Writes one sealed file: plaintext in, zstd + age out.
pub struct Sealer {
    encoder: zstd::stream::write::Encoder<'static, age::stream::StreamWriter<Sink>>,
    path: std::path::PathBuf,
}

impl Sealer {
    pub fn create(path: &Path, recipient: &Recipient) -> Result<Sealer> {
        let io = |e: std::io::Error| BackupError::io(path, e);
        let file = File::create(path).map_err(io)?;
        let sink = HashingWriter::new(BufWriter::with_capacity(1 << 20, file));
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient.0 as &dyn age::Recipient))
                .map_err(|e| BackupError::io(path, format!("cannot encrypt: {e}")))?;
        let writer = encryptor.wrap_output(sink).map_err(io)?;
        let mut encoder = zstd::stream::write::Encoder::new(writer, ZSTD_LEVEL).map_err(io)?;
        encoder.include_checksum(true).map_err(io)?;
        Ok(Sealer {
            encoder,
            path: path.to_path_buf(),
        })
    }

    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        self.encoder
            .write_all(data)
            .map_err(|e| BackupError::io(&self.path, e))
    }

    /// Ends the streams and syncs the file; returns the stored size and hash.
    pub fn finish(self) -> Result<Digest256> {
        let io = |e: std::io::Error| BackupError::io(&self.path, e);
        let writer = self.encoder.finish().map_err(io)?;
        let sink = writer.finish().map_err(io)?;
        let (buffered, digest) = sink.finish();
        let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(digest)
    }
}

/// Seals a whole plaintext file.
pub fn seal_file(source: &Path, dest: &Path, recipient: &Recipient) -> Result<Digest256> {
    let mut input = BufReader::with_capacity(
        1 << 20,
        File::open(source).map_err(|e| BackupError::io(source, e))?,
    );
    let mut sealer = Sealer::create(dest, recipient)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| BackupError::io(source, e))?;
        if n == 0 {
            break;
        }
        sealer.write_all(&buf[..n])?;
    }
    sealer.finish()
}

/// Decrypts and decompresses a sealed file into `out`; returns the plaintext size. Any
/// damage (a changed byte, a missing end) is an error: age authenticates every 64 KiB chunk
/// and the end of the stream, zstd checks its frame checksum.
pub fn open_file(
    sealed: &Path,
    identity: &Identity,
    out: &mut dyn Write,
    id: &str,
    name: &str,
) -> Result<u64> {
    let file = File::open(sealed).map_err(|e| BackupError::io(sealed, e))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| BackupError::content(id, name, format!("not a readable age file: {e}")))?;
    let reader = decryptor
        .decrypt(identity.keys.iter().map(|k| k as &dyn age::Identity))
        .map_err(|e| {
            BackupError::content(id, name, format!("cannot decrypt with this identity: {e}"))
        })?;
    let mut decoder =
        zstd::stream::read::Decoder::new(reader).map_err(|e| BackupError::content(id, name, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = decoder
            .read(&mut buf)
            .map_err(|e| BackupError::content(id, name, format!("damaged or incomplete: {e}")))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(|e| {
            BackupError::content(id, name, format!("cannot write the plaintext: {e}"))
        })?;
        total += n as u64;
    }
    Ok(total)
}

/// SHA-256 and size of a local file.
#[cfg(test)]
pub fn digest_file(path: &Path) -> Result<Digest256> {
    let mut input = File::open(path).map_err(|e| BackupError::io(path, e))?;
    let mut hasher = HashingWriter::new(std::io::sink());
    std::io::copy(&mut input, &mut hasher).map_err(|e| BackupError::io(path, e))?;
    Ok(hasher.finish().1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_and_detect_damage() {
        let dir = tempfile::tempdir().unwrap();
        let (identity_text, recipient) = generate(chrono::Utc::now(), None);
        let identity = Identity::parse(&identity_text, "test").unwrap();
        assert_eq!(identity.recipients()[0].to_string(), recipient.to_string());
        let plain: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let sealed = dir.path().join("x.age");
        let mut sealer = Sealer::create(&sealed, &recipient).unwrap();
        sealer.write_all(&plain).unwrap();
        let digest = sealer.finish().unwrap();
        assert_eq!(digest, digest_file(&sealed).unwrap());
        let mut out = Vec::new();
        open_file(&sealed, &identity, &mut out, "b1", "x.age").unwrap();
        assert_eq!(out, plain);

        // The ciphertext reveals nothing obvious of the plaintext.
        let bytes = std::fs::read(&sealed).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1"));

        // A flipped byte in the middle and a cut end are both refused.
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x55;
        std::fs::write(&sealed, &flipped).unwrap();
        let err = open_file(&sealed, &identity, &mut Vec::new(), "b1", "x.age").unwrap_err();
        assert!(err.to_string().contains("x.age"), "{err}");
        std::fs::write(&sealed, &bytes[..bytes.len() - 100]).unwrap();
        let err = open_file(&sealed, &identity, &mut Vec::new(), "b1", "x.age").unwrap_err();
        assert!(err.to_string().contains("x.age"), "{err}");

        // Another identity cannot open it.
        std::fs::write(&sealed, &bytes).unwrap();
        let (other, _) = generate(chrono::Utc::now(), None);
        let other = Identity::parse(&other, "other").unwrap();
        assert!(open_file(&sealed, &other, &mut Vec::new(), "b1", "x.age").is_err());
    }

    #[test]
    fn recipients_and_identities_are_checked() {
        assert!(Recipient::parse("age1nope").is_err());
        let (text, recipient) = generate(chrono::Utc::now(), None);
        assert!(Recipient::parse(&recipient.to_string()).is_ok());
        let secret_line = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap();
        let err = Recipient::parse(secret_line).unwrap_err().to_string();
        assert!(err.contains("secret key"), "{err}");
        let err = Identity::parse("# nothing\n", "id.txt")
            .unwrap_err()
            .to_string();
        assert!(err.contains("id.txt"), "{err}");
        assert!(format!("{:?}", Identity::parse(&text, "x").unwrap()).contains("***"));
    }
}
