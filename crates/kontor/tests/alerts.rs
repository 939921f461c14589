//! Monitoring end to end: `kontor check`, `/readyz` with the disk threshold, and (ignored, a
//! slow tier) alert drills that deliver to a real SMTP server (aiosmtpd) and a local webhook
//! receiver when PostgreSQL is stopped and when a backup target becomes unwritable, and the
//! "resolved" messages after recovery. Everything listens on 127.0.0.1 and stops by itself.
//!
//! Slow tier: `cargo test --workspace --test alerts -- --ignored --test-threads=1`
//! (needs Debian's python3-aiosmtpd and postgresql packages).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kontor_ops::monitor::alert::signature;
use kontor_testkit::tls::certificate_expiring_in;
use kontor_testkit::{Kontor, free_port};

const WEBHOOK_SECRET: &str = "webhook-secret-for-tests-0123456789";

/// The binary on the data folder `data_dir`.
fn kontor(data_dir: &Path) -> Kontor {
    Kontor::new(env!("CARGO_BIN_EXE_kontor")).data_dir(data_dir)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// A child process (aiosmtpd) killed when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `f` every 20 ms until it returns `Some`, for at most `limit`.
async fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn check_command_prints_findings_and_fails_on_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = kontor(dir.path()).run(&["check"], "");
    assert_eq!(out.code(), Some(2), "no database yet");
    assert!(out.stdout.contains("PROBLEM\tdatabase\t"), "{}", out.stdout);

    assert!(kontor(dir.path()).run(&["migrate"], "").success());
    let disk_ok = ["--disk-min-free-percent", "0", "--disk-min-free-mb", "0"];
    let out = kontor(dir.path()).run(&[&["check"][..], &disk_ok].concat(), "");
    let stdout = &out.stdout;
    assert_eq!(out.code(), Some(0), "{stdout}{}", out.stderr);
    assert!(
        stdout.contains("OK\tdatabase\tdatabase reachable, schema current"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("OK\tdisk:{}\t", dir.path().display())),
        "{stdout}"
    );
    assert!(stdout.lines().all(|l| l.starts_with("OK\t")), "{stdout}");

    let out = kontor(dir.path()).run(&["check", "--disk-min-free-percent", "100"], "");
    assert_eq!(out.code(), Some(2));
    assert!(
        out.stdout
            .contains(&format!("PROBLEM\tdisk:{}\t", dir.path().display()))
    );

    // A certificate that expires within days is a problem; one good for months is not.
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, certificate_expiring_in(2)).unwrap();
    let check_cert = [
        &["check"][..],
        &disk_ok,
        &["--tls-cert", cert.to_str().unwrap()],
    ]
    .concat();
    let out = kontor(dir.path()).run(&check_cert, "");
    let stdout = &out.stdout;
    assert_eq!(out.code(), Some(2), "{stdout}");
    assert!(stdout.contains("PROBLEM\ttls_certificate\t"), "{stdout}");
    std::fs::write(&cert, certificate_expiring_in(90)).unwrap();
    let out = kontor(dir.path()).run(&check_cert, "");
    assert_eq!(out.code(), Some(0), "{}", out.stdout);

    // A schema behind this build: reported, not silently migrated.
    let db = dir.path().join("kontor.db");
    sqlite_exec(
        &db,
        "DELETE FROM kontor_migrations WHERE version = (SELECT MAX(version) FROM kontor_migrations)",
    );
    let out = kontor(dir.path()).run(&[&["check"][..], &disk_ok].concat(), "");
    assert_eq!(out.code(), Some(2));
    assert!(
        out.stdout
            .contains("PROBLEM\tdatabase\tdatabase schema is not current")
    );
}

/// Runs one statement on a SQLite file (through sqlx, as Kontor does).
fn sqlite_exec(db: &Path, sql: &str) {
    let url = format!("sqlite://{}", db.display());
    let sql = sql.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
}

#[tokio::test]
async fn readyz_fails_when_the_disk_is_below_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let server = kontor(dir.path())
        .server(&["--disk-min-free-percent", "100"])
        .ready_at("/healthz")
        .start()
        .await;
    let reason = server.wait_status("/readyz", 503).await;
    assert!(reason.contains("nearly full"), "{reason}");
    // The watchdog's first run (at start) has recorded its findings.
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = server.wait_status("/metrics", 200).await;
        if metrics.contains("kontor_check_ok{key=\"database\"}") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        metrics.contains(&format!(
            "kontor_disk_free_bytes{{path=\"{}\"}}",
            dir.path().display()
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("kontor_check_ok{key=\"database\"} 1"),
        "{metrics}"
    );
}

// ---- the slow tier: real SMTP server and webhook receiver ---------------------------------

