-- Kontor schema, version 1. Written once for SQLite and PostgreSQL:
-- {ID} becomes the dialect's auto-increment primary key, {BLOB} its byte type.
-- Money that SQL sums is stored as integer cents; every other decimal as exact text.

CREATE TABLE company (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE users (
    id {ID},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'de',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE number_ranges (
    range_key TEXT PRIMARY KEY,
    pattern TEXT NOT NULL,
    reset_rule TEXT NOT NULL,
    first_counter BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE number_counters (
    range_key TEXT NOT NULL,
    period TEXT NOT NULL,
    last_counter BIGINT NOT NULL,
    PRIMARY KEY (range_key, period)
);

CREATE TABLE contacts (
    id {ID},
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT NOT NULL,
    search TEXT NOT NULL,
    data TEXT NOT NULL,
    archived BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_name ON contacts (name);

CREATE TABLE articles (
    id {ID},
    number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    vat_rate TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    search TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_name ON articles (name);

CREATE TABLE documents (
    id {ID},
    doc_type TEXT NOT NULL,
    status TEXT NOT NULL,
    number TEXT UNIQUE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    doc_date TEXT NOT NULL,
    delivery_date TEXT,
    due_date TEXT,
    tax_mode TEXT NOT NULL,
    currency TEXT NOT NULL,
    language TEXT NOT NULL,
    discount_percent TEXT NOT NULL,
    prepaid_amount TEXT NOT NULL,
    subject TEXT NOT NULL,
    intro_text TEXT NOT NULL,
    closing_text TEXT NOT NULL,
    lines TEXT NOT NULL,
    source_id BIGINT REFERENCES documents(id),
    corrects_id BIGINT REFERENCES documents(id),
    cancelled_by_id BIGINT REFERENCES documents(id),
    net_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    gross_cents BIGINT NOT NULL,
    due_cents BIGINT NOT NULL,
    paid_cents BIGINT NOT NULL DEFAULT 0,
    seller_snapshot TEXT,
    buyer_snapshot TEXT,
    search TEXT NOT NULL,
    issued_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX documents_type_id ON documents (doc_type, id);
CREATE INDEX documents_contact ON documents (contact_id, id);
CREATE INDEX documents_status ON documents (status, doc_type, due_date);
CREATE INDEX documents_source ON documents (source_id);
CREATE INDEX documents_date ON documents (doc_date);

CREATE TABLE payments (
    id {ID},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    paid_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    method TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX payments_document ON payments (document_id);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);

INSERT INTO number_ranges (range_key, pattern, reset_rule, first_counter) VALUES
    ('quote', 'AN-{YYYY}-{N:4}', 'yearly', 1),
    ('order_confirmation', 'AB-{YYYY}-{N:4}', 'yearly', 1),
    ('delivery_note', 'LS-{YYYY}-{N:4}', 'yearly', 1),
    ('invoice', 'RE-{YYYY}-{N:4}', 'yearly', 1),
    ('down_payment_invoice', 'AR-{YYYY}-{N:4}', 'yearly', 1),
    ('credit_note', 'GS-{YYYY}-{N:4}', 'yearly', 1),
    ('cancellation', 'ST-{YYYY}-{N:4}', 'yearly', 1),
    ('customer', 'K{N:5}', 'never', 10001),
    ('supplier', 'L{N:5}', 'never', 70001),
    ('article', 'A{N:5}', 'never', 1);
