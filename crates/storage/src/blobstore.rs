//! Where file bytes live when they are not in the database: an S3-compatible bucket (through
//! `object_store`), for large installations. The database stays the default (see docs/files.md).
//!
//! An object's key is `PREFIX/SCOPE/ab/abcdef…`: the bucket prefix from the URL, the scope (the
//! installation's name, or a cloud tenant's role name, so every tenant has its own prefix) and
//! the file's SHA-256. Objects are written once and read back only together with a check of
//! their SHA-256. Credentials come from the environment (AWS_ACCESS_KEY_ID,
//! AWS_SECRET_ACCESS_KEY), never from the URL, and are never logged.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;
use object_store::ClientConfigKey;
use object_store::aws::AmazonS3ConfigKey;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};

/// An S3 bucket location: `s3://BUCKET[/PREFIX][?endpoint=http(s)://…&region=…&prefix=…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Key prefix inside the bucket, without leading or trailing `/` (may be empty).
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
}

impl S3Location {
    /// Parses an `s3://` URL; errors name `field` (the setting the URL came from).
    pub fn parse(text: &str, field: &str) -> Result<S3Location> {
        let text = text.trim();
        let shown = redact(text);
        let bad = |m: &str| StoreError::invalid(field, format!("{shown:?}: {m}"));
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| bad("not an s3:// URL"))?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, path_prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(bad("no bucket (s3://BUCKET/PREFIX)"));
        }
        if bucket.contains('@')
            || bucket.contains(':')
            || query.contains("secret")
            || query.contains("key=")
            || query.contains("token")
        {
            return Err(bad(
                "credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ));
        }
        let valid_bucket = bucket.len() >= 3
            && bucket.len() <= 63
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'));
        if !valid_bucket {
            return Err(bad(
                "a bucket name is 3 to 63 of a-z, 0-9, '-' and '.' (s3://BUCKET/PREFIX)",
            ));
        }
        let mut prefix = path_prefix.trim_matches('/').to_string();
        let (mut endpoint, mut region) = (None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", v)) if v.starts_with("http://") || v.starts_with("https://") => {
                    endpoint = Some(v.to_string())
                }
                Some(("region", v)) if !v.is_empty() => region = Some(v.to_string()),
                Some(("prefix", v)) if !v.is_empty() && prefix.is_empty() => {
                    prefix = v.trim_matches('/').to_string()
                }
                _ => {
                    return Err(bad(&format!(
                        "unknown or bad parameter {pair:?} (endpoint=http(s)://…, region=…, prefix=…)"
                    )));
                }
            }
        }
        if !prefix.is_empty() && !safe_prefix(&prefix) {
            return Err(bad(
                "a prefix is parts of a-z, A-Z, 0-9, '-', '_' and '.' separated by '/'",
            ));
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix,
            endpoint,
            region,
        })
    }

    /// `s3://bucket/prefix` (no credentials, no endpoint) for messages, records and metrics.
    pub fn name(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    /// Connects (lazily: nothing is sent before the first request). Credentials from AWS_*.
    pub fn build(&self) -> std::result::Result<Arc<dyn ObjectStore>, object_store::Error> {
        Ok(Arc::new(self.builder().build()?))
    }

    /// The builder behind [`S3Location::build`], for other timeouts and retries.
    pub fn builder(&self) -> object_store::aws::AmazonS3Builder {
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .with_region(
                self.region
                    .clone()
                    .or_else(|| std::env::var("AWS_REGION").ok())
                    .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
                    .unwrap_or_else(|| "us-east-1".into()),
            );
        if let Some(endpoint) = &self.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        builder
    }
}

/// An S3 URL for messages: user information and unknown parameters' values hidden (someone
/// may have put a secret there; it must not reach a terminal or a log).
pub fn redact(text: &str) -> String {
    let (location, query) = text.split_once('?').unwrap_or((text, ""));
    let location = match (location.find("://"), location.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &location[..scheme], &location[at + 1..])
        }
        _ => location.to_string(),
    };
    if query.is_empty() {
        return location;
    }
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if matches!(k, "endpoint" | "region" | "prefix") => format!("{k}={v}"),
            Some((k, _)) => format!("{k}=***"),
            None => pair.to_string(),
        })
        .collect();
    format!("{location}?{}", pairs.join("&"))
}

