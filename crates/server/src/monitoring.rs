//! `/metrics` (Prometheus text format), who may read it, the request metrics layer, and the
//! extra conditions of `/readyz`.
//!
//! Requests are counted by the *matched route template* (`/api/v1/documents/{id}`), never by
//! the raw path, so no id or tenant name ends up in a label. The Prometheus recorder is global
//! (one per process); everything recorded with the `metrics` crate anywhere (backups,
//! watchdog, storage) shows up here.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::TrustedProxy;

/// Latency buckets (seconds) for `kontor_http_request_duration_seconds`.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static REQUESTS: AtomicU64 = AtomicU64::new(0);
static SERVER_ERRORS: AtomicU64 = AtomicU64::new(0);

/// Installs the process-wide Prometheus recorder (once; later calls return the same handle).
/// `None` if another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("kontor_http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot install the metrics recorder");
                    None
                }
            }
        })
        .clone()
}

fn describe() {
    metrics::describe_counter!(
        "kontor_http_requests_total",
        "HTTP requests answered, by method, matched route and status"
    );
    metrics::describe_histogram!(
        "kontor_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request latency by method and matched route"
    );
    metrics::describe_counter!(
        "kontor_documents_issued_total",
        "Documents issued (numbered and locked), by type"
    );
    metrics::describe_gauge!(
        "kontor_db_pool_connections",
        "Database connections open, by state (idle, busy)"
    );
    metrics::describe_gauge!(
        "kontor_db_pool_max_connections",
        "Most database connections the pools may open"
    );
    metrics::describe_gauge!(
        "kontor_disk_free_bytes",
        "Bytes free for Kontor on the file system of a watched folder"
    );
    metrics::describe_gauge!(
        "kontor_tls_certificate_days_left",
        "Days until the served TLS certificate expires"
    );
    metrics::describe_gauge!(
        "kontor_replication_lag_seconds",
        "PostgreSQL: how far the furthest standby (or this standby) is behind"
    );
    metrics::describe_gauge!(
        "kontor_check_ok",
        "Watchdog finding by key: 1 healthy, 0 problem"
    );
}

/// Requests answered and of those with a 5xx status, since the process started.
pub fn request_counts() -> (u64, u64) {
    (
        REQUESTS.load(Ordering::Relaxed),
        SERVER_ERRORS.load(Ordering::Relaxed),
    )
}

/// Marks a response already counted by an inner application (cloud mode's tenant apps).
#[derive(Clone, Copy)]
struct Counted;

/// The layer that counts and times every request by its matched route.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let mut response = next.run(request).await;
    if response.extensions().get::<Counted>().is_some() {
        return response;
    }
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status();
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    if status.is_server_error() {
        SERVER_ERRORS.fetch_add(1, Ordering::Relaxed);
    }
    metrics::counter!(
        "kontor_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    metrics::histogram!(
        "kontor_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(started.elapsed().as_secs_f64());
    response.extensions_mut().insert(Counted);
    response
}

/// Who may read `/metrics`: clients connecting directly from `allow` (default: loopback
/// only), or anyone presenting the bearer token. Requests that came through a trusted proxy
/// (HAProxy) never count as "from an allowed address": the proxy's address says nothing about
/// the client, so they need the token.
#[derive(Clone)]
pub struct MetricsAccess {
    pub allow: Vec<TrustedProxy>,
    pub token: Option<Arc<str>>,
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            allow: vec![loopback_v4(), loopback_v6()],
            token: None,
            trusted_proxies: Vec::new(),
        }
    }
}

fn loopback_v4() -> TrustedProxy {
    "127.0.0.0/8"
        .parse()
        .unwrap_or_else(|_| unreachable!("a valid network"))
}

fn loopback_v6() -> TrustedProxy {
    "::1"
        .parse()
        .unwrap_or_else(|_| unreachable!("a valid address"))
}

