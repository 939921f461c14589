-- Login security. Everything lives in the database so that several stateless
-- instances behind a load balancer see the same counters, lockouts, sessions and second factors.

-- Failed-login counters per account ("account:NAME") and per source ("source:IP").
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failure_at TEXT NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until TEXT
);

-- TOTP second factor (RFC 6238). A row with enabled = 0 is an enrolment not yet confirmed.
-- last_step stops a code from being used twice.
CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 0,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- One-time recovery codes, stored as SHA-256 hashes only.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- The step between a correct password and the second factor: a short-lived, hashed secret.
CREATE TABLE login_challenges (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);

-- Where a session was started from (shown on the "my sessions" page).
ALTER TABLE sessions ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