fn safe_prefix(prefix: &str) -> bool {
    prefix.len() < 200
        && prefix.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

/// A configured blob store, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobStoreSpec {
    S3(S3Location),
    /// A local folder (`file:///…`): for tests and a shared, separately replicated file system.
    Local(PathBuf),
}

/// The setting the blob store comes from, named in errors.
pub const BLOB_STORE_FIELD: &str = "blob_store";

impl BlobStoreSpec {
    /// `s3://BUCKET[/PREFIX]?endpoint=…[&region=…][&prefix=…]` or `file:///ABSOLUTE/FOLDER`.
    pub fn parse(text: &str) -> Result<BlobStoreSpec> {
        let text = text.trim();
        let shown = redact(text);
        let bad = |m: &str| {
            StoreError::invalid(
                BLOB_STORE_FIELD,
                format!("{shown:?}: {m} (--blob-store / KONTOR_BLOB_STORE)"),
            )
        };
        if text.is_empty() {
            return Err(bad("empty"));
        }
        if text.starts_with("s3://") {
            return S3Location::parse(text, BLOB_STORE_FIELD).map(BlobStoreSpec::S3);
        }
        if let Some(path) = text.strip_prefix("file://") {
            let path = PathBuf::from(path);
            if !path.is_absolute() {
                return Err(bad(
                    "file:// needs an absolute path (file:///srv/kontor-files)",
                ));
            }
            return Ok(BlobStoreSpec::Local(path));
        }
        Err(bad(
            "expected s3://BUCKET/PREFIX?endpoint=… or file:///FOLDER",
        ))
    }

    pub fn name(&self) -> String {
        match self {
            BlobStoreSpec::S3(l) => l.name(),
            BlobStoreSpec::Local(p) => format!("file://{}", p.display()),
        }
    }

    /// Opens the store at its prefix (a local folder must exist).
    pub fn open(&self) -> Result<BlobStore> {
        let name = self.name();
        let err = |e: &dyn std::fmt::Display| StoreError::BlobStore {
            store: name.clone(),
            key: String::new(),
            message: e.to_string(),
        };
        match self {
            BlobStoreSpec::S3(location) => Ok(BlobStore {
                // A download waits for its file: a few quick retries, then a clear error
                // (backups, which can wait, keep object_store's patient defaults).
                store: Arc::new(
                    location
                        .builder()
                        .with_retry(object_store::RetryConfig {
                            max_retries: 3,
                            retry_timeout: std::time::Duration::from_secs(15),
                            ..Default::default()
                        })
                        .with_config(
                            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                            "5s",
                        )
                        .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "60s")
                        .build()
                        .map_err(|e| err(&e))?,
                ),
                bucket: format!("s3://{}", location.bucket),
                root: location.prefix.clone(),
            }),
            BlobStoreSpec::Local(path) => {
                if !path.is_dir() {
                    return Err(StoreError::invalid(
                        BLOB_STORE_FIELD,
                        format!("{} is not an existing folder", path.display()),
                    ));
                }
                let store = object_store::local::LocalFileSystem::new_with_prefix(path)
                    .map_err(|e| err(&e))?;
                Ok(BlobStore {
                    store: Arc::new(store),
                    bucket: format!("file://{}", path.display()),
                    root: String::new(),
                })
            }
        }
    }
}

/// An opened blob store, limited to one prefix (the installation's or one tenant's).
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// `s3://bucket` or `file:///folder`, for messages.
    bucket: String,
    /// The key prefix this store reads and writes below ("" = the whole bucket).
    root: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.name())
    }
}

impl BlobStore {
    /// The same bucket, limited to `scope` below the current prefix (one tenant, one
    /// installation). `scope` must be a plain name.
    pub fn scoped(&self, scope: &str) -> Result<BlobStore> {
        if !safe_prefix(scope) || scope.contains('/') {
            return Err(StoreError::invalid(
                BLOB_STORE_FIELD,
                format!("{scope:?} cannot be a key prefix"),
            ));
        }
        Ok(BlobStore {
            store: self.store.clone(),
            bucket: self.bucket.clone(),
            root: self.join(scope),
        })
    }

