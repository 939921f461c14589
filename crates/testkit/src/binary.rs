//! The built `kontor` binary: subcommands with stdin and captured output, and `kontor serve`
//! on a free port. Only the `kontor` crate's tests know where the binary is, so they pass
//! `env!("CARGO_BIN_EXE_kontor")`.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A port that was free a moment ago on 127.0.0.1 (for programs that must be told one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The `kontor` binary with its global flags and environment: each subcommand run or server
/// started from it gets them. Settings that leak in from the caller's environment (every
/// `KONTOR_*` variable) are removed, `KONTOR_LOG` is `warn`, and the disk space thresholds
/// are 0 (`KONTOR_DISK_MIN_FREE_PERCENT`, `KONTOR_DISK_MIN_FREE_MB`).
#[derive(Clone, Debug)]
pub struct Kontor {
    exe: PathBuf,
    global: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
}

/// A finished subcommand: its arguments, exit status and output.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Asserts success and returns stdout; shows both outputs on failure.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert!(
            self.status.success(),
            "{:?}: status {:?}\nstdout: {}\nstderr: {}",
            self.args,
            self.status,
            self.stdout,
            self.stderr
        );
        &self.stdout
    }

    /// Asserts failure with `message` in stderr.
    #[track_caller]
    pub fn fails(&self, message: &str) {
        assert!(!self.status.success(), "{:?} succeeded", self.args);
        assert!(
            self.stderr.contains(message),
            "{:?}: {}",
            self.args,
            self.stderr
        );
    }
}

impl Kontor {
    /// The binary at `exe` (`env!("CARGO_BIN_EXE_kontor")`), without global flags.
    pub fn new(exe: impl Into<PathBuf>) -> Kontor {
        let mut env: Vec<(OsString, Option<OsString>)> = std::env::vars_os()
            .filter(|(k, _)| k.to_string_lossy().starts_with("KONTOR_"))
            .map(|(k, _)| (k, None))
            .collect();
        env.push(("KONTOR_LOG".into(), Some("warn".into())));
        // Readiness must not depend on the free space of the machine running the tests; a
        // test of the disk check sets the thresholds with the flags, which win.
        env.push(("KONTOR_DISK_MIN_FREE_PERCENT".into(), Some("0".into())));
        env.push(("KONTOR_DISK_MIN_FREE_MB".into(), Some("0".into())));
        Kontor {
            exe: exe.into(),
            global: Vec::new(),
            env,
        }
    }

    /// `--data-dir DIR`: a single business on SQLite.
    pub fn data_dir(self, dir: &Path) -> Kontor {
        self.arg("--data-dir").arg(dir)
    }

    /// A fresh database for a single business: `--database URL --schema S` when
    /// KONTOR_TEST_DATABASE_URL is set (returned as `Some((url, schema))`), else `--data-dir`.
    pub fn fresh_database(self, dir: &Path) -> (Kontor, Option<(String, String)>) {
        match crate::postgres_url() {
            Some(url) => {
                let schema = crate::unique_schema();
                let kontor = self.args(["--database", &url, "--schema", &schema]);
                (kontor, Some((url, schema)))
            }
            None => (self.data_dir(dir), None),
        }
    }

