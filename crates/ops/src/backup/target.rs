//! Where backups are stored: local folders (a second disk, an NFS mount) and S3-compatible
//! buckets, both through `object_store`. A backup `ID` lives under `kontor-backups/ID/`.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use kontor_storage::StoreError;
use kontor_storage::blobstore::S3Location;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::crypto::{Digest256, HashingWriter};
use super::error::{BackupError, Result};
use super::manifest::{BackupId, MANIFEST};

/// The folder (key prefix) below a target's root that holds the backups.
const FOLDER: &str = "kontor-backups";
/// Files up to this size go up in one request; larger ones in parts of this size.
const PART: usize = 8 << 20;

/// A configured target, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A local folder; it must exist (an unmounted disk is an error, not a new folder).
    Local(PathBuf),
    /// `s3://bucket/prefix?endpoint=http://host:port&region=…`; credentials come from the
    /// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never from the URL.
    S3 {
        bucket: String,
        prefix: String,
        endpoint: Option<String>,
        region: Option<String>,
    },
}

impl TargetSpec {
    pub fn parse(text: &str) -> Result<TargetSpec> {
        let text = text.trim();
        let bad = |m: &str| BackupError::config("backup_target", format!("{text:?}: {m}"));
        if text.is_empty() {
            return Err(bad("empty"));
        }
        if text.starts_with("s3://") {
            // One parser for every S3 URL (backup targets, the blob store).
            let l = S3Location::parse(text, "backup_target").map_err(|e| match e {
                StoreError::Invalid { field, message, .. } => BackupError::config(field, message),
                other => BackupError::config("backup_target", other.to_string()),
            })?;
            return Ok(TargetSpec::S3 {
                bucket: l.bucket,
                prefix: l.prefix,
                endpoint: l.endpoint,
                region: l.region,
            });
        }
        if text.contains("://") && !text.starts_with("file://") {
            return Err(bad("only local folders, file:// and s3:// are supported"));
        }
        let path = PathBuf::from(text.strip_prefix("file://").unwrap_or(text));
        if !path.is_absolute() {
            return Err(bad("a local target must be an absolute path"));
        }
        Ok(TargetSpec::Local(path))
    }

    /// The name used in messages, records and metrics (no credentials).
    pub fn name(&self) -> String {
        match self {
            TargetSpec::Local(p) => p.display().to_string(),
            TargetSpec::S3 { bucket, prefix, .. } if prefix.is_empty() => format!("s3://{bucket}"),
            TargetSpec::S3 { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}"),
        }
    }

    /// A local target that has held a complete backup (`last_success`) but now has no
    /// `kontor-backups` folder is most likely an unmounted disk whose empty mount point is
    /// left: writing there would fill the disk underneath, so it is refused. (To start afresh
    /// on a new, empty disk on purpose, create the `kontor-backups` folder on it.)
    pub fn check_mounted(&self, last_success: Option<DateTime<Utc>>) -> Result<()> {
        let (TargetSpec::Local(path), Some(at)) = (self, last_success) else {
            return Ok(());
        };
        // A missing folder, or a file in its place, is reported by `open`.
        if !path.is_dir() || path.join(FOLDER).is_dir() {
            return Ok(());
        }
        Err(BackupError::target(
            self.name(),
            format!(
                "holds no {FOLDER} folder although a backup was completed there on {}: is the disk mounted? (on a new empty disk, create {} to start afresh)",
                at.format("%Y-%m-%d %H:%M UTC"),
                path.join(FOLDER).display()
            ),
        ))
    }

    /// Connects (a local folder must exist and be a folder).
    pub fn open(&self) -> Result<Target> {
        let name = self.name();
        let err = |e: &dyn std::fmt::Display| BackupError::target(&name, e);
        match self {
            TargetSpec::Local(path) => {
                let meta = std::fs::metadata(path)
                    .map_err(|e| err(&format!("cannot open the folder: {e}")))?;
                if !meta.is_dir() {
                    return Err(err(&"is not a folder"));
                }
                // Deleting a backup's last file removes its then empty folder too (retention
                // leaves no empty folders behind).
                let store = object_store::local::LocalFileSystem::new_with_prefix(path)
                    .map_err(|e| err(&e))?
                    .with_automatic_cleanup(true);
                Ok(Target {
                    name,
                    store: Arc::new(store),
                    root: ObjectPath::from(FOLDER),
                })
            }
            TargetSpec::S3 {
                bucket,
                prefix,
                endpoint,
                region,
            } => {
                let store = S3Location {
                    bucket: bucket.clone(),
                    prefix: prefix.clone(),
                    endpoint: endpoint.clone(),
                    region: region.clone(),
                }
                .build()
                .map_err(|e| err(&e))?;
                let root = if prefix.is_empty() {
                    ObjectPath::from(FOLDER)
                } else {
                    ObjectPath::from(format!("{prefix}/{FOLDER}"))
                };
                Ok(Target { name, store, root })
            }
        }
    }
}

