//! The application on a free port with a database of its own.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use kontor_app::backups::BackupStatus;
use kontor_app::{App, Clock, FixedClock};
use kontor_server::monitoring::Monitoring;
use kontor_server::tls::TlsFiles;
use kontor_server::{Application, ServerOptions, Transport};
use kontor_storage::security::ThrottlePolicy;
use kontor_storage::sessions::SessionPolicy;
use kontor_storage::{Actor, Role, Store, User};
use rustls_pki_types::CertificateDer;

use crate::{Api, Browser, PASSWORD, TestStore, csrf_of};

/// The running app of one business, its store, and an admin token for the API.
///
/// Dereferences to its [`Api`] client: `app.get(…)`, `app.post(…)`, `app.base`, `app.token`.
pub struct TestApp {
    pub api: Api,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The business's data, as the server sees it.
    pub store: Store,
    /// The service layer the server runs (same store and clock).
    pub app: App,
    /// The certificate and the redirect listener when spawned with [`Spawn::tls`].
    pub tls: Option<TlsServer>,
    /// The database (kept for as long as the app lives).
    pub db: TestStore,
}

/// What a TLS app adds: its certificate files and the plain-HTTP listener that redirects.
pub struct TlsServer {
    /// Holds `cert.pem` and `key.pem` (rewrite them to test the reload).
    pub dir: tempfile::TempDir,
    /// The certificate served at start (self-signed for `localhost`).
    pub cert: CertificateDer<'static>,
    /// The plain-HTTP listener that only redirects to HTTPS.
    pub redirect: SocketAddr,
}

/// How a [`TestApp`] is started: [`TestApp::builder`], then the settings, then [`Spawn::spawn`].
#[must_use]
pub struct Spawn {
    options: ServerOptions,
    clock: Option<Arc<dyn Clock>>,
    backups: Option<Arc<dyn BackupStatus>>,
    tls: bool,
    admin: bool,
}

/// How often a TLS app looks at its certificate files.
const TLS_RELOAD: Duration = Duration::from_millis(300);

impl Spawn {
    /// Changes the server options in place (sessions, throttle, transport, monitoring).
    pub fn options(mut self, tune: impl FnOnce(&mut ServerOptions)) -> Spawn {
        tune(&mut self.options);
        self
    }

    pub fn sessions(mut self, sessions: SessionPolicy) -> Spawn {
        self.options.sessions = sessions;
        self
    }

    pub fn throttle(mut self, throttle: ThrottlePolicy) -> Spawn {
        self.options.throttle = throttle;
        self
    }

    pub fn transport(mut self, transport: Transport) -> Spawn {
        self.options.transport = transport;
        self
    }

    pub fn monitoring(mut self, monitoring: Monitoring) -> Spawn {
        self.options = self.options.with_monitoring(monitoring);
        self
    }

