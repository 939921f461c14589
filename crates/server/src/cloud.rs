//! Cloud mode: many tenants on one PostgreSQL. Each request is routed to its tenant's own
//! application, whose store is connected as that tenant's database role, so a request can only
//! ever reach the data of the tenant it was routed to: sessions and API tokens are looked up in
//! that tenant's schema, so a cookie or token of tenant A means nothing at tenant B.
//!
//! The tenant comes from the host name (`TENANT.example.com` under the configured base domain),
//! else from the `X-Kontor-Tenant` header (API clients), else from the tenant cookie that the
//! login form with a tenant field sets. `/operator/v1` is the operator API (when configured). Tenants' pools are small, opened on demand, dropped
//! when idle, and at most `max_open_tenants` are open at once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_storage::Store;
use kontor_storage::tenants::{Directory, Tenant, TenantPool, TenantState};
use kontor_web::tenant as pages;
use tower::Service;

use kontor_api::error::ApiError;
use kontor_app::App;

/// How cloud mode serves.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// `example.com` routes `acme.example.com` to tenant `acme`; `None` uses only the login
    /// form's tenant field (and the header for API clients).
    pub base_domain: Option<String>,
    pub pool: TenantPool,
    /// At most this many tenants have a pool at once (the least recently used is dropped).
    pub max_open_tenants: usize,
    /// A tenant's pool is dropped after this long without requests.
    pub idle_evict: Duration,
    pub secure_cookies: bool,
    /// Trusted proxies (HAProxy) whose X-Forwarded-* the tenants' apps believe.
    pub transport: crate::Transport,
    /// Who may read `/metrics`, and what else `/readyz` requires.
    pub monitoring: crate::monitoring::Monitoring,
    /// Own document templates: the budget of one compilation, one at a time per tenant, and
    /// how many at once for all tenants together.
    pub templates: kontor_app::TemplateBudget,
    /// How often the instance looks whether a tenant's mailbox of received invoices is due
    /// (each tenant's own `interval_minutes` decides whether it is); zero turns the rounds off.
    pub mailbox_tick: Duration,
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig {
            base_domain: None,
            pool: TenantPool::default(),
            max_open_tenants: 200,
            idle_evict: Duration::from_secs(120),
            secure_cookies: false,
            transport: crate::Transport::default(),
            monitoring: crate::monitoring::Monitoring::default(),
            templates: kontor_app::TemplateBudget::default(),
            mailbox_tick: kontor_app::incoming::mailbox::schedule::TICK,
        }
    }
}

struct OpenTenant {
    app: Router,
    store: Store,
    last_used: Instant,
}

/// The tenants this instance serves, and their open applications.
pub struct Cloud {
    directory: Directory,
    config: CloudConfig,
    open: Mutex<HashMap<i64, OpenTenant>>,
    opening: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    swept: Mutex<HashSet<i64>>,
    /// The instance-wide turns of own-template compilations, shared by every tenant's app.
    template_turns: kontor_app::InstanceTurns,
}

/// Where the tenant of a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Host,
    Header,
    Cookie,
    LoginForm,
}

impl Cloud {
    pub fn new(directory: Directory, config: CloudConfig) -> Arc<Cloud> {
        let template_turns = config.templates.instance_turns();
        let cloud = Arc::new(Cloud {
            directory,
            template_turns,
            config,
            open: Mutex::new(HashMap::new()),
            opening: Mutex::new(HashMap::new()),
            swept: Mutex::new(HashSet::new()),
        });
        let weak = Arc::downgrade(&cloud);
        tokio::spawn(evict_idle(weak.clone()));
        if !cloud.config.mailbox_tick.is_zero() {
            tokio::spawn(mailbox_rounds(weak, cloud.config.mailbox_tick));
        }
        cloud
    }