    /// A global flag or value (before the subcommand).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Kontor {
        self.global.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Kontor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.global
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Kontor {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Kontor {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// The command for `args` (after the global flags), with the environment set; stdin,
    /// stdout and stderr as the caller sets them.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = Command::new(&self.exe);
        for (key, value) in &self.env {
            match value {
                Some(v) => c.env(key, v),
                None => c.env_remove(key),
            };
        }
        c.args(&self.global).args(args);
        c
    }

    /// Runs a subcommand with `stdin` as its input and waits for it.
    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kontor starts");
        if let Some(mut input) = child.stdin.take() {
            // A command that does not read its input may have exited already.
            let _ = input.write_all(stdin.as_bytes());
        }
        let out = child.wait_with_output().expect("kontor ran");
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// [`Kontor::run`] off the async runtime's threads (for tests with work in flight).
    pub async fn run_async(&self, args: &[&str], stdin: &str) -> Run {
        let (kontor, stdin) = (self.clone(), stdin.to_string());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            kontor.run(&args, &stdin)
        })
        .await
        .expect("kontor ran")
    }

    /// `kontor serve --listen 127.0.0.1:<free port> ARGS…`, to tune before [`Server::start`].
    pub fn server(&self, args: &[&str]) -> Server {
        Server {
            kontor: self.clone(),
            args: args.iter().map(OsString::from).collect(),
            port: free_port(),
            ready: "/readyz".into(),
            log: None,
            within: Duration::from_secs(30),
        }
    }

    /// `kontor serve --listen 127.0.0.1:<free port> ARGS…`, once `/readyz` answers 200.
    pub async fn serve(&self, args: &[&str]) -> Binary {
        self.server(args).start().await
    }
}

/// `kontor serve` about to start.
#[must_use]
pub struct Server {
    kontor: Kontor,
    args: Vec<OsString>,
    port: u16,
    ready: String,
    log: Option<PathBuf>,
    within: Duration,
}

impl Server {
    /// Started once `path` answers 200 (default `/readyz`; `/healthz` for a server that is
    /// meant not to be ready).
    pub fn ready_at(mut self, path: &str) -> Server {
        self.ready = path.to_string();
        self
    }

    /// Writes stderr (the log) to `path` instead of a temporary file.
    pub fn log(mut self, path: impl Into<PathBuf>) -> Server {
        self.log = Some(path.into());
        self
    }

    /// How long to wait for it to be ready (default 30 s).
    pub fn within(mut self, limit: Duration) -> Server {
        self.within = limit;
        self
    }

    /// The port it will listen on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts it and waits until it is ready; panics with its log if it exits or takes too
    /// long.
    pub async fn start(self) -> Binary {
        let (log, log_dir) = match self.log {
            Some(path) => (path, None),
            None => {
                let dir = tempfile::tempdir().expect("tempdir");
                (dir.path().join("kontor.log"), Some(dir))
            }
        };
        let listen = format!("127.0.0.1:{}", self.port);
        let child = self
            .kontor
            .command(["serve", "--listen", &listen])
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("kontor serve starts");
        let mut binary = Binary {
            child,
            port: self.port,
            base: format!("http://{listen}"),
            log,
            _log_dir: log_dir,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + self.within;
        loop {
            if let Ok(Some(status)) = binary.child.try_wait() {
                panic!("kontor serve exited with {status}: {}", binary.log());
            }
            if let Ok(r) = client.get(binary.url(&self.ready)).send().await
                && r.status() == 200
            {
                return binary;
            }
            assert!(
                Instant::now() < deadline,
                "kontor serve: {} did not answer 200 within {:?}: {}",
                self.ready,
                self.within,
                binary.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A running `kontor serve`: stopped (SIGTERM, then SIGKILL after 10 s) when dropped.
pub struct Binary {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: PathBuf,
    _log_dir: Option<tempfile::TempDir>,
}

impl Binary {
    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no graceful shutdown. Waits for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for it to exit and returns how it did.
    pub fn stop(&mut self) -> ExitStatus {
        signal("-TERM", self.child.id());
        self.child.wait().expect("kontor serve exits")
    }

    /// Polls `path` until it answers `status` (for at most 30 s); returns the body.
    pub async fn wait_status(&self, path: &str, status: u16) -> String {
        let client = reqwest::Client::new();
        let start = Instant::now();
        loop {
            if let Ok(r) = client.get(self.url(path)).send().await
                && r.status().as_u16() == status
            {
                return r.text().await.unwrap_or_default();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{path} never answered {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        signal("-TERM", self.child.id());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }
}

fn signal(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}