    fn join(&self, rest: &str) -> String {
        if self.root.is_empty() {
            rest.to_string()
        } else {
            format!("{}/{rest}", self.root)
        }
    }

    /// `s3://bucket/prefix/scope`, without credentials.
    pub fn name(&self) -> String {
        if self.root.is_empty() {
            self.bucket.clone()
        } else {
            format!("{}/{}", self.bucket, self.root)
        }
    }

    /// The key prefix (inside the bucket) this store uses.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The object key of a file: `ROOT/ab/abcdef…`.
    pub fn key_for(&self, sha256: &str) -> String {
        self.join(&format!("{}/{sha256}", &sha256[..2.min(sha256.len())]))
    }

    /// Whether a key lies below this store's prefix (a row never reaches another tenant's files).
    pub fn owns(&self, key: &str) -> bool {
        !key.split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
            && (self.root.is_empty() || key.starts_with(&format!("{}/", self.root)))
    }

    fn error(&self, key: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::BlobStore {
            store: self.bucket.clone(),
            key: key.to_string(),
            message: e.to_string(),
        }
    }

    /// Writes an object (content-addressed keys make a repeated write harmless).
    pub async fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        self.store
            .put(&ObjectPath::from(key), data.to_vec().into())
            .await
            .map_err(|e| self.error(key, format!("cannot write: {e}")))?;
        Ok(())
    }

    /// Reads an object; a missing one is [`StoreError::BlobMissing`].
    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(r) => Ok(r
                .bytes()
                .await
                .map_err(|e| self.error(key, format!("cannot read: {e}")))?
                .to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::BlobMissing {
                store: self.bucket.clone(),
                key: key.to_string(),
            }),
            Err(e) => Err(self.error(key, format!("cannot read: {e}"))),
        }
    }

    /// Reads an object and checks it against its SHA-256 ([`StoreError::BlobCorrupt`] if not).
    pub async fn get_verified(&self, key: &str, sha256: &str) -> Result<Vec<u8>> {
        let data = self.get(key).await?;
        if hex::encode(Sha256::digest(&data)) != sha256 {
            return Err(StoreError::BlobCorrupt {
                store: self.bucket.clone(),
                key: key.to_string(),
            });
        }
        Ok(data)
    }

    /// Writes an object, reads it back and checks it.
    pub async fn put_verified(&self, key: &str, sha256: &str, data: &[u8]) -> Result<()> {
        self.put(key, data).await?;
        self.get_verified(key, sha256).await.map(|_| ())
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(key, format!("cannot delete: {e}"))),
        }
    }

    /// Every key below this store's prefix.
    pub async fn list_keys(&self) -> Result<Vec<String>> {
        let prefix = (!self.root.is_empty()).then(|| ObjectPath::from(self.root.as_str()));
        let mut stream = self.store.list(prefix.as_ref());
        let mut keys = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| self.error(&self.root, format!("cannot list: {e}")))?;
            keys.push(meta.location.to_string());
        }
        keys.sort();
        Ok(keys)
    }

    /// Deletes every object below this store's prefix (a deleted tenant's files); returns
    /// how many.
    pub async fn delete_all(&self) -> Result<usize> {
        let keys = self.list_keys().await?;
        for key in &keys {
            self.delete(key).await?;
        }
        Ok(keys.len())
    }

    /// Writes, reads back and deletes a small probe object below the prefix.
    pub async fn probe(&self) -> Result<()> {
        let nonce: u64 = rand::random();
        let key = self.join(&format!("probe-{nonce:016x}"));
        let body = format!("kontor probe {nonce}");
        self.put(&key, body.as_bytes()).await?;
        let read = self.get(&key).await;
        self.delete(&key).await?;
        if read? != body.as_bytes() {
            return Err(self.error(&key, "the probe read back different bytes"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls() {
        let spec = BlobStoreSpec::parse(
            "s3://kontor-files?endpoint=http://127.0.0.1:9000&prefix=prod/a&region=eu-central-1",
        )
        .unwrap();
        assert_eq!(
            spec,
            BlobStoreSpec::S3(S3Location {
                bucket: "kontor-files".into(),
                prefix: "prod/a".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: Some("eu-central-1".into()),
            })
        );
        assert_eq!(spec.name(), "s3://kontor-files/prod/a");
        let path_style = BlobStoreSpec::parse("s3://bucket/p1/").unwrap();
        assert_eq!(path_style.name(), "s3://bucket/p1");
        assert!(matches!(
            BlobStoreSpec::parse("file:///srv/files").unwrap(),
            BlobStoreSpec::Local(_)
        ));
    }

    #[test]
    fn bad_urls_name_the_setting() {
        for bad in [
            "",
            "bucket",
            "/srv/files",
            "file://relative",
            "ftp://x",
            "s3://",
            "s3://UPPER",
            "s3://user:pw@bucket",
            "s3://bucket?secret=x",
            "s3://bucket?aws_access_key_id=x",
            "s3://bucket?endpoint=ftp://x",
            "s3://bucket?foo=1",
            "s3://bucket?prefix=../x",
            "s3://bucket/a//b",
        ] {
            let err = BlobStoreSpec::parse(bad).unwrap_err();
            assert!(
                matches!(&err, StoreError::Invalid { field, .. } if field == BLOB_STORE_FIELD),
                "{bad}: {err}"
            );
            assert!(err.to_string().starts_with("blob_store:"), "{bad}: {err}");
        }
        let err = BlobStoreSpec::parse("s3://bucket?endpoint=http://x&prefix=a&prefix=b");
        assert!(err.is_err());
        // A secret given in the wrong place is refused without being repeated.
        for (url, secret) in [
            ("s3://AKIA:hunter2@bucket", "hunter2"),
            ("s3://bucket?aws_secret_access_key=hunter2", "hunter2"),
            (
                "s3://bucket?endpoint=http://x&session_token=hunter2",
                "hunter2",
            ),
        ] {
            let err = BlobStoreSpec::parse(url).unwrap_err().to_string();
            assert!(!err.contains(secret), "{err}");
        }
    }

    #[tokio::test]
    async fn keys_stay_below_their_scope() {
        let dir = tempfile::tempdir().unwrap();
        let spec = BlobStoreSpec::parse(&format!("file://{}", dir.path().display())).unwrap();
        let store = spec.open().unwrap();
        let acme = store.scoped("kontor_t1").unwrap();
        let other = store.scoped("kontor_t2").unwrap();
        let sha = hex::encode(Sha256::digest(b"hello"));
        let key = acme.key_for(&sha);
        assert_eq!(key, format!("kontor_t1/{}/{sha}", &sha[..2]));
        assert!(acme.owns(&key));
        assert!(!other.owns(&key));
        assert!(!acme.owns("kontor_t1/../kontor_t2/x"));
        assert!(store.scoped("a/b").is_err());
        acme.put_verified(&key, &sha, b"hello").await.unwrap();
        assert_eq!(acme.list_keys().await.unwrap(), vec![key.clone()]);
        assert!(other.list_keys().await.unwrap().is_empty());
        acme.put(&key, b"HELLO").await.unwrap();
        let err = acme.get_verified(&key, &sha).await.unwrap_err();
        assert!(matches!(err, StoreError::BlobCorrupt { .. }), "{err}");
        assert!(err.to_string().contains(&key), "{err}");
        let missing = acme.key_for(&"0".repeat(64));
        let err = acme.get(&missing).await.unwrap_err();
        assert!(matches!(err, StoreError::BlobMissing { .. }), "{err}");
        assert!(err.to_string().contains(&missing), "{err}");
        acme.probe().await.unwrap();
        assert_eq!(acme.list_keys().await.unwrap(), vec![key]);
        let gone = BlobStoreSpec::Local(dir.path().join("missing")).open();
        assert!(gone.is_err());
    }
}