    /// Reads every active tenant's mailbox that is set up and due, one tenant after the other,
    /// each through a store of its own (one connection, as the tenant's role, closed after),
    /// so that the rounds neither keep tenants' pools open nor take the requests' connections.
    /// Several instances share the work through the lease in each tenant's settings. Returns
    /// how many mailboxes were read.
    pub async fn poll_mailboxes_once(&self) -> usize {
        let tenants = match self.directory.list().await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "mailbox rounds: cannot list the tenants");
                return 0;
            }
        };
        let pool = TenantPool {
            max_connections: 1,
            idle_timeout: Duration::from_secs(30),
        };
        let mut runs = 0;
        for tenant in tenants.iter().filter(|t| t.state == TenantState::Active) {
            let store = match self.directory.open(tenant, pool).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(tenant = %tenant.slug, error = %e, "mailbox rounds: cannot open the tenant");
                    continue;
                }
            };
            let app = App::new(store.clone());
            if kontor_app::incoming::mailbox::schedule::poll_if_due(&app).await {
                tracing::info!(tenant = %tenant.slug, "read the mailbox of received invoices");
                runs += 1;
            }
            store.close().await;
        }
        runs
    }

    /// How many tenants have an open pool now.
    pub fn open_tenants(&self) -> usize {
        self.open.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Connections of the control pool and every open tenant pool together.
    pub fn pool_use(&self) -> crate::monitoring::PoolUse {
        let control = crate::monitoring::PoolUse::of(self.directory.pool());
        self.open
            .lock()
            .map(|open| {
                open.values().fold(control, |sum, o| {
                    sum + crate::monitoring::PoolUse::of(o.store.pool())
                })
            })
            .unwrap_or(control)
    }

    fn cached(&self, id: i64) -> Option<Router> {
        let mut open = self.open.lock().ok()?;
        let entry = open.get_mut(&id)?;
        entry.last_used = Instant::now();
        Some(entry.app.clone())
    }

    fn forget(&self, id: i64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
    }

    /// The tenant's application, opening its pool on first use.
    async fn app(&self, tenant: &Tenant) -> Result<Router, kontor_storage::StoreError> {
        if let Some(app) = self.cached(tenant.id) {
            return Ok(app);
        }
        // One opening per tenant at a time; others wait for it instead of opening pools too.
        let gate = {
            let mut opening = self.opening.lock().unwrap_or_else(|e| e.into_inner());
            opening.entry(tenant.id).or_default().clone()
        };
        let _turn = gate.lock().await;
        if let Some(app) = self.cached(tenant.id) {
            return Ok(app);
        }
        let store = self.directory.open(tenant, self.config.pool).await?;
        let app = App::new(store.clone())
            .with_backups(Arc::new(kontor_app::backups::Hosted))
            .with_template_budget(&self.config.templates, self.template_turns.clone());
        self.sweep_once(tenant, &app);
        let options = crate::ServerOptions {
            transport: self.config.transport.clone(),
            ..crate::ServerOptions::default()
        };
        let app = crate::router(app, options);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while open.len() >= self.config.max_open_tenants.max(1) {
            // Dropping the entry drops the pool once running requests are done with it.
            let Some(oldest) = open
                .iter()
                .min_by_key(|(_, o)| o.last_used)
                .map(|(id, _)| *id)
            else {
                break;
            };
            open.remove(&oldest);
        }
        open.insert(
            tenant.id,
            OpenTenant {
                app: app.clone(),
                store,
                last_used: Instant::now(),
            },
        );
        Ok(app)
    }

    /// Archives files of issued documents that a crash left unarchived, once per tenant and
    /// process (write-once inserts make a second instance doing the same harmless).
    fn sweep_once(&self, tenant: &Tenant, app: &App) {
        let first = self
            .swept
            .lock()
            .map(|mut s| s.insert(tenant.id))
            .unwrap_or(false);
        if !first {
            return;
        }
        let (app, slug) = (app.clone(), tenant.slug.clone());
        tokio::spawn(async move {
            match kontor_app::documents::archive_missing(&app, "pdf").await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tenant = %slug, documents = n, "archived missing PDFs"),
                Err(e) => tracing::warn!(tenant = %slug, error = %e, "cannot archive missing PDFs"),
            }
        });
    }

    /// The slug named by the host, if the host is a tenant's name under the base domain.
    fn host_slug(&self, headers: &HeaderMap, request: &Request) -> Option<String> {
        let base = self.config.base_domain.as_deref()?;
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().host())?;
        let host = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let label = host.strip_suffix(base)?.strip_suffix('.')?;
        (!label.is_empty() && !label.contains('.')).then(|| label.to_string())
    }
}

/// Every `tick`: the tenants' mailboxes that are due (see [`Cloud::poll_mailboxes_once`]).
async fn mailbox_rounds(cloud: Weak<Cloud>, tick: Duration) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let Some(cloud) = cloud.upgrade() else { return };
        cloud.poll_mailboxes_once().await;
    }
}

/// Drops the pools of tenants without requests for `idle_evict`.
async fn evict_idle(cloud: Weak<Cloud>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let Some(cloud) = cloud.upgrade() else { return };
        let idle = cloud.config.idle_evict;
        if let Ok(mut open) = cloud.open.lock() {
            open.retain(|_, o| o.last_used.elapsed() < idle);
        }
        if let Ok(mut opening) = cloud.opening.lock() {
            opening.retain(|_, gate| Arc::strong_count(gate) > 1);
        }
    }
}

/// The application of a cloud instance: health checks, the tenant-less login form, and every
/// other request handed to its tenant's application.
pub fn app(cloud: Arc<Cloud>, operator: Option<crate::operator::Operator>) -> Router {
    let operator = match operator {
        Some(op) => Router::new().nest("/operator/v1", crate::operator::router(op)),
        None => Router::new(),
    };
    let tenants = Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
        .merge(pages::static_router())
        .fallback(dispatch)
        .with_state(cloud);
    crate::monitoring::install();
    // Tenants' own applications count their requests; this counts the rest.
    operator
        .merge(tenants)
        .layer(axum::middleware::from_fn(crate::monitoring::track))
}

