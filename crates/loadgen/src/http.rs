//! HTTP workloads against a running Kontor server: readiness, setup, create+issue, list.
//! Every loop is bounded twice: by a duration and by a request count.

use anyhow::{Context, Result, anyhow, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

use crate::invoice;
use crate::stats::Samples;
use crate::target::endpoint;

/// A keep-alive client for one server.
#[derive(Clone)]
pub struct Api {
    client: Client,
    base: Url,
    auth: Option<String>,
}

impl Api {
    pub fn new(base: Url, token: Option<&str>) -> Result<Api> {
        let client = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Api {
            client,
            base,
            auth: token.map(|t| format!("Bearer {}", t.trim())),
        })
    }

    fn url(&self, path: &str) -> String {
        endpoint(&self.base, path)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(auth) = &self.auth {
            req = req.header(reqwest::header::AUTHORIZATION, auth);
        }
        req
    }

    /// Sends a JSON body (or none) and returns the status and the body text.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Result<(StatusCode, String)> {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        Ok((status, text))
    }
}

/// Polls `GET /healthz` until it answers 200, for at most `timeout`.
pub async fn wait_ready(api: &Api, path: &str, timeout: Duration) -> Result<Duration> {
    let start = Instant::now();
    let mut last = String::from("no answer yet");
    while start.elapsed() < timeout {
        match api.send(reqwest::Method::GET, path, None).await {
            Ok((s, _)) if s.is_success() => return Ok(start.elapsed()),
            Ok((s, body)) => last = format!("HTTP {s}: {}", excerpt(&body)),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{} not ready after {:.0?}: {last}", api.url(path), timeout)
}

/// The id in a create response: `{"id":..}`, or nested under `data`, `document` or `contact`.
pub fn find_id(v: &Value) -> Option<i64> {
    [
        &v["id"],
        &v["data"]["id"],
        &v["document"]["id"],
        &v["contact"]["id"],
    ]
    .into_iter()
    .find_map(Value::as_i64)
}

/// The number of items and the total in a list response.
pub fn list_shape(v: &Value) -> (Option<usize>, Option<u64>) {
    let items = [v, &v["items"], &v["data"], &v["documents"]]
        .into_iter()
        .find_map(|x| x.as_array().map(Vec::len));
    let total = [
        &v["total"],
        &v["meta"]["total"],
        &v["pagination"]["total"],
        &v["page_info"]["total"],
    ]
    .into_iter()
    .find_map(Value::as_u64);
    (items, total)
}

fn excerpt(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Sets up what issuing needs: a complete company profile and one customer. Returns the contact id.
pub async fn setup(api: &Api) -> Result<i64> {
    let company = json!({
        "name": "Lasttest GmbH",
        "legal_form": "GmbH",
        "street": "Musterstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "vat_id": "DE123456788",
        "tax_number": "30/123/45678",
        "iban": "DE02120300000000202051",
        "bic": "BYLADEM1001",
        "bank_name": "Testbank",
        "contact_email": "buchhaltung@lasttest.example",
        "default_payment_terms_days": 14
    });
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            "/api/v1/company",
            Some(company.to_string()),
        )
        .await?;
    if !status.is_success() {
        bail!("PUT /api/v1/company: HTTP {status}: {}", excerpt(&body));
    }
    let contact = json!({
        "name": "Kunde Lasttest AG",
        "street": "Hauptstraße 5",
        "postal_code": "80331",
        "city": "München",
        "country": "DE",
        "email": "einkauf@kunde.example",
        "is_customer": true
    });
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "/api/v1/contacts",
            Some(contact.to_string()),
        )
        .await?;
    if !status.is_success() {
        bail!("POST /api/v1/contacts: HTTP {status}: {}", excerpt(&body));
    }
    let v: Value = serde_json::from_str(&body)
        .with_context(|| format!("contact response is not JSON: {}", excerpt(&body)))?;
    find_id(&v).ok_or_else(|| anyhow!("no id in the contact response: {}", excerpt(&body)))
}

/// Limits shared by the workloads.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub clients: usize,
    pub duration: Duration,
    pub max_ops: u64,
    /// Stop every client once this many operations failed.
    pub max_errors: u64,
}