impl MetricsAccess {
    /// Whether a request from `peer` with these headers may read the metrics.
    pub fn allows(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        if let Some(expected) = &self.token {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if constant_time_eq(presented.trim().as_bytes(), expected.as_bytes()) {
                return true;
            }
        }
        match peer {
            Some(ip) => {
                !self.trusted_proxies.iter().any(|p| p.contains(ip))
                    && self.allow.iter().any(|net| net.contains(ip))
            }
            None => false,
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || b.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A readiness condition beyond the database (e.g. disk space): `Some(reason)` when not ready.
pub type ReadinessProbe = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// The monitoring settings of a serving application.
#[derive(Clone, Default)]
pub struct Monitoring {
    pub metrics: MetricsAccess,
    pub readiness: Vec<ReadinessProbe>,
}

impl std::fmt::Debug for Monitoring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself.
        f.debug_struct("Monitoring")
            .field("metrics_allow", &self.metrics.allow)
            .field("metrics_token", &self.metrics.token.as_ref().map(|_| "***"))
            .field("readiness_probes", &self.readiness.len())
            .finish()
    }
}

impl Monitoring {
    /// The first reason the extra readiness conditions give, if any.
    pub fn not_ready(&self) -> Option<String> {
        self.readiness.iter().find_map(|probe| probe())
    }
}

/// Database pool use, for the gauges.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolUse {
    pub open: u64,
    pub idle: u64,
    pub max: u64,
}

impl std::ops::Add for PoolUse {
    type Output = PoolUse;

    fn add(self, other: PoolUse) -> PoolUse {
        PoolUse {
            open: self.open + other.open,
            idle: self.idle + other.idle,
            max: self.max + other.max,
        }
    }
}

impl PoolUse {
    pub fn of(pool: &sqlx::AnyPool) -> PoolUse {
        PoolUse {
            open: u64::from(pool.size()),
            idle: pool.num_idle() as u64,
            max: u64::from(pool.options().get_max_connections()),
        }
    }

    fn record(&self) {
        let busy = self.open.saturating_sub(self.idle);
        metrics::gauge!("kontor_db_pool_connections", "state" => "idle").set(self.idle as f64);
        metrics::gauge!("kontor_db_pool_connections", "state" => "busy").set(busy as f64);
        metrics::gauge!("kontor_db_pool_max_connections").set(self.max as f64);
    }
}

/// Answers `/metrics` after the access check, with the pool gauges refreshed.
pub fn render(
    access: &MetricsAccess,
    request_peer: Option<SocketAddr>,
    headers: &HeaderMap,
    pools: PoolUse,
) -> Response {
    if !access.allows(request_peer.map(|a| a.ip()), headers) {
        return (StatusCode::FORBIDDEN, "metrics are not public\n").into_response();
    }
    let Some(handle) = install() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed\n",
        )
            .into_response();
    };
    pools.record();
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The real TCP peer of a request (not what a proxy says).
pub fn peer(request_extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_by_address_or_token() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let none = HeaderMap::new();
        let access = MetricsAccess::default();
        assert!(access.allows(ip("127.0.0.1"), &none));
        assert!(access.allows(ip("::1"), &none));
        assert!(!access.allows(ip("192.0.2.7"), &none));
        assert!(!access.allows(None, &none));

        let proxied = MetricsAccess {
            token: Some("s3cret-token".into()),
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..MetricsAccess::default()
        };
        assert!(
            !proxied.allows(ip("127.0.0.1"), &none),
            "through the local proxy the client could be anyone"
        );
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            "Bearer s3cret-token".parse().unwrap(),
        );
        assert!(proxied.allows(ip("192.0.2.7"), &bearer));
        bearer.insert(
            header::AUTHORIZATION,
            "Bearer s3cret-tokem".parse().unwrap(),
        );
        assert!(!proxied.allows(ip("192.0.2.7"), &bearer));
    }
}
