//! A browser as the pages see it: cookies kept, redirects not followed, forms with `_csrf`.

use std::ops::Deref;

/// A cookie-keeping client of one server that does not follow redirects.
///
/// Dereferences to its `reqwest::Client`: `b.get(app.url("/contacts"))` works as on any client.
#[derive(Clone)]
pub struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Deref for Browser {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Browser {
    /// A browser for the server at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: impl Into<String>) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.into(),
        }
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Posts the login form.
    pub async fn login(&self, name: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/login"))
            .form(&[("username", name), ("password", password)])
            .send()
            .await
            .expect("login request")
    }

    /// The body of a page.
    pub async fn text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    }

    /// The CSRF token of this browser's session, read from the start page.
    pub async fn csrf(&self) -> String {
        csrf_of(&self.text("/").await)
    }

    /// Posts a form with `_csrf` set to `csrf` and then the given fields.
    pub async fn submit(
        &self,
        path: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("_csrf", csrf)];
        form.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("form posted")
    }
}

/// The CSRF token a page carries (`data-csrf="…"`, 64 hex digits).
#[track_caller]
pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("data-csrf=\"")
        .expect("page carries a CSRF token")
        + 11;
    html[start..start + 64].to_string()
}

/// The `Location` header, empty when there is none.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Every `Set-Cookie` header.
pub fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}
