-- Idempotency keys: a client that retries a create after a lost answer sends the same
-- `Idempotency-Key` and gets the first answer back instead of a second record. The key and the
-- answer are written in the same transaction as the record, so either both exist or neither.
-- Keys belong to one user of this tenant and expire after 24 hours.
CREATE TABLE idempotency_keys (
    id {ID},
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (user_id, created_at);
