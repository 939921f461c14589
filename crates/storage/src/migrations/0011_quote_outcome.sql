-- What became of an issued quote (accepted | declined, or none while open) and when it was
-- recorded; kept beside the issued document, which itself never changes.
ALTER TABLE documents ADD COLUMN outcome TEXT;
ALTER TABLE documents ADD COLUMN outcome_at TEXT;
