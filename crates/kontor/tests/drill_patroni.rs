//! Drill: database failover under Patroni on 127.0.0.1, with the shipped configuration
//! (deploy/patroni/patroni.yml and deploy/patroni/haproxy.cfg).
//!
//! etcd + two Patroni-managed PostgreSQL 15 nodes in synchronous mode + HAProxy routing to
//! Patroni's `/primary`; `kontor serve --cloud` against HAProxy with one tenant; workers create
//! and issue invoices through the API with a retrying client (each create carries an
//! `Idempotency-Key`, repeated on every retry). Then the primary node is lost: its Patroni and
//! all of its PostgreSQL processes get SIGKILL. Patroni promotes the synchronous standby,
//! HAProxy follows `/primary`, Kontor's pools drop the broken connections and reconnect, and the
//! workers carry on. Checked on the new primary: every acknowledged invoice is there, issued,
//! with the number the client was told; no key made two documents; invoice numbers are unique
//! and gapless; an archived PDF written before the kill reads back byte for byte; the audit
//! chain is intact. Prints the write stop time (last acknowledged write before the kill to the
//! first one after it).
//!
//! Replication monitoring on the way: the control role gets `pg_monitor` (as the guide says),
//! `kontor serve` runs with `--expect-standbys 1 --max-replication-lag 10`; under the load before
//! the kill `/metrics` shows the streaming synchronous standby and its lag and `kontor check
//! --cloud` with the same flags passes; after the failover `kontor check` reports the missing
//! standby and the watchdog's webhook alert for it has arrived.
//!
//! Needs Debian's patroni, etcd-server, haproxy and postgresql (15); runs as root (then
//! PostgreSQL runs as the `postgres` user) or as an ordinary user. Slow (about a minute):
//! ignored in the normal tiers, run with
//!   cargo test --workspace --test drill_patroni -- --ignored --nocapture
//! Everything lives in a temporary directory on free ports and is killed when the test ends,
//! also on failure, when the tails of all logs are printed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kontor_storage::Role;
use kontor_storage::tenants::Provisioner;
use kontor_testkit::cloud::TestInstallation;
use kontor_testkit::fixtures::{company_json, customer_json};
use kontor_testkit::{Kontor, free_port, new_token};
use serde_json::{Value, json};
use sqlx::Row;

const WORKERS: usize = 4;
/// Load before the kill.
const BEFORE_KILL: Duration = Duration::from_secs(6);
/// Load after the first write acknowledged by the new primary.
const AFTER_RECOVERY: Duration = Duration::from_secs(5);
/// The whole load phase ends by then, recovered or not.
const LOAD_DEADLINE: Duration = Duration::from_secs(90);
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain([
                PathBuf::from("/usr/sbin"),
                PathBuf::from("/usr/bin"),
                PathBuf::from("/sbin"),
            ])
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// The PostgreSQL OS user's uid and gid when we are root (PostgreSQL refuses to run as root).
fn postgres_owner() -> Option<(u32, u32)> {
    let id = |flag: &str, user: Option<&str>| -> Option<u32> {
        let mut cmd = Command::new("id");
        cmd.arg(flag);
        if let Some(user) = user {
            cmd.arg(user);
        }
        let out = cmd.output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    if id("-u", None)? != 0 {
        return None;
    }
    Some((
        id("-u", Some("postgres"))
            .expect("as root the drill needs the postgres user (apt-get install postgresql)"),
        id("-g", Some("postgres")).expect("gid of postgres"),
    ))
}

fn sigkill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Direct children of a process (from /proc).
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    // "pid (comm) state ppid ...": comm may contain spaces, so split after ')'.
                    let rest = &stat[stat.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(parent)
        })
        .collect()
}

