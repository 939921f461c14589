//! The JSON API as a test calls it: a bearer token, JSON in, status and JSON out.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{fixtures, id};

/// A client of one server's API with one token (the admin's for a [`crate::TestApp`]).
#[derive(Clone)]
pub struct Api {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    pub client: reqwest::Client,
    /// Sent as `Authorization: Bearer …` by the shorthand calls; empty for none.
    pub token: String,
}

/// A response: status and JSON body (`Null` when empty, a string when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub content_type: String,
}

impl Reply {
    /// Asserts a status and returns the body; shows the body on failure.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status, body: {}",
            self.body
        );
        self.body
    }

    /// Asserts a JSON error with this status, code and field.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str, field: Option<&str>) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "error is not JSON: {}",
            self.content_type
        );
        let body = self.expect(status);
        assert_eq!(body["code"], code, "code in {body}");
        assert_eq!(body["field"].as_str(), field, "field in {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "message in {body}"
        );
        body
    }
}

impl Api {
    pub fn new(base: impl Into<String>, token: impl Into<String>) -> Api {
        Api {
            base: base.into(),
            client: reqwest::Client::new(),
            token: token.into(),
        }
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with this client's token, for what the shorthand calls do not cover (bytes,
    /// headers).
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        if self.token.is_empty() {
            request
        } else {
            request.bearer_auth(&self.token)
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = response.text().await.expect("response body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            content_type,
        }
    }

    /// A call with another user's token.
    pub async fn as_user(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        self.send(method, path, Some(token), body.map(|b| b.to_string()))
            .await
    }

    fn own_token(&self) -> Option<&str> {
        Some(self.token.as_str()).filter(|t| !t.is_empty())
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, self.own_token(), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, self.own_token(), Some(body.to_string()))
            .await
    }

    /// A POST of a body as it is (not necessarily JSON).
    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        self.send(Method::POST, path, self.own_token(), Some(body.to_string()))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, self.own_token(), Some(body.to_string()))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, self.own_token(), None)
            .await
    }

    /// Puts the complete company profile of [`fixtures::company_json`].
    pub async fn setup_company(&self) {
        self.put("/api/v1/company", fixtures::company_json())
            .await
            .expect(200);
    }

    /// Creates the customer of [`fixtures::customer_json`] and returns its id.
    pub async fn customer(&self) -> i64 {
        id(&self
            .post("/api/v1/contacts", fixtures::customer_json())
            .await
            .expect(201))
    }

    /// Creates a draft from a body and returns it.
    pub async fn draft(&self, body: Value) -> Value {
        self.post("/api/v1/documents", body).await.expect(201)
    }

    /// Creates and issues a document of `doc_type` with one line `1 × price @ 19 %`.
    pub async fn issued(&self, doc_type: &str, contact: i64, price: &str) -> Value {
        let draft = self
            .draft(fixtures::simple_document(doc_type, contact, price))
            .await;
        self.post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await
        .expect(200)
    }
}
