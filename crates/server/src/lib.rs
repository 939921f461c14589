//! Kontor's HTTP server: puts the web pages, the JSON API under `/api/v1` and the health
//! checks of one business (or, in cloud mode, of many tenants) behind the common middleware
//! (request ids, tracing, body limit, security headers, panics as errors) and serves them over
//! plain HTTP or TLS.

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
use kontor_app::App;
use kontor_storage::security::ThrottlePolicy;
use kontor_storage::sessions::SessionPolicy;

/// How one business's application is served, besides its data.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// TLS and trusted proxies.
    pub transport: Transport,
    /// How long sessions last.
    pub sessions: SessionPolicy,
    /// How failed logins are slowed down and locked out.
    pub throttle: ThrottlePolicy,
    /// Who may read `/metrics`, and what else `/readyz` requires.
    pub monitoring: Arc<monitoring::Monitoring>,
}

impl ServerOptions {
    pub fn with_transport(mut self, transport: Transport) -> ServerOptions {
        self.transport = transport;
        self
    }

    pub fn with_monitoring(mut self, monitoring: monitoring::Monitoring) -> ServerOptions {
        self.monitoring = Arc::new(monitoring);
        self
    }
}

/// What the health checks reach.
#[derive(Clone)]
struct Health {
    app: App,
    monitoring: Arc<monitoring::Monitoring>,
}

/// The whole application of one business: pages, API, health checks and middleware.
pub fn router(app: App, options: ServerOptions) -> Router {
    let web = kontor_web::WebState {
        app: app.clone(),
        sessions: options.sessions,
        throttle: options.throttle,
        secure_cookies: false,
    };
    let pages = kontor_web::router(web.clone());
    let health = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(Health {
            app: app.clone(),
            monitoring: options.monitoring.clone(),
        });
    let routes = kontor_api::router(&app)
        .fallback(move |uri, headers| middleware::not_found(web.clone(), uri, headers))
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(app)
        .merge(health);
    monitoring::install();
    let routes = routes
        .merge(pages)
        .layer(axum::middleware::from_fn(monitoring::track));
    middleware::wrap(routes).layer(axum::middleware::from_fn_with_state(
        Arc::new(options.transport),
        transport::normalize,
    ))
}

/// An application bound to its address, ready to serve: what `kontor serve` runs and what the
/// tests start (port 0 picks a free port).
pub struct Application {
    router: Router,
    listener: tokio::net::TcpListener,
    address: SocketAddr,
}

impl Application {
    /// One business on `listen`.
    pub async fn build(
        app: App,
        options: ServerOptions,
        listen: SocketAddr,
    ) -> std::io::Result<Application> {
        Application::bind(router(app, options), listen).await
    }

    /// Any router (one business, or cloud mode's [`cloud::app`]) on `listen`.
    pub async fn bind(router: Router, listen: SocketAddr) -> std::io::Result<Application> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        Application::on(router, listener)
    }

    /// Any router on a listener bound already (`kontor serve` binds first, to report a busy
    /// port before it starts anything else).
    pub fn on(router: Router, listener: tokio::net::TcpListener) -> std::io::Result<Application> {
        let address = listener.local_addr()?;
        Ok(Application {
            router,
            listener,
            address,
        })
    }

    /// Where it listens (with the port chosen for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves plain HTTP until Ctrl-C or SIGTERM, then lets running requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        serve_router(self.router, self.listener).await
    }

    /// Serves TLS instead (see [`serve_tls`]).
    pub async fn run_tls(
        self,
        files: tls::TlsFiles,
        redirect: Option<tokio::net::TcpListener>,
        reload_every: Duration,
    ) -> Result<(), ServeError> {
        let listener = self.listener.into_std()?;
        serve_tls(self.router, listener, files, redirect, reload_every).await
    }
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
async fn readyz(State(state): State<Health>) -> axum::response::Response {
    match state.app.store().ready().await {
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
    State(state): State<Health>,
    request: axum::extract::Request,
) -> axum::response::Response {
    monitoring::render(
        &state.monitoring.metrics,
        monitoring::peer(request.extensions()),
        request.headers(),
        monitoring::PoolUse::of(state.app.store().pool()),
    )
}
