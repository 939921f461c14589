//! The files a backup holds besides the database: those whose bytes live in a blob store
//! (S3) rather than in the `blobs` table. A backup fetches each (checked against its SHA-256)
//! and stores them in one more sealed file, so that a backup is complete on its own; a
//! restore puts them back into the restored database.
//!
//! Format (before compression and encryption): a header line
//! `{"format":"kontor-files/1","files":N}`, then per file a line `{"sha256":…,"size":S}`
//! followed by exactly S bytes and a newline.

use std::io::{BufRead, Read};
use std::path::Path;

use kontor_storage::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::crypto::Sealer;
use super::error::{BackupError, Result};

pub const FILES_FORMAT: &str = "kontor-files/1";

/// The name of the files file next to a database file: `files.bin.zst.age` for a single
/// installation, `tenants/SLUG.files.zst.age` for a cloud tenant.
pub fn is_files_name(name: &str) -> bool {
    name == "files.bin.zst.age"
        || (name.starts_with("tenants/") && name.ends_with(".files.zst.age"))
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    files: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    sha256: String,
    size: u64,
}

fn json_line(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut line = serde_json::to_vec(value).map_err(|e| BackupError::Database(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

/// Writes the files `shas` (read through `store`, i.e. from its blob store, each checked)
/// into `out`; returns (files, bytes).
pub async fn dump(store: &Store, shas: &[String], out: &mut Sealer) -> Result<(u64, u64)> {
    out.write_all(&json_line(&Header {
        format: FILES_FORMAT.into(),
        files: shas.len() as u64,
    })?)?;
    let mut bytes = 0;
    for sha in shas {
        let blob = store
            .blob(sha)
            .await
            .map_err(|e| BackupError::Database(format!("file {sha}: {e}")))?;
        out.write_all(&json_line(&Entry {
            sha256: sha.clone(),
            size: blob.data.len() as u64,
        })?)?;
        out.write_all(&blob.data)?;
        out.write_all(b"\n")?;
        bytes += blob.data.len() as u64;
    }
    Ok((shas.len() as u64, bytes))
}

/// Reads a plaintext files file one file at a time, checking each against its SHA-256.
pub struct FilesReader<'a> {
    input: std::io::BufReader<std::fs::File>,
    left: u64,
    id: &'a str,
    name: &'a str,
}

impl<'a> FilesReader<'a> {
    pub fn open(path: &Path, id: &'a str, name: &'a str) -> Result<FilesReader<'a>> {
        let file = std::fs::File::open(path).map_err(|e| BackupError::io(path, e))?;
        let mut reader = FilesReader {
            input: std::io::BufReader::with_capacity(1 << 20, file),
            left: 0,
            id,
            name,
        };
        let header: Header = serde_json::from_str(&reader.line("the header")?)
            .map_err(|e| reader.bad(format!("header: {e}")))?;
        if header.format != FILES_FORMAT {
            return Err(reader.bad(format!("unknown format {:?}", header.format)));
        }
        reader.left = header.files;
        Ok(reader)
    }

    fn bad(&self, m: String) -> BackupError {
        BackupError::content(self.id, self.name, m)
    }

    fn line(&mut self, what: &str) -> Result<String> {
        let mut line = String::new();
        let n = self
            .input
            .read_line(&mut line)
            .map_err(|e| self.bad(format!("cannot read: {e}")))?;
        if n == 0 || !line.ends_with('\n') {
            return Err(self.bad(format!("ends early (expected {what})")));
        }
        line.pop();
        Ok(line)
    }

    /// The next file (SHA-256, bytes), or `None` after the last one announced.
    pub fn next_file(&mut self) -> Result<Option<(String, Vec<u8>)>> {
        if self.left == 0 {
            let mut rest = [0u8; 1];
            return match self.input.read(&mut rest) {
                Ok(0) => Ok(None),
                _ => Err(self.bad("data after the last file".into())),
            };
        }
        let entry: Entry = serde_json::from_str(&self.line("a file entry")?)
            .map_err(|e| self.bad(format!("file entry: {e}")))?;
        if entry.size > (1 << 32) {
            return Err(self.bad(format!("file {} claims {} bytes", entry.sha256, entry.size)));
        }
        let mut data = vec![0u8; entry.size as usize];
        self.input
            .read_exact(&mut data)
            .map_err(|e| self.bad(format!("file {}: {e}", entry.sha256)))?;
        let mut newline = [0u8; 1];
        self.input
            .read_exact(&mut newline)
            .map_err(|e| self.bad(format!("file {}: {e}", entry.sha256)))?;
        if newline != *b"\n" {
            return Err(self.bad(format!("file {}: no end marker", entry.sha256)));
        }
        if hex::encode(Sha256::digest(&data)) != entry.sha256 {
            return Err(self.bad(format!("file {} does not match its SHA-256", entry.sha256)));
        }
        self.left -= 1;
        Ok(Some((entry.sha256, data)))
    }
}

/// Reads a whole files file and checks every file; returns how many it holds.
pub fn check(path: &Path, id: &str, name: &str) -> Result<u64> {
    let mut reader = FilesReader::open(path, id, name)?;
    let mut n = 0;
    while reader.next_file()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// Puts the files of a checked files file into the restored store's rows (the restored
/// installation keeps them in its database), then makes sure no row still points at a
/// blob store: a restore is complete and self-contained, or it fails naming the file.
pub async fn restore_into(store: &Store, path: Option<&Path>, id: &str, name: &str) -> Result<u64> {
    let mut filled = 0;
    if let Some(path) = path {
        let mut reader = FilesReader::open(path, id, name)?;
        while let Some((sha, data)) = reader.next_file()? {
            if store.fill_blob(&sha, &data).await? {
                filled += 1;
            }
        }
    }
    let left = store.external_blobs().await?;
    if let Some((sha, key)) = left.first() {
        return Err(BackupError::content(
            id,
            name,
            format!(
                "{} file(s) of the restored database are not in the backup, e.g. {sha} (object {key})",
                left.len()
            ),
        ));
    }
    Ok(filled)
}
