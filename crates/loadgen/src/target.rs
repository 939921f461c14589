//! Where load may go: only a server on 127.0.0.1, over plain HTTP.
//! Database URLs for seeding are held to the loopback interface as well.

use anyhow::{Result, bail};
use reqwest::Url;

/// Parses the base URL of the server and refuses anything but `http://127.0.0.1[:port]`.
pub fn loopback_base(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|e| anyhow::anyhow!("invalid URL {url:?}: {e}"))?;
    if parsed.scheme() != "http" {
        bail!("refusing {url:?}: only http://127.0.0.1 targets are allowed");
    }
    if parsed.host_str() != Some("127.0.0.1") {
        bail!("refusing {url:?}: only the loopback address 127.0.0.1 may be targeted");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!("refusing {url:?}: credentials in the URL are not supported; use --token");
    }
    let mut base = parsed;
    base.set_query(None);
    base.set_fragment(None);
    let trimmed = base.path().trim_end_matches('/').to_string();
    base.set_path(&trimmed);
    Ok(base)
}

/// Joins an API path (starting with `/`) onto the base URL.
pub fn endpoint(base: &Url, path: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path)
}

/// Accepts SQLite URLs and PostgreSQL URLs whose host is the loopback interface.
pub fn check_database_url(url: &str) -> Result<()> {
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("unsupported database URL (sqlite: or postgres:// only)");
    }
    let parsed = Url::parse(url).map_err(|e| anyhow::anyhow!("invalid database URL: {e}"))?;
    match parsed.host_str() {
        Some("127.0.0.1") | Some("localhost") | Some("[::1]") => Ok(()),
        // No host: a unix socket on this machine.
        None | Some("") => Ok(()),
        Some(other) => {
            bail!("refusing database host {other:?}: the benchmark only talks to this machine")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_only() {
        let base = loopback_base("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            endpoint(&base, "/api/v1/documents"),
            "http://127.0.0.1:8080/api/v1/documents"
        );
        let base = loopback_base("http://127.0.0.1:9/prefix/").unwrap();
        assert_eq!(
            endpoint(&base, "/healthz"),
            "http://127.0.0.1:9/prefix/healthz"
        );
        for bad in [
            "http://localhost:8080",
            "http://10.0.0.1:8080",
            "http://192.168.1.2",
            "https://127.0.0.1:8443",
            "http://example.com",
            "http://127.0.0.2:8080",
            "http://[::1]:8080",
            "http://user:pw@127.0.0.1:8080",
            "127.0.0.1:8080",
        ] {
            assert!(loopback_base(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn database_urls() {
        assert!(check_database_url("sqlite:///tmp/x/kontor.db?mode=rwc").is_ok());
        assert!(check_database_url("postgres://postgres@127.0.0.1:5432/postgres").is_ok());
        assert!(check_database_url("postgresql://u:p@localhost/db").is_ok());
        assert!(check_database_url("postgres://u@db.example.com/db").is_err());
        assert!(check_database_url("postgres://u@10.1.2.3/db").is_err());
        assert!(check_database_url("mysql://x").is_err());
    }
}