/// Shared bookkeeping of a run: claims of operations, errors, and a few error samples.
struct Control {
    bounds: Bounds,
    deadline: Instant,
    claimed: AtomicU64,
    errors: AtomicU64,
    stop: AtomicBool,
}

impl Control {
    fn new(bounds: Bounds) -> Arc<Control> {
        Arc::new(Control {
            bounds,
            deadline: Instant::now() + bounds.duration,
            claimed: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        })
    }

    /// Claims the next operation, or `None` when time, count or error budget are used up.
    fn claim(&self) -> Option<u64> {
        if self.stop.load(Ordering::Relaxed) || Instant::now() >= self.deadline {
            return None;
        }
        let n = self.claimed.fetch_add(1, Ordering::Relaxed);
        (n < self.bounds.max_ops).then_some(n)
    }

    fn failed(&self) {
        if self.errors.fetch_add(1, Ordering::Relaxed) + 1 >= self.bounds.max_errors {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

/// What one client observed.
#[derive(Default)]
struct ClientResult {
    ok: u64,
    total: Samples,
    first: Samples,
    second: Samples,
    failures: BTreeMap<String, u64>,
    samples: Vec<String>,
}

impl ClientResult {
    fn fail(&mut self, control: &Control, key: String, detail: String) {
        *self.failures.entry(key).or_default() += 1;
        if self.samples.len() < 3 {
            self.samples.push(detail);
        }
        control.failed();
    }

    fn merge(&mut self, other: ClientResult) {
        self.ok += other.ok;
        self.total.merge(other.total);
        self.first.merge(other.first);
        self.second.merge(other.second);
        for (k, v) in other.failures {
            *self.failures.entry(k).or_default() += v;
        }
        for s in other.samples {
            if self.samples.len() < 5 {
                self.samples.push(s);
            }
        }
    }
}

/// The outcome of a workload, ready for the table and the JSON record.
pub struct RunResult {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub total: Samples,
    pub first: Samples,
    pub second: Samples,
    pub failures: BTreeMap<String, u64>,
    pub error_samples: Vec<String>,
}

impl RunResult {
    pub fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.ok as f64 / secs
        } else {
            0.0
        }
    }
}

async fn run_clients<F, Fut>(bounds: Bounds, client: F) -> Result<RunResult>
where
    F: Fn(usize, Arc<Control>) -> Fut,
    Fut: std::future::Future<Output = ClientResult> + Send + 'static,
{
    if bounds.clients == 0 {
        bail!("--clients must be at least 1");
    }
    let control = Control::new(bounds);
    let start = Instant::now();
    let mut set = JoinSet::new();
    for i in 0..bounds.clients {
        set.spawn(client(i, control.clone()));
    }
    let mut all = ClientResult::default();
    while let Some(r) = set.join_next().await {
        all.merge(r.context("a client task panicked")?);
    }
    let elapsed = start.elapsed();
    Ok(RunResult {
        ok: all.ok,
        errors: control.errors.load(Ordering::Relaxed),
        elapsed,
        total: all.total,
        first: all.first,
        second: all.second,
        failures: all.failures,
        error_samples: all.samples,
    })
}

/// Creates and issues `lines`-line invoices as fast as the clients can.
pub async fn create_issue(
    api: &Api,
    contact_id: i64,
    lines: usize,
    bounds: Bounds,
) -> Result<RunResult> {
    let date = chrono::Local::now().date_naive();
    // A few distinct bodies, prepared up front so that the clients only send.
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..64)
            .map(|i| invoice::create_body(contact_id, date, &invoice::lines(i, lines)).to_string())
            .collect(),
    );
    run_clients(bounds, |_, control| {
        let api = api.clone();
        let bodies = bodies.clone();
        async move {
            let mut r = ClientResult {
                total: Samples::with_capacity(4096),
                ..Default::default()
            };
            while let Some(n) = control.claim() {
                let body = bodies[(n % bodies.len() as u64) as usize].clone();
                let t0 = Instant::now();
                let id = match api
                    .send(reqwest::Method::POST, "/api/v1/documents", Some(body))
                    .await
                {
                    Ok((s, text)) if s.is_success() => match serde_json::from_str::<Value>(&text)
                        .ok()
                        .as_ref()
                        .and_then(find_id)
                    {
                        Some(id) => id,
                        None => {
                            r.fail(
                                &control,
                                "create: no id".into(),
                                format!("create {s}: {}", excerpt(&text)),
                            );
                            continue;
                        }
                    },
                    Ok((s, text)) => {
                        r.fail(
                            &control,
                            format!("create: HTTP {}", s.as_u16()),
                            format!("create {s}: {}", excerpt(&text)),
                        );
                        continue;
                    }
                    Err(e) => {
                        r.fail(&control, "create: transport".into(), format!("create: {e}"));
                        continue;
                    }
                };
                let t1 = Instant::now();
                match api
                    .send(
                        reqwest::Method::POST,
                        &format!("/api/v1/documents/{id}/issue"),
                        None,
                    )
                    .await
                {
                    Ok((s, _)) if s.is_success() => {
                        let t2 = Instant::now();
                        r.ok += 1;
                        r.first.record(t1 - t0);
                        r.second.record(t2 - t1);
                        r.total.record(t2 - t0);
                    }
                    Ok((s, text)) => r.fail(
                        &control,
                        format!("issue: HTTP {}", s.as_u16()),
                        format!("issue {id} {s}: {}", excerpt(&text)),
                    ),
                    Err(e) => r.fail(
                        &control,
                        "issue: transport".into(),
                        format!("issue {id}: {e}"),
                    ),
                }
            }
            r
        }
    })
    .await
}

