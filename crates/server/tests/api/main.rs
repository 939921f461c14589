//! Integration tests of the JSON API: the real app on 127.0.0.1 port 0, a fresh store per test
//! (SQLite, or PostgreSQL when KONTOR_TEST_DATABASE_URL is set), HTTP through reqwest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod articles;
mod auth;
mod company;
mod contacts;
mod documents;
mod einvoice;
mod errors;
mod idempotency;
mod incoming;
mod lists;
mod mailbox;
mod monitoring;
mod numbers;
mod openapi;
mod payments;
mod pdf;