    /// The app's clock ("now" and "today").
    pub fn clock(mut self, clock: impl Clock + 'static) -> Spawn {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A clock standing at noon UTC of `date`.
    pub fn on(self, date: NaiveDate) -> Spawn {
        self.clock(FixedClock::on(date))
    }

    /// What the backup pages and API show and start.
    pub fn backups(mut self, backups: Arc<dyn BackupStatus>) -> Spawn {
        self.backups = Some(backups);
        self
    }

    /// Serves TLS with a self-signed certificate for `localhost` (reloaded from its files every
    /// 300 ms), plus a plain-HTTP listener that redirects.
    pub fn tls(mut self) -> Spawn {
        self.tls = true;
        self
    }

    /// A fresh installation: no users, no token (the first-run setup page is open).
    pub fn first_run(mut self) -> Spawn {
        self.admin = false;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let db = TestStore::new().await.expect("test store");
        let store = db.store.clone();
        let token = if self.admin {
            new_token(&store, "chefin", Role::Admin).await
        } else {
            String::new()
        };
        // Own templates compile in this process: the test binary is not `kontor`, whose
        // hidden subcommand the budgeted child process is (crates/kontor/tests test that).
        let mut app = App::new(store.clone())
            .with_templates_in_process()
            .with_pdf_reader(kontor_app::incoming::PdfReader::InProcess);
        if let Some(clock) = self.clock {
            app = app.with_clock(clock);
        }
        if let Some(backups) = self.backups {
            app = app.with_backups(backups);
        }
        let mut options = self.options;
        if self.tls {
            options.transport.tls = true;
        }
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let application = Application::build(app.clone(), options, listen)
            .await
            .expect("bind 127.0.0.1 port 0");
        let addr = application.address();
        let tls = if self.tls {
            let dir = tempfile::tempdir().expect("tempdir");
            let cert = crate::tls::write_self_signed(dir.path());
            let redirect = tokio::net::TcpListener::bind(listen)
                .await
                .expect("bind the redirect listener");
            let redirect_addr = redirect.local_addr().expect("address");
            let files = TlsFiles {
                cert: dir.path().join("cert.pem"),
                key: dir.path().join("key.pem"),
            };
            tokio::spawn(application.run_tls(files, Some(redirect), TLS_RELOAD));
            Some(TlsServer {
                dir,
                cert,
                redirect: redirect_addr,
            })
        } else {
            tokio::spawn(application.run_until_stopped());
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        TestApp {
            api: Api::new(format!("{scheme}://{addr}"), token),
            addr,
            store,
            app,
            tls,
            db,
        }
    }
}

impl Deref for TestApp {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    /// The app with default options and an admin token.
    pub async fn spawn() -> TestApp {
        TestApp::builder().spawn().await
    }

    /// A fresh installation: default options, no users yet.
    pub async fn first_run() -> TestApp {
        TestApp::builder().first_run().spawn().await
    }

    /// Default options, the system clock, no backups, plain HTTP, an admin token.
    pub fn builder() -> Spawn {
        Spawn {
            options: ServerOptions::default(),
            clock: None,
            backups: None,
            tls: false,
            admin: true,
        }
    }

    /// The TLS side of an app spawned with [`Spawn::tls`].
    #[track_caller]
    pub fn tls(&self) -> &TlsServer {
        self.tls.as_ref().expect("spawned with Spawn::tls")
    }

    /// Today on the app's clock.
    pub fn today(&self) -> NaiveDate {
        self.app.today()
    }

    /// A token of a new user `<role>-user` with this role.
    pub async fn token_for(&self, role: Role) -> String {
        new_token(&self.store, &format!("{}-user", role.as_str()), role).await
    }

    /// A new user with the kit's [`PASSWORD`].
    pub async fn user(&self, name: &str, role: Role) -> User {
        self.store
            .create_user(&Actor::system(), name, PASSWORD, role)
            .await
            .expect("user")
    }

    /// A browser (cookie jar, no redirects) for this app.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Posts the login form from `browser`.
    pub async fn login(
        &self,
        browser: &reqwest::Client,
        name: &str,
        password: &str,
    ) -> reqwest::Response {
        browser
            .post(self.url("/login"))
            .form(&[("username", name), ("password", password)])
            .send()
            .await
            .expect("login request")
    }

    /// A logged-in browser of a new user with `role`, and its CSRF token.
    pub async fn login_as(&self, name: &str, role: Role) -> (Browser, String) {
        self.user(name, role).await;
        let b = self.browser();
        let r = b.login(name, PASSWORD).await;
        assert_eq!(r.status(), 303, "login redirects");
        let csrf = b.csrf().await;
        (b, csrf)
    }

    /// The CSRF token on the start page as `browser` sees it.
    pub async fn csrf(&self, browser: &reqwest::Client) -> String {
        csrf_of(&self.text(browser, "/").await)
    }

    /// The body of a page as `browser` sees it.
    pub async fn text(&self, browser: &reqwest::Client, path: &str) -> String {
        browser
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    }
}

/// A new user with this name and role, and an API token of theirs.
pub async fn new_token(store: &Store, username: &str, role: Role) -> String {
    let user = store
        .create_user(&Actor::system(), username, PASSWORD, role)
        .await
        .expect("user");
    store
        .create_token(&Actor::system(), user.id, "tests", None)
        .await
        .expect("token")
        .1
}
