-- Indexes that let list pages skip to any page through the index alone (a deferred join
-- fetches only the 50 rows shown).
CREATE INDEX contacts_archived_name ON contacts (archived, name, id);
CREATE INDEX articles_active_name ON articles (active, name, id);
CREATE INDEX documents_status_type_id ON documents (status, doc_type, id);
-- Narrow (id, search) index: the unfiltered list and the text search scan it instead of the
-- wide table rows (lines and snapshots make a row several KB).
CREATE INDEX documents_id_search ON documents (id, search);
