-- Content-addressed file store (logos, later archived PDFs and XML): the key is the SHA-256
-- of the bytes, so a stored file can never change under its key. Kept in the business's own
-- database (or schema), so its credentials guard the files and backups and replication cover them.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data {BLOB} NOT NULL,
    created_at TEXT NOT NULL
);