/// SIGKILLs the postmaster of a data directory and every process it started (PostgreSQL's
/// children each sit in their own session, so a process-group kill would miss them).
fn kill_postgres(data_dir: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(data_dir.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()?;
    if !Path::new(&format!("/proc/{pid}")).exists() {
        return None;
    }
    let children = children_of(pid);
    sigkill(pid);
    for child in children {
        sigkill(child);
    }
    Some(pid)
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Everything the drill started; killed in reverse order on drop, logs shown on failure.
struct Drill {
    dir: tempfile::TempDir,
    procs: Vec<(String, Child)>,
    data_dirs: Vec<PathBuf>,
    logs: Vec<PathBuf>,
}

impl Drill {
    /// The path of a new log, shown on failure.
    fn log_path(&mut self, name: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.log"));
        self.logs.push(path.clone());
        path
    }

    fn log(&mut self, name: &str) -> std::fs::File {
        std::fs::File::create(self.log_path(name)).unwrap()
    }

    fn spawn(&mut self, name: &str, mut cmd: Command) -> u32 {
        let log = self.log(name);
        cmd.stdout(log.try_clone().unwrap()).stderr(log);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let pid = child.id();
        self.procs.push((name.to_string(), child));
        pid
    }

    /// SIGKILLs one started process by name (and reaps it).
    fn kill(&mut self, name: &str) {
        if let Some((_, child)) = self.procs.iter_mut().find(|(n, _)| n == name) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn print_logs(&self) {
        for log in &self.logs {
            eprintln!(
                "----- {} (last 40 lines) -----\n{}",
                log.display(),
                tail(log, 40)
            );
        }
    }
}

impl Drop for Drill {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.print_logs();
        }
        // Patroni first (so it cannot restart PostgreSQL), then PostgreSQL, then the rest.
        for (name, child) in self.procs.iter_mut().rev() {
            if name.starts_with("patroni") {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        for data in &self.data_dirs {
            kill_postgres(data);
        }
        for (_, child) in self.procs.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

struct Node {
    name: String,
    pg: u16,
    api: u16,
    data: PathBuf,
}

async fn wait_status(client: &reqwest::Client, url: &str, status: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(r) = client.get(url).send().await
            && r.status().as_u16() == status
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// What a worker was told.
#[derive(Debug, Clone)]
struct Acked {
    key: String,
    id: i64,
    number: String,
}

/// A client that retries a request until it gets an answer from the application (not a
/// connection error or a 5xx), or the deadline passes.
struct Retrying {
    client: reqwest::Client,
    token: String,
    deadline: Instant,
    failures: Arc<AtomicU64>,
    /// Failed attempts once the new primary acknowledged writes (should stay 0).
    late_failures: Arc<AtomicU64>,
    recovered: Arc<AtomicBool>,
}

impl Retrying {
    async fn send(
        &self,
        what: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> (u16, Value, bool) {
        loop {
            assert!(
                Instant::now() < self.deadline,
                "{what}: no answer before the deadline"
            );
            let sent = build(&self.client)
                .bearer_auth(&self.token)
                .header("x-kontor-tenant", "drill")
                .send()
                .await;
            match sent {
                Ok(r) if !r.status().is_server_error() => {
                    let status = r.status().as_u16();
                    let replayed = r.headers().get("idempotency-replayed").is_some();
                    let body = r.json().await.unwrap_or(Value::Null);
                    return (status, body, replayed);
                }
                Ok(_) | Err(_) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    if self.recovered.load(Ordering::Relaxed) {
                        self.late_failures.fetch_add(1, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

fn invoice(contact: i64, key: &str) -> Value {
    json!({
        "type": "invoice", "contact_id": contact, "subject": key,
        "delivery_date": chrono::Local::now().date_naive().format("%Y-%m-%d").to_string(),
        "lines": [{"description": "Wartung", "quantity": "1", "unit": "HUR", "unit_price": "120.00", "vat_rate": "19"}]
    })
}

/// Creates (with an idempotency key, retried) and issues (retried) one invoice; returns what
/// the client was told and the times of the two acknowledgements.
async fn create_and_issue(
    client: &Retrying,
    api: &str,
    contact: i64,
    key: &str,
    replays: &AtomicU64,
) -> (Acked, [Instant; 2]) {
    let body = invoice(contact, key);
    let (status, created, replayed) = client
        .send("create", |c| {
            c.post(format!("{api}/documents"))
                .header("idempotency-key", key)
                .json(&body)
        })
        .await;
    assert_eq!(status, 201, "create {key}: {created}");
    if replayed {
        replays.fetch_add(1, Ordering::Relaxed);
    }
    let created_at = Instant::now();
    let id = created["id"].as_i64().expect("document id");
    let (status, issued, _) = client
        .send("issue", |c| c.post(format!("{api}/documents/{id}/issue")))
        .await;
    let number = match status {
        200 => issued["number"].as_str().expect("number").to_string(),
        // An earlier attempt was committed but its answer lost: it is issued already.
        409 => {
            let (status, doc, _) = client
                .send("get", |c| c.get(format!("{api}/documents/{id}")))
                .await;
            assert_eq!(status, 200, "{doc}");
            assert_eq!(doc["state"], "issued", "409 on issue of {id}: {issued}");
            doc["number"].as_str().expect("number").to_string()
        }
        _ => panic!("issue {id}: {status} {issued}"),
    };
    (
        Acked {
            key: key.to_string(),
            id,
            number,
        },
        [created_at, Instant::now()],
    )
}

/// The watchdog's replication flags of `kontor serve` and `kontor check` in the drill.
const REPLICATION_FLAGS: [&str; 4] = ["--expect-standbys", "1", "--max-replication-lag", "10"];

/// The value of an unlabelled gauge (or of `name{labels}` given whole) in a Prometheus text.
fn gauge(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|l| {
        let value = l.strip_prefix(name)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

/// Reads `/metrics` until `ok` holds for it.
async fn wait_metrics(
    client: &reqwest::Client,
    base: &str,
    within: Duration,
    ok: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + within;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/metrics")).send().await {
            last = r.text().await.unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("/metrics never showed what was expected:\n{last}")
}

/// `kontor check --cloud` with the drill's replication flags: exit code and output.
async fn kontor_check(kontor: &Kontor) -> (Option<i32>, String) {
    let args = [&["check", "--cloud"][..], &REPLICATION_FLAGS].concat();
    let out = kontor.run_async(&args, "").await;
    (out.code(), format!("{}{}", out.stdout, out.stderr))
}

/// A webhook receiver on 127.0.0.1: every alert body with the time it arrived.
struct Hooks {
    url: String,
    calls: Arc<std::sync::Mutex<Vec<(Instant, Value)>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Hooks {
    async fn start() -> Hooks {
        let calls: Arc<std::sync::Mutex<Vec<(Instant, Value)>>> = Arc::default();
        let seen = calls.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: axum::Json<Value>| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push((Instant::now(), body.0));
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hooks {
            url,
            calls,
            _task: task,
        }
    }

    /// The first call with a firing alert for `key`: when it arrived and the alert's message.
    async fn wait_firing(&self, key: &str, within: Duration) -> (Instant, String) {
        let deadline = Instant::now() + within;
        loop {
            let found = self.calls.lock().unwrap().iter().find_map(|(at, body)| {
                body["alerts"].as_array()?.iter().find_map(|a| {
                    (a["status"] == "firing" && a["key"] == key)
                        .then(|| (*at, a["message"].as_str().unwrap_or_default().to_string()))
                })
            });
            if let Some(found) = found {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no firing {key} alert; webhook calls: {:?}",
                self.calls.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "drill: needs patroni, etcd, haproxy and PostgreSQL 15; run by the drills tier of scripts/test.sh"]
async fn patroni_fails_over_without_losing_an_acknowledged_invoice() {
    let patroni = which("patroni").expect("the drill needs patroni (apt-get install patroni)");
    let etcd = which("etcd").expect("the drill needs etcd (apt-get install etcd-server)");
    let haproxy = which("haproxy").expect("the drill needs haproxy (apt-get install haproxy)");
    assert!(
        Path::new(PG_BIN).join("postgres").is_file(),
        "the drill needs PostgreSQL 15 in {PG_BIN} (apt-get install postgresql)"
    );
    let owner = postgres_owner();
    let mut drill = Drill {
        dir: tempfile::Builder::new()
            .prefix("kontor-patroni-")
            .tempdir()
            .unwrap(),
        procs: Vec::new(),
        data_dirs: Vec::new(),
        logs: Vec::new(),
    };
    let dir = drill.dir.path().to_path_buf();
    let give_to_postgres = |path: &Path| {
        std::fs::create_dir_all(path).unwrap();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
        }
    };
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // etcd: one member on loopback.
    let (etcd_client, etcd_peer) = (free_port(), free_port());
    let mut cmd = Command::new(&etcd);
    cmd.args([
        "--name",
        "e1",
        "--data-dir",
        dir.join("etcd").to_str().unwrap(),
        "--listen-client-urls",
        &format!("http://127.0.0.1:{etcd_client}"),
        "--advertise-client-urls",
        &format!("http://127.0.0.1:{etcd_client}"),
        "--listen-peer-urls",
        &format!("http://127.0.0.1:{etcd_peer}"),
        "--initial-advertise-peer-urls",
        &format!("http://127.0.0.1:{etcd_peer}"),
        "--initial-cluster",
        &format!("e1=http://127.0.0.1:{etcd_peer}"),
    ]);
    drill.spawn("etcd", cmd);
    assert!(
        wait_status(
            &client,
            &format!("http://127.0.0.1:{etcd_client}/health"),
            200,
            Duration::from_secs(20)
        )
        .await,
        "etcd did not come up"
    );

    // The shipped Patroni configuration; only the socket directory and the watchdog differ.
    let shipped = std::fs::read_to_string(repo_root().join("deploy/patroni/patroni.yml")).unwrap();
    let socket_dir = dir.join("sock");
    give_to_postgres(&socket_dir);
    let socket_line = "unix_socket_directories: /var/run/postgresql";
    let watchdog_line = "mode: automatic";
    assert!(
        shipped.contains(socket_line) && shipped.contains(watchdog_line),
        "deploy/patroni/patroni.yml changed shape; adjust the drill"
    );
    let config = shipped
        .replace(
            socket_line,
            &format!("unix_socket_directories: {}", socket_dir.display()),
        )
        .replace(watchdog_line, "mode: \"off\"");
    let config_path = dir.join("patroni.yml");
    std::fs::write(&config_path, config).unwrap();

    let superuser_password = hex::encode(rand::random::<[u8; 12]>());
    let nodes: Vec<Node> = (1..=2)
        .map(|i| Node {
            name: format!("node{i}"),
            pg: free_port(),
            api: free_port(),
            data: dir.join(format!("node{i}")).join("data"),
        })
        .collect();
    let start_node = |drill: &mut Drill, node: &Node| {
        let home = node.data.parent().unwrap().to_path_buf();
        give_to_postgres(&home);
        drill.data_dirs.push(node.data.clone());
        let mut cmd = Command::new(&patroni);
        cmd.arg(&config_path)
            .current_dir(&home)
            .env("PATRONI_NAME", &node.name)
            .env("PATRONI_RESTAPI_LISTEN", format!("127.0.0.1:{}", node.api))
            .env(
                "PATRONI_RESTAPI_CONNECT_ADDRESS",
                format!("127.0.0.1:{}", node.api),
            )
            .env(
                "PATRONI_POSTGRESQL_LISTEN",
                format!("127.0.0.1:{}", node.pg),
            )
            .env(
                "PATRONI_POSTGRESQL_CONNECT_ADDRESS",
                format!("127.0.0.1:{}", node.pg),
            )
            .env("PATRONI_POSTGRESQL_DATA_DIR", &node.data)
            .env("PATRONI_POSTGRESQL_PGPASS", home.join("pgpass"))
            .env("PATRONI_ETCD3_HOSTS", format!("127.0.0.1:{etcd_client}"))
            .env("PATRONI_SUPERUSER_PASSWORD", &superuser_password)
            .env("PATRONI_REPLICATION_PASSWORD", "drill-replication")
            .env("PATRONI_REWIND_PASSWORD", "drill-rewind")
            .env("HOME", &home);
        if let Some((uid, gid)) = owner {
            use std::os::unix::process::CommandExt;
            cmd.uid(uid).gid(gid);
        }
        drill.spawn(&format!("patroni-{}", node.name), cmd);
    };
    let api_url = |node: &Node, path: &str| format!("http://127.0.0.1:{}{path}", node.api);

    let started = Instant::now();
    start_node(&mut drill, &nodes[0]);
    assert!(
        wait_status(
            &client,
            &api_url(&nodes[0], "/primary"),
            200,
            Duration::from_secs(60)
        )
        .await,
        "node1 did not become primary"
    );
    start_node(&mut drill, &nodes[1]);
    assert!(
        wait_status(
            &client,
            &api_url(&nodes[1], "/sync"),
            200,
            Duration::from_secs(90)
        )
        .await,
        "node2 did not become the synchronous standby"
    );
    eprintln!(
        "drill: cluster up in {:.1} s (node1 primary, node2 synchronous standby)",
        started.elapsed().as_secs_f64()
    );

    // HAProxy with the shipped configuration.
    let (front, replicas, stats) = (free_port(), free_port(), free_port());
    let mut cmd = Command::new(&haproxy);
    cmd.args(["-db", "-f"])
        .arg(repo_root().join("deploy/patroni/haproxy.cfg"))
        .env("KONTOR_PG_FRONTEND", format!("127.0.0.1:{front}"))
        .env("KONTOR_PG_REPLICAS", format!("127.0.0.1:{replicas}"))
        .env("KONTOR_PG_NODE1", format!("127.0.0.1:{}", nodes[0].pg))
        .env("KONTOR_PG_NODE1_API", nodes[0].api.to_string())
        .env("KONTOR_PG_NODE2", format!("127.0.0.1:{}", nodes[1].pg))
        .env("KONTOR_PG_NODE2_API", nodes[1].api.to_string())
        .env("KONTOR_PG_STATS", format!("127.0.0.1:{stats}"));
    drill.spawn("haproxy", cmd);
    let admin_url = format!("postgres://postgres:{superuser_password}@127.0.0.1:{front}/postgres");
    let node_url = |node: &Node| {
        format!(
            "postgres://postgres:{superuser_password}@127.0.0.1:{}/postgres",
            node.pg
        )
    };

    // One tenant with an API token (through HAProxy, i.e. on the primary).
    let installation = TestInstallation::on(&admin_url);
    let provisioner = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // HAProxy counts every server up until its first health check, so the first
            // connections may still reach the standby: wait until the frontend is writable.
            if let Err(e) = frontend_is_primary(&admin_url).await {
                assert!(
                    Instant::now() < deadline,
                    "HAProxy does not route to the primary: {e}"
                );
                eprintln!("drill: waiting for HAProxy to route to the primary: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            match Provisioner::connect(
                &admin_url,
                installation.installation(),
                installation.master_secret(),
            )
            .await
            {
                Ok(p) => break p,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("drill: waiting for HAProxy to route to the primary: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("cannot reach the primary through HAProxy: {e}"),
            }
        }
    };
    let tenant = provisioner.create("drill", "Drill GmbH").await.unwrap();
    // As deploy/patroni/README.md says: the control role (which `serve --cloud` and
    // `check --cloud` use for the replication check) may read pg_stat_replication.
    let control_role = provisioner.installation().control_role();
    {
        let admin = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "GRANT pg_monitor TO {control_role}"
        )))
        .execute(&admin)
        .await
        .unwrap();
        admin.close().await;
    }
    let tenant_schema = provisioner.installation().tenant_role(tenant.id);
    let store = provisioner.open_tenant(&tenant).await.unwrap();
    let token = new_token(&store, "ops", Role::Admin).await;
    store.close().await;
    provisioner.close().await;

    // Kontor against HAProxy, its watchdog expecting one streaming standby and alerting to a
    // webhook.
    let hooks = Hooks::start().await;
    let kontor = installation.kontor(env!("CARGO_BIN_EXE_kontor"));
    let serve_args = [
        &["--cloud"][..],
        &REPLICATION_FLAGS,
        &["--check-interval", "1", "--alert-webhook", &hooks.url],
    ]
    .concat();
    let server = kontor
        .server(&serve_args)
        .log(drill.log_path("kontor"))
        .start()
        .await;
    let base = server.base.clone();
    let api = format!("{base}/api/v1");

    let failures = Arc::new(AtomicU64::new(0));
    let late_failures = Arc::new(AtomicU64::new(0));
    let recovered = Arc::new(AtomicBool::new(false));
    let retrying = Arc::new(Retrying {
        client: client.clone(),
        token: token.clone(),
        deadline: Instant::now() + LOAD_DEADLINE,
        failures: failures.clone(),
        late_failures: late_failures.clone(),
        recovered: recovered.clone(),
    });

    // Company, customer, and one issued invoice whose archived PDF must survive the failover.
    let company = company_json();
    let (status, body, _) = retrying
        .send("company", |c| {
            c.put(format!("{api}/company")).json(&company)
        })
        .await;
    assert_eq!(status, 200, "{body}");
    let customer = customer_json();
    let (status, body, _) = retrying
        .send("contact", |c| {
            c.post(format!("{api}/contacts"))
                .header("idempotency-key", "drill-customer")
                .json(&customer)
        })
        .await;
    assert_eq!(status, 201, "{body}");
    let contact = body["id"].as_i64().unwrap();
    let replays = Arc::new(AtomicU64::new(0));
    let (before, _) = create_and_issue(&retrying, &api, contact, "drill-pdf", &replays).await;
    let pdf_before = client
        .get(format!("{api}/documents/{}/pdf", before.id))
        .bearer_auth(&token)
        .header("x-kontor-tenant", "drill")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf_before.starts_with(b"%PDF"), "an archived PDF");

    // The load: each worker creates and issues invoices one after another.
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (retrying, stop, api, replays) =
            (retrying.clone(), stop.clone(), api.clone(), replays.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut times = Vec::new();
            let mut seq = 0;
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                let key = format!("drill-{w}-{seq}");
                let (a, t) = create_and_issue(&retrying, &api, contact, &key, &replays).await;
                acked.push(a);
                times.extend(t);
            }
            (acked, times)
        }));
    }
    let load_started = Instant::now();
    // Under that load: the watchdog sees node2 streaming and reports its lag, and `kontor
    // check` with the same flags passes.
    let metrics = wait_metrics(&client, &base, Duration::from_secs(10), |m| {
        gauge(m, "kontor_replication_standbys") == Some(1.0)
    })
    .await;
    let lag_seconds = gauge(&metrics, "kontor_replication_lag_seconds").expect("lag gauge");
    let lag_bytes = gauge(&metrics, "kontor_replication_lag_bytes").expect("lag bytes gauge");
    assert_eq!(
        gauge(&metrics, "kontor_replication_synchronous_standbys"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(gauge(&metrics, "kontor_replication_is_standby"), Some(0.0));
    assert!(
        (0.0..10.0).contains(&lag_seconds) && lag_bytes >= 0.0,
        "lag {lag_seconds} s / {lag_bytes} bytes"
    );
    assert_eq!(
        gauge(&metrics, "kontor_check_ok{key=\"replication_standbys\"}"),
        Some(1.0),
        "{metrics}"
    );
    let (code, out) = kontor_check(&kontor).await;
    assert_eq!(code, Some(0), "kontor check before the kill: {out}");
    assert!(
        out.contains("OK\treplication_standbys\t1 standby(s) streaming (1 synchronous)")
            && out.contains("OK\treplication_lag\t"),
        "{out}"
    );
    eprintln!(
        "drill: under load node2 streams {lag_seconds:.3} s / {lag_bytes} bytes behind; kontor check passes"
    );
    tokio::time::sleep(BEFORE_KILL.saturating_sub(load_started.elapsed())).await;
    assert!(
        wait_status(
            &client,
            &api_url(&nodes[0], "/primary"),
            200,
            Duration::from_secs(1)
        )
        .await,
        "node1 is still the primary before the kill"
    );

    // Node loss: Patroni and every PostgreSQL process of node1 get SIGKILL.
    let killed_at = Instant::now();
    drill.kill("patroni-node1");
    let postmaster = kill_postgres(&nodes[0].data).expect("node1's postmaster was running");
    let dead_at = Instant::now();
    eprintln!("drill: SIGKILLed node1 (Patroni and postmaster {postmaster} with its children)");
    assert!(
        wait_status(
            &client,
            &api_url(&nodes[1], "/primary"),
            200,
            Duration::from_secs(60)
        )
        .await,
        "Patroni did not promote node2 within 60 s"
    );
    let promoted = killed_at.elapsed();
    eprintln!(
        "drill: node2 promoted {:.1} s after the kill",
        promoted.as_secs_f64()
    );

    // Kontor answers again (the retrying client waits for it); from shortly after that on, no
    // request may fail any more: broken pooled connections must be gone by then.
    let (status, body, _) = retrying
        .send("probe", |c| c.get(format!("{api}/documents?per_page=1")))
        .await;
    assert_eq!(status, 200, "{body}");
    eprintln!(
        "drill: Kontor answers again {:.1} s after the kill",
        killed_at.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    recovered.store(true, Ordering::Relaxed);
    tokio::time::sleep(AFTER_RECOVERY).await;
    stop.store(true, Ordering::Relaxed);

    let mut acked: Vec<Acked> = vec![before.clone()];
    let mut times = Vec::new();
    for task in tasks {
        let (a, t) = task.await.expect("worker");
        acked.extend(a);
        times.extend(t);
    }
    // The write stop: the longest pause between two acknowledged writes. It must be the one
    // around the kill (a write answered just after the kill may have committed just before it).
    times.sort_unstable();
    let (gap_start, gap_end) = times
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|(a, b)| *b - *a)
        .expect("acknowledged writes");
    let write_stop = gap_end - gap_start;
    assert!(
        gap_start <= dead_at + Duration::from_secs(1) && gap_end >= dead_at,
        "the longest pause between writes ({:.2} s) is not the failover",
        write_stop.as_secs_f64()
    );
    let after_kill = times.iter().filter(|t| **t > dead_at).count();

    // Checked on the new primary directly (not through HAProxy).
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&node_url(&nodes[1]))
        .await
        .expect("connect to node2");
    let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!in_recovery, "node2 is the primary now");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, subject, status, number, doc_type FROM {tenant_schema}.documents ORDER BY id"
    )))
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut by_id: HashMap<i64, (String, String, Option<String>)> = HashMap::new();
    let mut per_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut numbers = Vec::new();
    for row in &rows {
        let id: i64 = row.get("id");
        let subject: Option<String> = row.get("subject");
        let status: String = row.get("status");
        let number: Option<String> = row.get("number");
        let doc_type: String = row.get("doc_type");
        let subject = subject.unwrap_or_default();
        *per_key.entry(subject.clone()).or_default() += 1;
        if doc_type == "invoice"
            && let Some(n) = &number
        {
            numbers.push(n.clone());
        }
        by_id.insert(id, (subject, status, number));
    }
    // Every acknowledged invoice is there, issued, with the number the client was told.
    let mut missing = Vec::new();
    for a in &acked {
        match by_id.get(&a.id) {
            Some((subject, status, Some(number)))
                if subject == &a.key && status == "issued" && number == &a.number => {}
            other => missing.push(format!("{a:?} -> {other:?}")),
        }
    }
    assert!(
        missing.is_empty(),
        "acknowledged invoices missing or different on the new primary: {missing:#?}"
    );
    // No key made two documents, and no document exists that no key asked for.
    let duplicates: Vec<_> = per_key.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicate documents: {duplicates:?}");
    assert_eq!(
        rows.len(),
        acked.len(),
        "documents on the new primary vs. acknowledged creates"
    );
    // Invoice numbers: unique, and gapless (a rolled-back issue gives its number back).
    let unique: HashSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), numbers.len(), "duplicate invoice numbers");
    let mut counters: Vec<u64> = numbers
        .iter()
        .map(|n| {
            let digits: String = n
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().unwrap_or_else(|_| panic!("number {n}"))
        })
        .collect();
    counters.sort_unstable();
    let gaps: Vec<_> = counters.windows(2).filter(|w| w[1] != w[0] + 1).collect();
    assert!(gaps.is_empty(), "gaps in invoice numbers: {gaps:?}");

    // The archived PDF written before the kill reads back byte for byte, through Kontor.
    let pdf_after = client
        .get(format!("{api}/documents/{}/pdf", before.id))
        .bearer_auth(&token)
        .header("x-kontor-tenant", "drill")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf_after.status().as_u16(), 200);
    assert!(
        pdf_after.bytes().await.unwrap() == pdf_before,
        "the archived PDF after failover"
    );
    // ... and it is the file archived in the tenant's own schema on the new primary.
    let archived: Vec<u8> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT b.data FROM {tenant_schema}.document_files f \
         JOIN {tenant_schema}.blobs b ON b.sha256 = f.sha256 \
         WHERE f.document_id = $1 AND f.kind = 'pdf'"
    )))
    .bind(before.id)
    .fetch_one(&pool)
    .await
    .expect("the archived PDF in the tenant's schema on node2");
    assert!(archived == pdf_before, "archived PDF on node2");
    // The audit chain covers every write and is intact.
    let (status, verify, _) = retrying
        .send("verify", |c| c.get(format!("{api}/audit/verify")))
        .await;
    assert_eq!((status, &verify["ok"]), (200, &json!(true)), "{verify}");
    pool.close().await;

    // node2 has no standby now: the watchdog alerts, and `kontor check` says so.
    let hook = hooks
        .wait_firing("replication_standbys", Duration::from_secs(20))
        .await;
    let (code, out) = kontor_check(&kontor).await;
    assert_eq!(code, Some(2), "kontor check after the kill: {out}");
    assert!(
        out.contains("PROBLEM\treplication_standbys\t0 standby(s) streaming"),
        "{out}"
    );
    let metrics = wait_metrics(&client, &base, Duration::from_secs(5), |m| {
        gauge(m, "kontor_replication_standbys") == Some(0.0)
    })
    .await;
    assert_eq!(
        gauge(&metrics, "kontor_check_ok{key=\"replication_standbys\"}"),
        Some(0.0)
    );
    eprintln!(
        "drill: missing standby reported {:.1} s after the kill (webhook: {})",
        hook.0.duration_since(killed_at).as_secs_f64(),
        hook.1
    );

    eprintln!(
        "drill: {} invoices acknowledged ({} after the kill), {} failed attempts retried, {} creates answered by replay",
        acked.len(),
        after_kill / 2,
        failures.load(Ordering::Relaxed),
        replays.load(Ordering::Relaxed),
    );
    eprintln!(
        "drill: WRITE STOP {:.2} s (longest pause between acknowledged writes: {:.2} s before the kill to {:.2} s after); promotion {:.1} s after the kill",
        write_stop.as_secs_f64(),
        dead_at.saturating_duration_since(gap_start).as_secs_f64(),
        gap_end.saturating_duration_since(dead_at).as_secs_f64(),
        promoted.as_secs_f64()
    );
    assert_eq!(
        late_failures.load(Ordering::Relaxed),
        0,
        "requests failed after Kontor had reconnected (broken pooled connections reused?)"
    );
    assert!(
        after_kill > 10,
        "the load continued after the failover: {after_kill} acknowledgements"
    );
}

/// Whether fresh connections to `url` land on the primary (not a standby in recovery): four
/// in a row, so that a balancer still sending every other connection to the standby is caught.
async fn frontend_is_primary(url: &str) -> Result<(), String> {
    for _ in 0..4 {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|e| e.to_string())?;
        let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(&pool)
            .await
            .map_err(|e| e.to_string())?;
        pool.close().await;
        if in_recovery {
            return Err("reached a standby".into());
        }
    }
    Ok(())
}