/// What a target holds of one backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: BackupId,
    /// Whether its manifest is there (written last).
    pub complete: bool,
    /// Bytes stored under it.
    pub size: u64,
}

/// An opened target.
#[derive(Clone)]
pub struct Target {
    name: String,
    store: Arc<dyn ObjectStore>,
    root: ObjectPath,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.name)
    }
}

impl Target {
    pub fn name(&self) -> &str {
        &self.name
    }

    fn path(&self, id: &BackupId, file: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{id}/{file}", self.root))
    }

    fn err(&self, what: &str, e: impl std::fmt::Display) -> BackupError {
        BackupError::target(&self.name, format!("{what}: {e}"))
    }

    pub async fn put_bytes(&self, id: &BackupId, file: &str, data: Vec<u8>) -> Result<()> {
        self.store
            .put(&self.path(id, file), data.into())
            .await
            .map_err(|e| self.err(&format!("cannot write {id}/{file}"), e))?;
        Ok(())
    }

    /// Uploads a local file (in parts when large).
    pub async fn put_file(&self, id: &BackupId, file: &str, local: &Path) -> Result<()> {
        let what = format!("cannot write {id}/{file}");
        let size = tokio::fs::metadata(local)
            .await
            .map_err(|e| BackupError::io(local, e))?
            .len();
        if size <= PART as u64 {
            let data = tokio::fs::read(local)
                .await
                .map_err(|e| BackupError::io(local, e))?;
            return self.put_bytes(id, file, data).await;
        }
        let upload = self
            .store
            .put_multipart(&self.path(id, file))
            .await
            .map_err(|e| self.err(&what, e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut input = tokio::fs::File::open(local)
            .await
            .map_err(|e| BackupError::io(local, e))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match input.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(BackupError::io(local, e));
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = writer.wait_for_capacity(4).await {
                let _ = writer.abort().await;
                return Err(self.err(&what, e));
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(|e| self.err(&what, e))?;
        Ok(())
    }

    pub async fn get_bytes(&self, id: &BackupId, file: &str) -> Result<Option<Vec<u8>>> {
        match self.store.get(&self.path(id, file)).await {
            Ok(r) => Ok(Some(
                r.bytes()
                    .await
                    .map_err(|e| self.err(&format!("cannot read {id}/{file}"), e))?
                    .to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err(&format!("cannot read {id}/{file}"), e)),
        }
    }

    /// Downloads a file into `local`, hashing it on the way. A missing file is an error.
    pub async fn get_file(&self, id: &BackupId, file: &str, local: &Path) -> Result<Digest256> {
        let what = format!("cannot read {id}/{file}");
        let result = self
            .store
            .get(&self.path(id, file))
            .await
            .map_err(|e| self.err(&what, e))?;
        let mut stream = result.into_stream();
        let out = tokio::fs::File::create(local)
            .await
            .map_err(|e| BackupError::io(local, e))?;
        let mut out = tokio::io::BufWriter::with_capacity(1 << 20, out);
        let mut hasher = HashingWriter::new(std::io::sink());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.err(&what, e))?;
            std::io::Write::write_all(&mut hasher, &chunk)
                .map_err(|e| BackupError::io(local, e))?;
            out.write_all(&chunk)
                .await
                .map_err(|e| BackupError::io(local, e))?;
        }
        out.flush().await.map_err(|e| BackupError::io(local, e))?;
        Ok(hasher.finish().1)
    }

    /// Size and SHA-256 of a stored file, read as a stream (nothing is kept). A missing file
    /// is an error.
    pub async fn digest(&self, id: &BackupId, file: &str) -> Result<Digest256> {
        let what = format!("cannot read {id}/{file}");
        let result = self
            .store
            .get(&self.path(id, file))
            .await
            .map_err(|e| self.err(&what, e))?;
        let mut stream = result.into_stream();
        let mut hasher = HashingWriter::new(std::io::sink());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.err(&what, e))?;
            std::io::Write::write_all(&mut hasher, &chunk).map_err(|e| self.err(&what, e))?;
        }
        Ok(hasher.finish().1)
    }

