//! Kontor's HTTP server: the web pages, the JSON API under `/api/v1`, health checks, and the
//! middleware around them (request ids, tracing, body limit, panics as JSON errors).

pub mod api;
pub mod auth;
pub mod cloud;
mod middleware;
pub mod monitoring;
pub mod operator;
pub mod tls;
pub mod transport;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use transport::{Transport, TrustedProxy};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use kontor_storage::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub monitoring: Arc<monitoring::Monitoring>,
    /// The backup schedule and records, when `kontor serve` makes backups.
    pub backups: Option<Arc<dyn kontor_web::backup_status::BackupStatus>>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            monitoring: Arc::default(),
            backups: None,
        }
    }

    /// Shows backups on the settings page and under `/api/v1/backups`.
    pub fn with_backups(
        mut self,
        backups: Arc<dyn kontor_web::backup_status::BackupStatus>,
    ) -> AppState {
        self.backups = Some(backups);
        self
    }

    /// Who may read `/metrics` and what else `/readyz` requires.
    pub fn with_monitoring(mut self, monitoring: monitoring::Monitoring) -> AppState {
        self.monitoring = Arc::new(monitoring);
        self
    }
}

/// Today's date where the business is (the server's local time zone).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The whole application: API, health checks and middleware, reached over plain HTTP directly.
pub fn app(state: AppState) -> Router {
    app_with(state, Transport::default())
}

/// The whole application for a given transport (TLS, trusted proxies).
pub fn app_with(state: AppState, transport: Transport) -> Router {
    let mut web = kontor_web::WebState::new(state.store.clone());
    web.backups = state.backups.clone();
    app_with_web(state, web, transport)
}

/// The whole application with explicit page settings (session and throttling policies).
pub fn app_with_web(state: AppState, web: kontor_web::WebState, transport: Transport) -> Router {
    let pages = kontor_web::router(web);
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(api::router(&state))
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(state);
    monitoring::install();
    let routes = routes
        .merge(pages)
        .layer(axum::middleware::from_fn(monitoring::track));
    middleware::wrap(routes).layer(axum::middleware::from_fn_with_state(
        Arc::new(transport),
        transport::normalize,
    ))
}

/// Serves plain HTTP until Ctrl-C or SIGTERM, then lets running requests finish.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_router(app(state), listener).await
}

/// Serves a finished router over plain HTTP (with client addresses).
pub async fn serve_router(
    router: Router,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

/// Serves a router over TLS on `listener`, with an optional plain-HTTP listener that only
/// redirects to HTTPS. Certificate and key are reloaded when the files change.
pub async fn serve_tls(
    router: Router,
    listener: std::net::TcpListener,
    files: tls::TlsFiles,
    redirect: Option<tokio::net::TcpListener>,
    reload_every: Duration,
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let https_port = listener.local_addr()?.port();
    let config = tls::load_and_watch(files, reload_every)?;
    let handle: axum_server::Handle<SocketAddr> = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    if let Some(redirect) = redirect {
        if let Ok(addr) = redirect.local_addr() {
            tracing::info!(%addr, "redirecting plain HTTP to HTTPS");
        }
        let redirector = Router::new()
            .fallback(transport::redirect_to_https)
            .with_state(https_port);
        tokio::spawn(async move {
            let _ = axum::serve(redirect, redirector)
                .with_graceful_shutdown(shutdown_signal())
                .await;
        });
    }
    tracing::info!(port = https_port, "listening (TLS)");
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    Ok(())
}

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Serves any of the applications (single business, or cloud mode's [`cloud::app`]) over
/// plain HTTP, with client addresses for the transport layer.
pub async fn serve_app(app: Router, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_router(app, listener).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready for traffic: the database answers, its schema is current, and every extra condition
/// (disk space) holds. The reason goes in the body of a 503.
async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    match state.store.ready().await {
        Ok(true) => {}
        Ok(false) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "database schema is not current",
            )
                .into_response();
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    }
    if let Some(reason) = state.monitoring.not_ready() {
        tracing::warn!(%reason, "not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

async fn metrics(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    monitoring::render(
        &state.monitoring.metrics,
        monitoring::peer(request.extensions()),
        request.headers(),
        monitoring::PoolUse::of(state.store.pool()),
    )
}
