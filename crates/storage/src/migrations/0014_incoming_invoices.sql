-- Received invoices (payables): the original file as it arrived (a blob, written once: GoBD),
-- what was read from it and the checker's findings at receipt, and its way from received
-- to paid. Amounts in cents of the invoice's currency, as for outgoing documents.
CREATE TABLE incoming_invoices (
    id {ID},
    status TEXT NOT NULL,
    format TEXT NOT NULL,
    valid BIGINT NOT NULL,
    original_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    xml_sha256 TEXT REFERENCES blobs(sha256),
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    seller_name TEXT NOT NULL,
    seller_vat_id TEXT NOT NULL,
    seller_iban TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts(id),
    number TEXT NOT NULL,
    issue_date TEXT,
    due_date TEXT,
    skonto_date TEXT,
    skonto_cents BIGINT,
    currency TEXT NOT NULL,
    credit_note BIGINT NOT NULL,
    net_cents BIGINT,
    vat_cents BIGINT,
    gross_cents BIGINT,
    due_cents BIGINT,
    paid_cents BIGINT NOT NULL,
    findings TEXT NOT NULL,
    invoice TEXT,
    checker_version TEXT NOT NULL,
    duplicate_of BIGINT REFERENCES incoming_invoices(id),
    reject_reason TEXT NOT NULL,
    search TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_by TEXT NOT NULL,
    approved_at TEXT,
    approved_by TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX incoming_status_due ON incoming_invoices (status, due_date, id);
CREATE INDEX incoming_received ON incoming_invoices (received_at, id);
CREATE INDEX incoming_original ON incoming_invoices (original_sha256);
CREATE INDEX incoming_supplier_number ON incoming_invoices (seller_vat_id, number);
CREATE INDEX incoming_source ON incoming_invoices (source, source_ref);

-- Payments of received invoices; a wrong one is reversed by its opposite, never deleted.
CREATE TABLE incoming_payments (
    id {ID},
    incoming_id BIGINT NOT NULL REFERENCES incoming_invoices(id),
    paid_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    method TEXT NOT NULL,
    note TEXT NOT NULL,
    reverses_id BIGINT REFERENCES incoming_payments(id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX incoming_payments_invoice ON incoming_payments (incoming_id);
CREATE UNIQUE INDEX incoming_payments_reverses ON incoming_payments (reverses_id);