/// aiosmtpd storing every message in a maildir.
struct Smtp {
    _child: Guard,
    port: u16,
    maildir: PathBuf,
}

impl Smtp {
    async fn start(dir: &Path) -> Smtp {
        let program =
            std::env::var("KONTOR_TEST_AIOSMTPD").unwrap_or_else(|_| "/usr/bin/aiosmtpd".into());
        assert!(
            Path::new(&program).exists(),
            "{program} missing: apt-get install python3-aiosmtpd (or set KONTOR_TEST_AIOSMTPD)"
        );
        let port = free_port();
        let maildir = dir.join("maildir");
        let child = Command::new(&program)
            .args(["-n", "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .args(["-l", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let smtp = Smtp {
            _child: Guard(child),
            port,
            maildir,
        };
        let start = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        smtp
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every delivered message, oldest first.
    fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.join("new"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits for a message whose subject line contains `needle`.
    async fn wait_subject(&self, needle: &str) -> String {
        wait_for(Duration::from_secs(60), needle, || {
            self.messages().into_iter().find(|m| {
                m.lines()
                    .any(|l| l.starts_with("Subject:") && l.contains(needle))
            })
        })
        .await
    }
}

/// One webhook call as received.
#[derive(Clone, Debug)]
struct Hook {
    body: serde_json::Value,
    signature_ok: bool,
}

/// A local webhook receiver on 127.0.0.1.
struct Receiver {
    url: String,
    calls: Arc<Mutex<Vec<Hook>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Receiver {
        let calls: Arc<Mutex<Vec<Hook>>> = Arc::default();
        let seen = calls.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let seen = seen.clone();
                    async move {
                        let signature_ok = headers
                            .get("x-kontor-signature")
                            .and_then(|v| v.to_str().ok())
                            == Some(signature(WEBHOOK_SECRET.as_bytes(), &body).as_str());
                        let body = serde_json::from_slice(&body).unwrap_or_default();
                        seen.lock().unwrap().push(Hook { body, signature_ok });
                        "ok"
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url,
            calls,
            _task: task,
        }
    }

    fn alerts(&self, status: &str, key: &str) -> Vec<Hook> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|h| {
                h.body["alerts"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x["status"] == status && x["key"] == key))
            })
            .cloned()
            .collect()
    }

    async fn wait(&self, status: &str, key: &str) -> Hook {
        wait_for(
            Duration::from_secs(60),
            &format!("webhook {status} {key}"),
            || self.alerts(status, key).into_iter().next(),
        )
        .await
    }
}

/// The throwaway PostgreSQL cluster of scripts/pg-throwaway.sh, stopped and started in place.
struct Postgres {
    dir: PathBuf,
    url: String,
    port: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-throwaway.sh")
}

fn pg_ctl() -> PathBuf {
    let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin/pg_ctl"))
                .collect()
        })
        .unwrap_or_default();
    bins.retain(|p| p.exists());
    bins.sort();
    bins.pop().expect("Debian postgresql package (pg_ctl)")
}

