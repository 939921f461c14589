//! Transport and login security over real sockets: TLS policy, certificate reload, the
//! redirect listener, trusted proxies, security headers and cookies, brute-force throttling,
//! session fixation and timeouts, CSRF, roles on pages and API, and two-factor login.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod login;
mod roles;
mod tls;
mod two_factor;

use kontor_server::Transport;

/// The text between `<code id="ID">` and `</code>`.
pub fn code_text(html: &str, id: &str) -> String {
    let marker = format!("<code id=\"{id}\">");
    let start = html.find(&marker).expect("element present") + marker.len();
    let end = html[start..].find("</code>").expect("closing tag") + start;
    html[start..end].to_string()
}

pub fn trusted_localhost() -> Transport {
    Transport {
        tls: false,
        trusted_proxies: vec!["127.0.0.1".parse().expect("address")],
    }
}
