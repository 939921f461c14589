-- Indexes that let list pages skip to any page through the index alone (a deferred join
-- fetches only the 50 rows shown).
CREATE INDEX contacts_archived_name ON contacts (archived, name, id);
CREATE INDEX articles_active_name ON articles (active, name, id);
CREATE INDEX documents_status_type_id ON documents (status, doc_type, id);
