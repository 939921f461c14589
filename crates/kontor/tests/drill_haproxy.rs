//! Drill: two `kontor serve --cloud` instances behind a real HAProxy (deploy/haproxy/kontor.cfg)
//! on 127.0.0.1, a bounded load of reads and writes, one instance killed with SIGKILL mid-run.
//! Passes with 0 failed requests and every acknowledged write present afterwards.
//!
//! Slow and needs haproxy and PostgreSQL: ignored in the normal tiers; the `drills` tier of
//! scripts/test.sh runs it (`cargo test -p kontor --test drill_haproxy -- --ignored`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kontor_testkit::cloud::TestInstallation;
use kontor_testkit::{free_port, postgres_url};
use serde_json::{Value, json};

const WORKERS: usize = 8;
const RUN: Duration = Duration::from_secs(12);
const KILL_AT: Duration = Duration::from_secs(5);

/// Kills HAProxy on drop (the test may fail half-way).
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn wait_ready(client: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} not ready within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "drill: needs haproxy and PostgreSQL; run by the drills tier of scripts/test.sh"]
async fn two_instances_behind_haproxy_survive_a_sigkill() {
    let admin_url = postgres_url()
        .expect("the drill needs KONTOR_TEST_DATABASE_URL (a PostgreSQL superuser URL)");
    let haproxy = which("haproxy").expect("the drill needs haproxy (apt-get install haproxy)");
    let dir = tempfile::tempdir().unwrap();

    // One tenant with an API token.
    let installation = TestInstallation::on(&admin_url);
    let provisioner = installation.provisioner().await;
    let (store, token) = installation
        .tenant(&provisioner, "drill", "Drill GmbH", "ops")
        .await;
    store.close().await;

    // Two instances and HAProxy with the shipped configuration.
    let kontor = installation.kontor(env!("CARGO_BIN_EXE_kontor"));
    let mut first = kontor
        .server(&["--cloud"])
        .log(dir.path().join("k1.log"))
        .start()
        .await;
    let second = kontor
        .server(&["--cloud"])
        .log(dir.path().join("k2.log"))
        .start()
        .await;
    let (p1, p2, front, stats) = (first.port, second.port, free_port(), free_port());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let config = repo_root().join("deploy/haproxy/kontor.cfg");
    let haproxy_log = std::fs::File::create(dir.path().join("haproxy.log")).unwrap();
    let _proxy = Proc(
        Command::new(haproxy)
            .args(["-db", "-f"])
            .arg(&config)
            .env("KONTOR_FRONTEND", format!("127.0.0.1:{front}"))
            .env("KONTOR_INSTANCE_1", format!("127.0.0.1:{p1}"))
            .env("KONTOR_INSTANCE_2", format!("127.0.0.1:{p2}"))
            .env("KONTOR_HAPROXY_STATS", format!("127.0.0.1:{stats}"))
            .stdout(haproxy_log.try_clone().unwrap())
            .stderr(haproxy_log)
            .spawn()
            .expect("haproxy"),
    );
    let base = format!("http://127.0.0.1:{front}");
    wait_ready(&client, &format!("{base}/readyz")).await;
    // Both servers must be up in HAProxy before the load starts (health checks every 500 ms).
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let api = |path: &str| format!("{base}/api/v1{path}");
    let authed =
        |r: reqwest::RequestBuilder| r.bearer_auth(&token).header("x-kontor-tenant", "drill");
    // One contact per worker; each worker writes only its own, so its last acknowledged write is
    // what must be there at the end. Writes are PUTs (safe to retry); see the HAProxy config.
    let mut contacts = Vec::new();
    for w in 0..WORKERS {
        let body = json!({"name": format!("drill-{w}-0"), "street": "Weg 1", "postal_code": "10115", "city": "Berlin"});
        let r = authed(client.post(api("/contacts")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: Value = r.json().await.unwrap();
        contacts.push(v["id"].as_i64().unwrap());
    }

    let failures = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (w, id) in contacts.iter().copied().enumerate() {
        let (client, failures, requests, stop) = (
            client.clone(),
            failures.clone(),
            requests.clone(),
            stop.clone(),
        );
        let (url, token) = (api(&format!("/contacts/{id}")), token.clone());
        let list = api("/contacts?per_page=20");
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = format!("drill-{w}-0");
            let mut errors = Vec::new();
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                let name = format!("drill-{w}-{seq}");
                let body = json!({"name": name, "street": "Weg 1", "postal_code": "10115", "city": "Berlin"});
                let put = client.put(&url).bearer_auth(&token).header("x-kontor-tenant", "drill").json(&body).send().await;
                requests.fetch_add(1, Ordering::Relaxed);
                match put {
                    Ok(r) if r.status().is_success() => acknowledged = name,
                    Ok(r) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        errors.push(format!("PUT {}: {}", r.status(), r.text().await.unwrap_or_default()));
                    }
                    Err(e) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        errors.push(format!("PUT: {e}"));
                    }
                }
                let get = client.get(&list).bearer_auth(&token).header("x-kontor-tenant", "drill").send().await;
                requests.fetch_add(1, Ordering::Relaxed);
                match get {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        errors.push(format!("GET {}", r.status()));
                    }
                    Err(e) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        errors.push(format!("GET: {e}"));
                    }
                }
                // Bounded load: about 8 workers × 2 requests every 25 ms.
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            (acknowledged, seq, errors)
        }));
    }
    tokio::time::sleep(KILL_AT).await;
    let killed_at = requests.load(Ordering::Relaxed);
    // SIGKILL: no graceful shutdown, requests in flight on it die with it.
    first.kill();
    tokio::time::sleep(RUN - KILL_AT).await;
    stop.store(true, Ordering::Relaxed);

    let mut all_errors = Vec::new();
    let mut writes = 0;
    for (w, task) in tasks.into_iter().enumerate() {
        let (acknowledged, seq, errors) = task.await.unwrap();
        writes += seq;
        all_errors.extend(errors);
        // The last acknowledged write is there (read through HAProxy, i.e. the survivor).
        let r = authed(client.get(api(&format!("/contacts/{}", contacts[w]))))
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["name"],
            acknowledged.as_str(),
            "worker {w}'s last acknowledged write"
        );
    }
    let total = requests.load(Ordering::Relaxed);
    eprintln!(
        "drill: {total} requests ({writes} writes), {killed_at} before the SIGKILL, {} failed",
        failures.load(Ordering::Relaxed)
    );
    assert!(
        killed_at > 100 && total > killed_at + 100,
        "the load ran on both sides of the kill"
    );
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "failed requests: {all_errors:#?}"
    );
    // HAProxy saw both instances serve, took the killed one out, and retried what hit it.
    let csv = client
        .get(format!("http://127.0.0.1:{stats}/;csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let server = |name: &str| -> Vec<String> {
        csv.lines()
            .find(|l| l.starts_with(&format!("kontor_instances,{name},")))
            .unwrap_or_else(|| panic!("{name} in {csv}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    let (k1, k2) = (server("kontor1"), server("kontor2"));
    // Columns: 7 stot (sessions), 15 wretr (retries), 16 wredis (redispatches), 17 status.
    eprintln!(
        "drill: haproxy kontor1 {} sessions, {} retries, {} redispatches, {}; kontor2 {} sessions, {}",
        k1[7], k1[15], k1[16], k1[17], k2[7], k2[17]
    );
    assert!(
        k1[7].parse::<u64>().unwrap() > 100,
        "the killed instance served before: {k1:?}"
    );
    assert!(
        k1[17].starts_with("DOWN"),
        "killed instance marked down: {k1:?}"
    );
    assert!(k2[17].starts_with("UP"), "{k2:?}");
    // The audit chain covers every write and is intact.
    let r = authed(client.get(api("/audit/verify")))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ok"], true, "{v}");
    provisioner.close().await;
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
