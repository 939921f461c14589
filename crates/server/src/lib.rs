//! Kontor's HTTP server: the web pages, the JSON API under `/api/v1`, health checks, and the
//! middleware around them (request ids, tracing, body limit, panics as JSON errors).

pub mod api;
pub mod auth;
pub mod cloud;
mod middleware;
pub mod operator;

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
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState { store }
    }
}

/// Today's date where the business is (the server's local time zone).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The whole application: API, health checks and middleware.
pub fn app(state: AppState) -> Router {
    let pages = kontor_web::router(kontor_web::WebState::new(state.store.clone()));
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(api::router(&state))
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(state);
    middleware::wrap(routes.merge(pages))
}

/// Serves until Ctrl-C or SIGTERM, then lets running requests finish.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_app(app(state), listener).await
}

/// Serves any of the applications (single business, or cloud mode's [`cloud::app`]).
pub async fn serve_app(app: Router, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
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

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ready().await {
        Ok(true) => (StatusCode::OK, "ready"),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database schema is not current",
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