    /// Every backup on this target, oldest first.
    pub async fn list(&self) -> Result<Vec<Listed>> {
        let mut found: BTreeMap<BackupId, Listed> = BTreeMap::new();
        let mut stream = self.store.list(Some(&self.root));
        let root_parts = self.root.parts().count();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| self.err("cannot list", e))?;
            let parts: Vec<String> = meta
                .location
                .parts()
                .skip(root_parts)
                .map(|p| p.as_ref().to_string())
                .collect();
            let Some(first) = parts.first() else { continue };
            let Ok(id) = BackupId::parse(first) else {
                continue;
            };
            let entry = found.entry(id.clone()).or_insert(Listed {
                id,
                complete: false,
                size: 0,
            });
            entry.size += meta.size;
            if parts.len() == 2 && parts[1] == MANIFEST {
                entry.complete = true;
            }
        }
        Ok(found.into_values().collect())
    }

    /// Deletes everything of one backup, the manifest first (so that a deletion cut short
    /// leaves an incomplete backup, never one that looks complete but is not).
    pub async fn delete_backup(&self, id: &BackupId) -> Result<()> {
        let what = format!("cannot delete {id}");
        match self.store.delete(&self.path(id, MANIFEST)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(self.err(&what, e)),
        }
        let prefix = ObjectPath::from(format!("{}/{id}", self.root));
        let objects: Vec<ObjectPath> = self
            .store
            .list(Some(&prefix))
            .map(|m| m.map(|m| m.location))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(&what, e))?;
        for location in objects {
            match self.store.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.err(&what, e)),
            }
        }
        Ok(())
    }

    /// Writes, reads back and deletes a small probe object.
    pub async fn probe(&self) -> Result<()> {
        let nonce: u64 = rand::random();
        let location = ObjectPath::from(format!("{}/probe-{nonce:016x}", self.root));
        let body = format!("kontor probe {nonce}");
        self.store
            .put(&location, body.clone().into())
            .await
            .map_err(|e| self.err("cannot write a probe", e))?;
        let read = self
            .store
            .get(&location)
            .await
            .map_err(|e| self.err("cannot read the probe back", e))?
            .bytes()
            .await
            .map_err(|e| self.err("cannot read the probe back", e))?;
        self.store
            .delete(&location)
            .await
            .map_err(|e| self.err("cannot delete the probe", e))?;
        if read.as_ref() != body.as_bytes() {
            return Err(self.err("probe", "read back different bytes"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            TargetSpec::parse("/mnt/backup").unwrap(),
            TargetSpec::Local("/mnt/backup".into())
        );
        assert_eq!(
            TargetSpec::parse("file:///mnt/b").unwrap(),
            TargetSpec::Local("/mnt/b".into())
        );
        let s3 = TargetSpec::parse(
            "s3://bucket/kontor/prod?endpoint=http://127.0.0.1:9000&region=eu-central-1",
        )
        .unwrap();
        assert_eq!(
            s3,
            TargetSpec::S3 {
                bucket: "bucket".into(),
                prefix: "kontor/prod".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: Some("eu-central-1".into()),
            }
        );
        assert_eq!(s3.name(), "s3://bucket/kontor/prod");
        for bad in [
            "",
            "relative/dir",
            "ftp://x",
            "s3://",
            "s3://b?secret=x",
            "s3://b?foo=1",
        ] {
            let err = TargetSpec::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("backup_target:"), "{bad}: {err}");
        }
    }

    #[tokio::test]
    async fn local_target_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let target = TargetSpec::Local(dir.path().into()).open().unwrap();
        target.probe().await.unwrap();
        let id = BackupId::new(chrono::Utc::now());
        let local = dir.path().join("big.bin");
        let data: Vec<u8> = (0..(PART + 12345)).map(|i| (i % 253) as u8).collect();
        std::fs::write(&local, &data).unwrap();
        target.put_file(&id, "big.bin", &local).await.unwrap();
        assert!(!target.list().await.unwrap()[0].complete);
        target
            .put_bytes(&id, MANIFEST, b"{}".to_vec())
            .await
            .unwrap();
        let listed = target.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].complete);
        assert_eq!(listed[0].size, data.len() as u64 + 2);
        let back = dir.path().join("back.bin");
        let digest = target.get_file(&id, "big.bin", &back).await.unwrap();
        assert_eq!(std::fs::read(&back).unwrap(), data);
        assert_eq!(digest.size, data.len() as u64);
        target.delete_backup(&id).await.unwrap();
        assert!(target.list().await.unwrap().is_empty());
        assert!(TargetSpec::Local(local).open().is_err());
    }
}