/// What the list workload found out before it started.
pub struct ListPlan {
    pub total: u64,
    pub pages: u64,
}

fn list_path(doc_type: &str, per_page: u64, page: u64) -> String {
    format!("/api/v1/documents?type={doc_type}&per_page={per_page}&page={page}")
}

/// Reads page 1 to learn how many documents (and so pages) there are.
pub async fn list_plan(api: &Api, doc_type: &str, per_page: u64) -> Result<ListPlan> {
    let path = list_path(doc_type, per_page, 1);
    let (status, body) = api.send(reqwest::Method::GET, &path, None).await?;
    if !status.is_success() {
        bail!("GET {path}: HTTP {status}: {}", excerpt(&body));
    }
    let v: Value = serde_json::from_str(&body)
        .with_context(|| format!("list response is not JSON: {}", excerpt(&body)))?;
    let (items, total) = list_shape(&v);
    let total =
        total.ok_or_else(|| anyhow!("no total in the list response: {}", excerpt(&body)))?;
    if items.is_none() {
        bail!("no items array in the list response: {}", excerpt(&body));
    }
    Ok(ListPlan {
        total,
        pages: total.div_ceil(per_page).max(1),
    })
}

/// Fetches random pages; a page counts as correct when it holds `per_page` items (fewer only on the last page).
pub async fn list(
    api: &Api,
    doc_type: &str,
    per_page: u64,
    plan: &ListPlan,
    warmup: u64,
    seed: u64,
    bounds: Bounds,
) -> Result<RunResult> {
    let pages = plan.pages;
    let expected_last = plan.total - (pages - 1) * per_page;
    // Warm-up requests (not measured): connections, caches.
    for i in 0..warmup {
        let page = 1 + (i * 7919) % pages;
        let (status, body) = api
            .send(
                reqwest::Method::GET,
                &list_path(doc_type, per_page, page),
                None,
            )
            .await?;
        if !status.is_success() {
            bail!("warm-up page {page}: HTTP {status}: {}", excerpt(&body));
        }
    }
    let doc_type = doc_type.to_string();
    run_clients(bounds, |i, control| {
        let api = api.clone();
        let doc_type = doc_type.clone();
        async move {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(i as u64));
            let mut r = ClientResult {
                total: Samples::with_capacity(4096),
                ..Default::default()
            };
            while control.claim().is_some() {
                let page = rng.random_range(1..=pages);
                let t0 = Instant::now();
                match api
                    .send(
                        reqwest::Method::GET,
                        &list_path(&doc_type, per_page, page),
                        None,
                    )
                    .await
                {
                    Ok((s, text)) if s.is_success() => {
                        let elapsed = t0.elapsed();
                        let expected = if page == pages {
                            expected_last
                        } else {
                            per_page
                        };
                        let items = serde_json::from_str::<Value>(&text)
                            .ok()
                            .and_then(|v| list_shape(&v).0);
                        if items == Some(expected as usize) {
                            r.ok += 1;
                            r.total.record(elapsed);
                        } else {
                            r.fail(
                                &control,
                                "list: wrong item count".into(),
                                format!("page {page}: {items:?} items, expected {expected}"),
                            );
                        }
                    }
                    Ok((s, text)) => r.fail(
                        &control,
                        format!("list: HTTP {}", s.as_u16()),
                        format!("page {page} {s}: {}", excerpt(&text)),
                    ),
                    Err(e) => r.fail(
                        &control,
                        "list: transport".into(),
                        format!("page {page}: {e}"),
                    ),
                }
            }
            r
        }
    })
    .await
}

