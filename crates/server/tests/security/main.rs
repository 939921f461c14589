//! Transport and login security over real sockets: TLS policy, certificate reload, the
//! redirect listener, trusted proxies, security headers and cookies, brute-force throttling,
//! session fixation and timeouts, CSRF, roles on pages and API, and two-factor login.

mod login;
mod roles;
mod tls;
mod two_factor;

use std::sync::Arc;

use kontor_server::{ServerOptions, Transport};
use kontor_storage::testing::TestStore;
use kontor_storage::{Actor, Role, Store, User};
use reqwest::redirect::Policy;

pub const PASSWORD: &str = "correct horse battery staple";

/// The app on a random 127.0.0.1 port with chosen page settings and transport.
pub struct App {
    pub base: String,
    pub store: Store,
    _db: TestStore,
}

impl App {
    pub async fn spawn() -> App {
        App::spawn_with(|_| {}, Transport::default()).await
    }

    pub async fn spawn_with(tune: impl FnOnce(&mut ServerOptions), transport: Transport) -> App {
        let db = TestStore::new().await.expect("test store");
        let store = db.store.clone();
        let mut options = ServerOptions::default().with_transport(transport);
        tune(&mut options);
        let router = kontor_server::router(kontor_app::App::new(store.clone()), options);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(kontor_server::serve_router(router, listener));
        App {
            base: format!("http://{addr}"),
            store,
            _db: db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    pub async fn user(&self, name: &str, role: Role) -> User {
        self.store
            .create_user(&Actor::system(), name, PASSWORD, role)
            .await
            .expect("user")
    }

    pub async fn login(
        &self,
        b: &reqwest::Client,
        name: &str,
        password: &str,
    ) -> reqwest::Response {
        b.post(self.url("/login"))
            .form(&[("username", name), ("password", password)])
            .send()
            .await
            .expect("login request")
    }

    /// A logged-in browser of a new user with `role`, and its CSRF token.
    pub async fn login_as(&self, name: &str, role: Role) -> (reqwest::Client, String) {
        self.user(name, role).await;
        let b = self.browser();
        let r = self.login(&b, name, PASSWORD).await;
        assert_eq!(r.status(), 303, "login redirects");
        let csrf = self.csrf(&b).await;
        (b, csrf)
    }

    pub async fn csrf(&self, b: &reqwest::Client) -> String {
        csrf_of(&self.text(b, "/").await)
    }

    pub async fn text(&self, b: &reqwest::Client, path: &str) -> String {
        b.get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    }
}

pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("data-csrf=\"")
        .expect("page carries a CSRF token")
        + 11;
    html[start..start + 64].to_string()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

/// The text between `<code id="ID">` and `</code>`.
pub fn code_text(html: &str, id: &str) -> String {
    let marker = format!("<code id=\"{id}\">");
    let start = html.find(&marker).expect("element present") + marker.len();
    let end = html[start..].find("</code>").expect("closing tag") + start;
    html[start..end].to_string()
}

pub fn trusted_localhost() -> Transport {
    Transport {
        tls: false,
        trusted_proxies: vec!["127.0.0.1".parse().expect("address")],
    }
}

pub type Shared<T> = Arc<T>;
