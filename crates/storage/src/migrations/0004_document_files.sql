-- The archived originals of issued documents (PDF, XRechnung UBL/CII): written once, never
-- replaced, so a later download returns exactly the bytes produced at issue (GoBD).
CREATE TABLE document_files (
    document_id BIGINT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, kind)
);