/// One file to upload: name, content type, bytes.
pub struct UploadFile {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Uploads received-invoice files (`POST /api/v1/incoming`, the file as the body) round
/// robin from `files`, as fast as the clients can; a 201 counts as done.
pub async fn upload_incoming(
    api: &Api,
    files: Arc<Vec<UploadFile>>,
    bounds: Bounds,
) -> Result<RunResult> {
    if files.is_empty() {
        bail!("no files to upload");
    }
    run_clients(bounds, |_, control| {
        let api = api.clone();
        let files = files.clone();
        async move {
            let mut r = ClientResult {
                total: Samples::with_capacity(4096),
                ..Default::default()
            };
            while let Some(n) = control.claim() {
                let file = &files[(n % files.len() as u64) as usize];
                let t0 = Instant::now();
                let sent = api
                    .request(
                        reqwest::Method::POST,
                        &format!("/api/v1/incoming?name={}", file.name),
                    )
                    .header(reqwest::header::CONTENT_TYPE, file.content_type)
                    .body(file.bytes.clone())
                    .send()
                    .await;
                match sent {
                    Ok(resp) if resp.status().as_u16() == 201 => {
                        let _ = resp.bytes().await;
                        r.ok += 1;
                        r.total.record(t0.elapsed());
                    }
                    Ok(resp) => {
                        let status = resp.status();
                        let text = resp.text().await.unwrap_or_default();
                        r.fail(
                            &control,
                            format!("upload: HTTP {}", status.as_u16()),
                            format!("upload {} {status}: {}", file.name, excerpt(&text)),
                        );
                    }
                    Err(e) => r.fail(&control, "upload: transport".into(), format!("upload: {e}")),
                }
            }
            r
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_create_responses() {
        assert_eq!(find_id(&json!({"id": 5, "number": null})), Some(5));
        assert_eq!(find_id(&json!({"data": {"id": 6}})), Some(6));
        assert_eq!(find_id(&json!({"document": {"id": 7}})), Some(7));
        assert_eq!(find_id(&json!({"id": "x"})), None);
        assert_eq!(find_id(&json!([])), None);
    }

    #[test]
    fn list_shapes() {
        assert_eq!(
            list_shape(&json!({"items": [1, 2], "page": 1, "per_page": 50, "total": 2})),
            (Some(2), Some(2))
        );
        assert_eq!(
            list_shape(&json!({"data": [1], "meta": {"total": 9}})),
            (Some(1), Some(9))
        );
        assert_eq!(
            list_shape(&json!({"items": [], "pagination": {"total": 0}})),
            (Some(0), Some(0))
        );
        assert_eq!(list_shape(&json!({"error": "x"})), (None, None));
    }

    #[test]
    fn control_bounds_by_count_time_and_errors() {
        let c = Control::new(Bounds {
            clients: 1,
            duration: Duration::from_secs(60),
            max_ops: 3,
            max_errors: 2,
        });
        assert_eq!(
            (c.claim(), c.claim(), c.claim(), c.claim()),
            (Some(0), Some(1), Some(2), None)
        );
        let c = Control::new(Bounds {
            clients: 1,
            duration: Duration::from_secs(60),
            max_ops: 100,
            max_errors: 2,
        });
        c.failed();
        assert!(c.claim().is_some());
        c.failed();
        assert!(c.claim().is_none(), "error budget used up");
        let c = Control::new(Bounds {
            clients: 1,
            duration: Duration::ZERO,
            max_ops: 100,
            max_errors: 2,
        });
        assert!(c.claim().is_none(), "no time left");
    }

    #[test]
    fn list_paths() {
        assert_eq!(
            list_path("invoice", 50, 3),
            "/api/v1/documents?type=invoice&per_page=50&page=3"
        );
    }
}