impl Postgres {
    fn start() -> Postgres {
        let dir = tempfile::Builder::new()
            .prefix("kontor-alerts-pg")
            .tempdir_in("/tmp")
            .unwrap()
            .keep();
        let out = Command::new(script())
            .arg("start")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let url = text(&out.stdout).trim().to_string();
        let port = std::fs::read_to_string(dir.join("port"))
            .unwrap()
            .trim()
            .to_string();
        Postgres { dir, url, port }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut c = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_ctl());
            c
        } else {
            Command::new(pg_ctl())
        };
        c.arg("-D").arg(self.dir.join("data")).args(args);
        let out = c.current_dir("/").output().unwrap();
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}",
            text(&out.stderr)
        );
    }

    fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    fn restart(&self) {
        let log = self.dir.join("log");
        self.pg_ctl(&[
            "start",
            "-w",
            "-l",
            log.to_str().unwrap(),
            "-o",
            &format!("-p {}", self.port),
        ]);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
#[ignore = "slow tier: PostgreSQL and aiosmtpd"]
async fn alerts_when_the_database_stops_and_when_it_is_back() {
    let work = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(work.path()).await;
    let hooks = Receiver::start().await;
    let pg = Postgres::start();
    let secret_file = work.path().join("webhook-secret");
    std::fs::write(&secret_file, WEBHOOK_SECRET).unwrap();

    let server = kontor(&work.path().join("data"))
        .args(["--database", &pg.url, "--schema", "kontor_alerts"])
        .serve(&[
            "--check-interval",
            "1",
            "--smtp-url",
            &smtp.url(),
            "--alert-email",
            "ops@example.com",
            "--alert-from",
            "kontor@example.com",
            "--alert-webhook",
            &hooks.url,
            "--alert-webhook-secret-file",
            secret_file.to_str().unwrap(),
            "--instance-name",
            "drill-1",
        ])
        .await;
    // A few healthy runs: nothing to report.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());
    assert!(hooks.calls.lock().unwrap().is_empty());

    let stopping = Instant::now();
    pg.stop();
    let fault = Instant::now();
    let hook = hooks.wait("firing", "database").await;
    let hook_latency = fault.elapsed();
    eprintln!("firing webhook body: {}", hook.body);
    let mail = smtp.wait_subject("FIRING").await;
    let mail_latency = fault.elapsed();
    assert!(hook.signature_ok, "signed with the shared secret");
    assert_eq!(hook.body["instance"], "drill-1");
    assert!(
        mail.contains("To: ops@example.com") && mail.contains("FIRING database since"),
        "{mail}"
    );
    let firing = hook.body["alerts"].as_array().unwrap();
    assert_eq!(firing.len(), 1, "only the database fires: {}", hook.body);
    // Deduplicated: a few more runs while the database stays down send nothing new.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(hooks.alerts("firing", "database").len(), 1);
    assert_eq!(
        smtp.messages()
            .iter()
            .filter(|m| m.contains("FIRING"))
            .count(),
        1
    );
    server.wait_status("/readyz", 503).await;

    pg.restart();
    let recovered = Instant::now();
    hooks.wait("resolved", "database").await;
    let resolve_hook = recovered.elapsed();
    smtp.wait_subject("RESOLVED").await;
    let resolve_mail = recovered.elapsed();
    server.wait_status("/readyz", 200).await;
    eprintln!(
        "ALERT LATENCY (check interval 1 s): pg_ctl stop took {:.2} s; firing: webhook {:.2} s, e-mail {:.2} s after the stop; resolved: webhook {:.2} s, e-mail {:.2} s after the restart",
        (fault - stopping).as_secs_f64(),
        hook_latency.as_secs_f64(),
        mail_latency.as_secs_f64(),
        resolve_hook.as_secs_f64(),
        resolve_mail.as_secs_f64()
    );
    assert!(hook_latency < Duration::from_secs(20) && resolve_hook < Duration::from_secs(30));

    // `kontor check` against the running PostgreSQL: replication is read (no standby here).
    let out = kontor(&work.path().join("data"))
        .args(["--database", &pg.url, "--schema", "kontor_alerts"])
        .run(&["check", "--expect-standbys", "1"], "");
    let stdout = &out.stdout;
    assert_eq!(out.code(), Some(2), "{stdout}{}", out.stderr);
    assert!(stdout.contains("OK\tdatabase\t"), "{stdout}");
    assert!(
        stdout.contains("PROBLEM\treplication_standbys\t0 standby(s) streaming"),
        "{stdout}"
    );
    assert!(stdout.contains("OK\treplication_lag\t"), "{stdout}");
}

#[tokio::test]
#[ignore = "slow tier: aiosmtpd"]
async fn alerts_when_a_backup_target_becomes_unwritable_and_when_it_is_fixed() {
    let work = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(work.path()).await;
    let hooks = Receiver::start().await;
    let secret_file = work.path().join("webhook-secret");
    std::fs::write(&secret_file, WEBHOOK_SECRET).unwrap();
    let data = work.path().join("data");
    // The backup disk, mounted at TARGET: `kontor serve` backs up there and its BackupCheck
    // probes it at every watchdog run.
    let target = work.path().join("offsite");
    std::fs::create_dir(&target).unwrap();
    let target_name = target.display().to_string();
    let key = format!("backup_target:{target_name}");

    let identity = work.path().join("identity");
    let signing = work.path().join("signing.key");
    let out = kontor(&data).run(
        &[
            "backup",
            "keygen",
            "--out",
            identity.to_str().unwrap(),
            "--signing-key-out",
            signing.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.success(), "{}", out.stderr);
    let recipient = out.stdout.trim().to_string();
    let backup_args = [
        "--backup-target",
        &target_name,
        "--backup-recipient",
        &recipient,
        "--backup-signing-key",
        signing.to_str().unwrap(),
    ];
    // One backup before serving, as after an installation: the last backup is young, so only
    // the target's state can change during the drill (serve's schedule finds nothing due).
    assert!(kontor(&data).run(&["migrate"], "").success());
    let out = kontor(&data).run(&[&["backup", "run"][..], &backup_args].concat(), "");
    assert!(out.success(), "{}", out.stderr);

    let smtp_url = smtp.url();
    let serve_args = [
        &[
            "--check-interval",
            "1",
            "--disk-min-free-percent",
            "0",
            "--disk-min-free-mb",
            "0",
        ][..],
        &backup_args,
        &[
            "--smtp-url",
            &smtp_url,
            "--alert-email",
            "ops@example.com",
            "--alert-from",
            "kontor@example.com",
            "--alert-webhook",
            &hooks.url,
            "--alert-webhook-secret-file",
            secret_file.to_str().unwrap(),
            "--instance-name",
            "drill-2",
        ],
    ]
    .concat();
    let server = kontor(&data).serve(&serve_args).await;
    // The real check has run and found the target writable and the backup young.
    let mut metrics = String::new();
    for _ in 0..300 {
        metrics = server.wait_status("/metrics", 200).await;
        if metrics.contains(&format!("kontor_check_ok{{key=\"{key}\"}}")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        metrics.contains(&format!("kontor_check_ok{{key=\"{key}\"}} 1"))
            && metrics.contains(&format!(
                "kontor_check_ok{{key=\"backup_age:{target_name}\"}} 1"
            )),
        "{metrics}"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());
    assert!(hooks.calls.lock().unwrap().is_empty());

    // The backup disk disappears (unmounted, USB disk pulled, NFS gone): its folder is no
    // longer there. Root's writes are not stopped by permissions, but by this they are.
    let away = work.path().join("offsite.unmounted");
    std::fs::rename(&target, &away).unwrap();
    let fault = Instant::now();
    let hook = hooks.wait("firing", &key).await;
    let hook_latency = fault.elapsed();
    let mail = smtp.wait_subject("FIRING").await;
    let mail_latency = fault.elapsed();
    eprintln!("firing webhook body: {}", hook.body);
    assert!(hook.signature_ok, "signed with the shared secret");
    assert_eq!(hook.body["instance"], "drill-2");
    let firing = hook.body["alerts"].as_array().unwrap();
    // Only this target fires: it cannot be written (backup_target) and its backups cannot be
    // read (backup_age, which reads the target itself).
    assert!(
        firing
            .iter()
            .all(|a| a["key"].as_str().unwrap().ends_with(&target_name)),
        "only the target fires: {}",
        hook.body
    );
    let message = firing
        .iter()
        .find(|a| a["key"] == key.as_str())
        .expect("the target's own alert")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains(&target_name) && message.contains("cannot open the folder"),
        "{message}"
    );
    assert!(
        mail.contains("To: ops@example.com") && mail.contains(&format!("FIRING {key} since")),
        "{mail}"
    );
    // Deduplicated while the disk stays away.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(hooks.alerts("firing", &key).len(), 1);

    // Mounted again.
    std::fs::rename(&away, &target).unwrap();
    let fixed = Instant::now();
    let resolved = hooks.wait("resolved", &key).await;
    let resolve_hook = fixed.elapsed();
    let mail = smtp.wait_subject("RESOLVED").await;
    let resolve_mail = fixed.elapsed();
    assert!(resolved.signature_ok);
    assert!(mail.contains(&format!("RESOLVED {key}")), "{mail}");

    // Replaced by a file (a mount point gone wrong): not a folder, so not writable either.
    std::fs::rename(&target, &away).unwrap();
    std::fs::write(&target, b"not a folder").unwrap();
    let fault = Instant::now();
    wait_for(Duration::from_secs(60), "second firing", || {
        (hooks.alerts("firing", &key).len() == 2).then_some(())
    })
    .await;
    let second_firing = fault.elapsed();
    let firing = hooks.alerts("firing", &key)[1].body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key.as_str())
        .expect("the target's own alert")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(firing.contains("is not a folder"), "{firing}");
    std::fs::remove_file(&target).unwrap();
    std::fs::rename(&away, &target).unwrap();
    wait_for(Duration::from_secs(60), "second resolved", || {
        (hooks.alerts("resolved", &key).len() == 2).then_some(())
    })
    .await;
    eprintln!(
        "ALERT LATENCY (real BackupCheck, check interval 1 s): folder gone -> firing: webhook {:.2} s, e-mail {:.2} s; back -> resolved: webhook {:.2} s, e-mail {:.2} s; replaced by a file -> firing (webhook) {:.2} s",
        hook_latency.as_secs_f64(),
        mail_latency.as_secs_f64(),
        resolve_hook.as_secs_f64(),
        resolve_mail.as_secs_f64(),
        second_firing.as_secs_f64()
    );
    assert!(hook_latency < Duration::from_secs(20) && resolve_hook < Duration::from_secs(20));
    // Firing, resolved, firing, resolved: one mail each.
    wait_for(Duration::from_secs(60), "four mails", || {
        (smtp.messages().len() >= 4).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.messages().len(), 4, "{:?}", smtp.messages());
}
