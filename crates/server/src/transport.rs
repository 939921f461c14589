//! Who is on the other end of a request and whether it came over TLS: the peer address, or
//! `X-Forwarded-For` / `X-Forwarded-Proto` when (and only when) the peer is a trusted proxy.
//!
//! Every request leaves this layer with exactly one `x-forwarded-for` (the client address) and
//! one `x-forwarded-proto` (`https` or `http`) that the pages rely on; whatever a client sent
//! in those headers itself is dropped. An HTTP/2 request's `:authority` becomes its `Host`.
//! HTTPS responses get HSTS.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// HSTS for one year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// An address or network (`10.0.0.0/8`, `::1`) whose `X-Forwarded-*` headers are believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

impl FromStr for TrustedProxy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr
            .parse()
            .map_err(|_| format!("trusted proxy {s:?}: not an IP address or network"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("trusted proxy {s:?}: prefix must be 0 to {max}"))?,
            None => max,
        };
        Ok(TrustedProxy { net, prefix })
    }
}

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// How this instance is reached.
#[derive(Debug, Clone, Default)]
pub struct Transport {
    /// Kontor terminates TLS itself.
    pub tls: bool,
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl Transport {
    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|p| p.contains(ip))
    }

    /// The client address and whether the client's connection is TLS.
    pub fn client(&self, peer: Option<IpAddr>, headers: &axum::http::HeaderMap) -> (String, bool) {
        let Some(peer) = peer else {
            return ("unknown".into(), self.tls);
        };
        if !self.trusted(peer) {
            return (peer.to_string(), self.tls);
        }
        // The rightmost address that is not one of our proxies is the client.
        let chain: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        let client = chain
            .iter()
            .rev()
            .find(|ip| !self.trusted(**ip))
            .or(chain.first())
            .copied()
            .unwrap_or(peer);
        let https = self.tls
            || headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        (client.to_string(), https)
    }
}

/// The layer: normalises the forwarded headers and adds HSTS to HTTPS responses.
pub async fn normalize(
    State(transport): State<Arc<Transport>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let (client, https) = transport.client(peer, request.headers());
    // HTTP/2 and HTTP/3 name the host in the :authority pseudo-header, which hyper puts into
    // the URI, and browsers send no Host header there. The pages (the same-origin check, the
    // tenant by host name, redirects) read Host, so it is filled in from the authority.
    let authority = request
        .uri()
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok());
    let headers = request.headers_mut();
    if let Some(authority) = authority
        && !headers.contains_key(header::HOST)
    {
        headers.insert(header::HOST, authority);
    }
    headers.remove("x-forwarded-for");
    headers.remove("x-forwarded-proto");
    if let Ok(v) = HeaderValue::from_str(&client) {
        headers.insert("x-forwarded-for", v);
    }
    headers.insert(
        "x-forwarded-proto",
        HeaderValue::from_static(if https { "https" } else { "http" }),
    );
    let mut response = next.run(request).await;
    if https {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// The plain-HTTP listener's only answer: a permanent redirect to the same path over HTTPS.
pub async fn redirect_to_https(
    State(https_port): State<u16>,
    headers: axum::http::HeaderMap,
    uri: Uri,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| {
            // Drop the port (also after an IPv6 literal like [::1]:8080).
            match h.rfind(':') {
                Some(i) if !h[i..].contains(']') => &h[..i],
                _ => h,
            }
        })
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c))
        });
    let Some(host) = host else {
        return (StatusCode::BAD_REQUEST, "missing or invalid Host header").into_response();
    };
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/");
    Redirect::permanent(&format!("https://{host}{port}{path}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks() {
        let p: TrustedProxy = "10.0.0.0/8".parse().unwrap();
        assert!(p.contains(ip("10.1.2.3")));
        assert!(!p.contains(ip("11.0.0.1")));
        assert!(p.contains(ip("::ffff:10.0.0.1")));
        let one: TrustedProxy = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")) && !one.contains(ip("::2")));
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("proxy.local".parse::<TrustedProxy>().is_err());
    }

    #[test]
    fn forwarded_headers_only_from_trusted_proxies() {
        let t = Transport {
            tls: false,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        };
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9"),
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        // From the proxy: the rightmost untrusted address, and its scheme.
        assert_eq!(
            t.client(Some(ip("127.0.0.1")), &h),
            ("203.0.113.9".to_string(), true)
        );
        // From anyone else: the headers are ignored.
        assert_eq!(
            t.client(Some(ip("198.51.100.7")), &h),
            ("198.51.100.7".to_string(), false)
        );
    }
}
