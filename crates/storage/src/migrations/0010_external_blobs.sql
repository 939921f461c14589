-- Files kept outside the database, for large installations: with `--blob-store s3://…`
-- new files are written to an S3-compatible bucket first, then their row here with the
-- object's key in `external_key` and an empty `data`. NULL means the bytes are in `data`
-- (the default, and every row written before this migration), so installations can mix both.
ALTER TABLE blobs ADD COLUMN external_key TEXT
