//! A tenant's data handed back (GDPR, end of contract): every table as JSON and CSV and every
//! archived file, in one ZIP. PostgreSQL only (cloud tenants); runs as the tenant's own role.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::{Backend, Store};

/// Tables left out: live login sessions are no data of the business.
const SKIPPED_TABLES: &[&str] = &["sessions"];
/// Columns left out: secrets' hashes serve nobody outside this installation.
const SKIPPED_COLUMNS: &[&str] = &["password_hash", "token_hash", "id_hash", "csrf_token"];

impl Store {
    /// The ZIP of everything in this store (see the module comment).
    pub async fn export_zip(&self) -> Result<Vec<u8>> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::invalid(
                "database",
                "the tenant export works on PostgreSQL (cloud mode); back up the SQLite file instead",
            ));
        }
        let mut zip = ZipWriter::default();
        let mut manifest = serde_json::Map::new();
        let tables: Vec<String> = sqlx::query(
            "SELECT CAST(tablename AS TEXT) AS tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("tablename"))
        .collect::<std::result::Result<_, _>>()?;
        let drop_columns: String = SKIPPED_COLUMNS
            .iter()
            .map(|c| format!(" - '{c}'"))
            .collect();
        let mut counts = serde_json::Map::new();
        for table in tables
            .iter()
            .filter(|t| !SKIPPED_TABLES.contains(&t.as_str()))
        {
            if !crate::db::is_safe_identifier(table) {
                continue;
            }
            let sql = if table == "blobs" {
                "SELECT CAST(to_jsonb(t) - 'data' - 'external_key' AS TEXT) AS j FROM blobs t ORDER BY sha256"
                    .to_string()
            } else {
                format!(
                    "SELECT CAST(to_jsonb(t){drop_columns} AS TEXT) AS j FROM {table} t ORDER BY 1"
                )
            };
            let rows: Vec<serde_json::Value> = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("j")?)?))
                .collect::<Result<_>>()?;
            counts.insert(table.clone(), rows.len().into());
            zip.add(
                &format!("tables/{table}.json"),
                &serde_json::to_vec_pretty(&rows)?,
            )?;
            zip.add(&format!("tables/{table}.csv"), csv(&rows).as_bytes())?;
        }
        manifest.insert("tables".into(), counts.into());
        // Archived originals under their document, other files (logo) under their hash.
        let files = sqlx::query(
            "SELECT b.sha256, b.content_type, b.data, b.external_key, f.document_id, f.kind FROM blobs b \
             LEFT JOIN document_files f ON f.sha256 = b.sha256 ORDER BY b.sha256, f.document_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut listed = Vec::new();
        for row in &files {
            let sha: String = row.try_get("sha256")?;
            let content_type: String = row.try_get("content_type")?;
            let external: Option<String> = row.try_get("external_key")?;
            let data: Vec<u8> = match &external {
                // Kept in the blob store: fetched and checked there.
                Some(object) => self.fetch_external(&sha, object).await?,
                None => row.try_get("data")?,
            };
            if hex::encode(Sha256::digest(&data)) != sha {
                return Err(StoreError::Corrupt(format!(
                    "file {sha} does not match its hash"
                )));
            }
            let ext = match content_type.as_str() {
                "application/pdf" => "pdf",
                t if t.contains("xml") => "xml",
                "image/png" => "png",
                "image/jpeg" => "jpg",
                "image/svg+xml" => "svg",
                _ => "bin",
            };
            let document: Option<i64> = row.try_get("document_id")?;
            let kind: Option<String> = row.try_get("kind")?;
            let name = match (document, kind) {
                (Some(d), Some(k)) if crate::db::is_safe_identifier(&k.replace('-', "_")) => {
                    format!("files/documents/{d}-{k}.{ext}")
                }
                _ => format!("files/other/{sha}.{ext}"),
            };
            zip.add(&name, &data)?;
            listed.push(
                serde_json::json!({"file": name, "sha256": sha, "content_type": content_type}),
            );
        }
        manifest.insert("files".into(), listed.into());
        manifest.insert(
            "schema_version".into(),
            crate::migrate::current_version(&self.pool).await?.into(),
        );
        manifest.insert("exported_at".into(), crate::util::now().into());
        zip.add("manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;
        zip.finish()
    }
}

/// Rows as CSV: one column per key of the first row; nested values as JSON text.
fn csv(rows: &[serde_json::Value]) -> String {
    let Some(serde_json::Value::Object(first)) = rows.first() else {
        return String::new();
    };
    let columns: Vec<&String> = first.keys().collect();
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for row in rows {
        let line = columns
            .iter()
            .map(|c| match row.get(c.as_str()) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => field(s),
                Some(other) => field(&other.to_string()),
            })
            .collect::<Vec<_>>()
            .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

/// A minimal ZIP writer: stored (uncompressed) entries, UTF-8 names, no ZIP64 (≤ 4 GiB).
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl ZipWriter {
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<()> {
        let too_big = || StoreError::invalid("export", "too large for a ZIP without ZIP64");
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        self.entries = self.entries.checked_add(1).ok_or_else(too_big)?;
        let crc = crc32fast::hash(data);
        // DOS date 1980-01-01 00:00: the export's time is in the manifest.
        let (time, date) = (0u16, 0x21u16);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::with_capacity(46 + name.len());
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&time.to_le_bytes());
            h.extend_from_slice(&date.to_le_bytes());
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&name_len.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        self.out.extend_from_slice(&header(0x0403_4b50, false));
        self.out.extend_from_slice(data);
        self.central.extend_from_slice(&header(0x0201_4b50, true));
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>> {
        let too_big = || StoreError::invalid("export", "too large for a ZIP without ZIP64");
        let offset = u32::try_from(self.out.len()).map_err(|_| too_big())?;
        let size = u32::try_from(self.central.len()).map_err(|_| too_big())?;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let rows = vec![serde_json::json!({"a": "x,y", "b": 1, "c": null, "d": "say \"hi\""})];
        assert_eq!(csv(&rows), "a,b,c,d\r\n\"x,y\",1,,\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn zip_layout() {
        let mut z = ZipWriter::default();
        z.add("a.txt", b"hello").unwrap();
        let bytes = z.finish().unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        // Local header (30 + 5) + data (5), then the central directory, then the end record.
        assert_eq!(&bytes[40..44], b"PK\x01\x02");
        let end = &bytes[bytes.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 1);
        assert_eq!(u32::from_le_bytes([end[16], end[17], end[18], end[19]]), 40);
        assert_eq!(
            u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]),
            crc32fast::hash(b"hello")
        );
    }
}