async fn readyz(State(cloud): State<Arc<Cloud>>) -> Response {
    match cloud.directory.ready().await {
        Ok(true) => {}
        Ok(false) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "control schema is not current",
            )
                .into_response();
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    }
    if let Some(reason) = cloud.config.monitoring.not_ready() {
        tracing::warn!(%reason, "not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

async fn metrics(State(cloud): State<Arc<Cloud>>, request: Request) -> Response {
    metrics::gauge!("kontor_cloud_open_tenants").set(cloud.open_tenants() as f64);
    crate::monitoring::render(
        &cloud.config.monitoring.metrics,
        crate::monitoring::peer(request.extensions()),
        request.headers(),
        cloud.pool_use(),
    )
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn unknown_tenant(headers: &HeaderMap, path: &str) -> Response {
    if is_api(path) {
        ApiError::not_found("tenant").into_response()
    } else {
        pages::unknown(headers)
    }
}

/// Login form fields, read when the tenant comes from the form.
fn form_field(body: &[u8], name: &str) -> String {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == name).map(|(_, v)| v))
        .unwrap_or_default()
}

async fn dispatch(State(cloud): State<Arc<Cloud>>, request: Request) -> Response {
    let headers = request.headers().clone();
    let path = request.uri().path().to_string();
    let method = request.method().clone();

    let (slug, source) = if let Some(slug) = cloud.host_slug(&headers, &request) {
        (slug, Source::Host)
    } else if let Some(slug) = headers
        .get("x-kontor-tenant")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
    {
        (slug.to_string(), Source::Header)
    } else if method == Method::POST && path == "/login" {
        ("".to_string(), Source::LoginForm)
    } else if let Some(slug) = tenant_cookie(&headers).filter(|s| !s.is_empty()) {
        (slug, Source::Cookie)
    } else {
        return without_tenant(&headers, &method, &path, &request);
    };

    // The login form names its tenant in the body.
    let mut form_username = None;
    let (request, slug) = if source == Source::LoginForm {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let mut slug = form_field(&bytes, "tenant").trim().to_ascii_lowercase();
        form_username = Some(form_field(&bytes, "username"));
        if slug.is_empty() {
            // No tenant in the form: the one remembered in the cookie, if any.
            slug = tenant_cookie(&headers).unwrap_or_default();
        }
        (Request::from_parts(parts, Body::from(bytes.clone())), {
            if slug.is_empty() {
                return pages::login_page(
                    &headers,
                    None,
                    Some(("", &form_field(&bytes, "username"))),
                );
            }
            slug
        })
    } else {
        (request, slug)
    };

    let tenant = match cloud.directory.find(&slug).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "tenant lookup failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    let tenant = match tenant {
        Some(t) if t.state == TenantState::Active => t,
        other => {
            if let Some(t) = &other {
                cloud.forget(t.id);
            }
            if source == Source::LoginForm {
                // The same answer, after the same work, as a wrong password: the form does not
                // tell which tenants exist.
                let _ = tokio::task::spawn_blocking(|| {
                    kontor_storage::hash_password("not a real password at all")
                })
                .await;
                let username = form_username.unwrap_or_default();
                return pages::login_page(&headers, None, Some((&slug, &username)));
            }
            return match other {
                Some(t) if t.state == TenantState::Suspended => {
                    if is_api(&path) {
                        ApiError::forbidden("tenant suspended").into_response()
                    } else {
                        pages::suspended(&headers)
                    }
                }
                _ => unknown_tenant(&headers, &path),
            };
        }
    };
    let app = match cloud.app(&tenant).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(tenant = %tenant.slug, error = %e, "cannot open the tenant's database");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    let mut app = app;
    let mut response = match app.call(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let logged_in = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("kontor_session=") && !v.starts_with("kontor_session=;"));
    if source == Source::LoginForm && response.status() == StatusCode::UNAUTHORIZED {
        // The tenant's own form would show that the tenant exists: answer with the same form
        // as for an unknown tenant.
        let username = form_username.unwrap_or_default();
        return pages::login_page(&headers, None, Some((&tenant.slug, &username)));
    }
    if source == Source::LoginForm
        && logged_in
        && let Some(cookie) = pages::tenant_cookie(&tenant.slug, cloud.config.secure_cookies)
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    if source == Source::Cookie && path == "/logout" && response.status().is_redirection() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, pages::clear_tenant_cookie());
    }
    response
}

fn tenant_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == pages::TENANT_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Requests that name no tenant: the login form with a tenant field, else a way there.
fn without_tenant(headers: &HeaderMap, method: &Method, path: &str, request: &Request) -> Response {
    if is_api(path) {
        return ApiError::not_found("tenant").into_response();
    }
    if path == "/login" && method == Method::GET {
        let lang = request
            .uri()
            .query()
            .and_then(|q| form_field(q.as_bytes(), "lang").parse::<String>().ok())
            .and_then(|l| kontor_web::i18n::Lang::parse(&l));
        return pages::login_page(headers, lang, None);
    }
    if method == Method::GET || method == Method::HEAD {
        return Redirect::to("/login").into_response();
    }
    pages::unknown(headers)
}
