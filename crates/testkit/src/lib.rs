//! Kontor's test kit: the one way tests start the application and the binary, talk to them,
//! and fill them with data.
//!
//! - [`TestApp`]: the app served by `kontor_server::Application::build` (what `kontor serve`
//!   runs) on 127.0.0.1 port 0, with a fresh database per test: SQLite in a temporary folder,
//!   or a schema of its own on the PostgreSQL server named by `KONTOR_TEST_DATABASE_URL`.
//!   [`Spawn`] tunes the server options, the clock, the backup status and TLS.
//! - [`Api`]: the JSON API with a bearer token; [`Reply`] is status plus JSON.
//! - [`Browser`]: a cookie jar without redirects that logs in and reads CSRF tokens from pages.
//! - [`fixtures`]: a complete company, contacts, articles, drafts and issued invoices.
//! - [`Kontor`] and [`Binary`]: the built `kontor` binary, its subcommands, and `kontor serve`
//!   on a free port.
//! - [`cloud`]: cloud installations on PostgreSQL and cloud mode served.
//! - [`dovecot`]: a real IMAP server (Debian's dovecot) on 127.0.0.1 for the mailbox tests.
//!
//! Test code only: list it under `[dev-dependencies]`, never under `[dependencies]`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test kit: a set-up that fails stops the test at once, with the reason"
)]

mod api;
mod app;
mod binary;
mod browser;
pub mod cloud;
pub mod db;
pub mod dovecot;
pub mod fixtures;
pub mod tls;

pub use api::{Api, Reply};
pub use app::{Spawn, TestApp, TlsServer, new_token};
pub use binary::{Binary, Kontor, Run, Server, free_port};
pub use browser::{Browser, csrf_of, location, set_cookies};
pub use db::{DataDir, TestStore, postgres_url, unique_schema};

use kontor_app::Clock;
use serde_json::Value;

/// The password of every user the kit creates.
pub const PASSWORD: &str = "a long enough passphrase";

/// Today on the machine's clock, as the API writes dates (`YYYY-MM-DD`).
pub fn today() -> String {
    kontor_app::SystemClock
        .today()
        .format("%Y-%m-%d")
        .to_string()
}

/// This year on the machine's clock (`YYYY`), as in document numbers.
pub fn year() -> String {
    kontor_app::SystemClock.today().format("%Y").to_string()
}

/// The `id` of a JSON object.
#[track_caller]
pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}
