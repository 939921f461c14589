//! Spawning the app and talking to it.

use kontor_storage::testing::TestStore;
use kontor_storage::{Actor, Role, Store};
use reqwest::Method;
use serde_json::{Value, json};

pub const PASSWORD: &str = "a long enough passphrase";

/// The running app and an admin token.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    pub store: Store,
    _db: TestStore,
}

/// A response: status and JSON body (`Null` when empty, a string when not JSON).
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

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db = TestStore::new().await.expect("test store");
        let store = db.store.clone();
        let token = new_token(&store, "chefin", Role::Admin).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let router = kontor_server::router(kontor_app::App::new(store.clone()), Default::default());
        tokio::spawn(kontor_server::serve_router(router, listener));
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            token,
            store,
            _db: db,
        }
    }

    /// A token of a new user with this role.
    pub async fn token_for(&self, role: Role) -> String {
        new_token(&self.store, &format!("{}-user", role.as_str()), role).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
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

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.token), None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(&self.token),
            Some(body.to_string()),
        )
        .await
    }
    pub async fn post_raw(&self, path: &str, body: &str) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(&self.token),
            Some(body.to_string()),
        )
        .await
    }
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(&self.token), Some(body.to_string()))
            .await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, Some(&self.token), None)
            .await
    }

    /// Fills in a company profile complete enough to issue invoices.
    pub async fn setup_company(&self) {
        self.put("/api/v1/company", company()).await.expect(200);
    }

    /// Creates a complete customer and returns its id.
    pub async fn customer(&self) -> i64 {
        let body = json!({"name": "Kunde AG", "street": "Weg 2", "postal_code": "80331", "city": "München"});
        id(&self.post("/api/v1/contacts", body).await.expect(201))
    }

    /// Creates a draft from a body and returns it.
    pub async fn draft(&self, body: Value) -> Value {
        self.post("/api/v1/documents", body).await.expect(201)
    }

    /// Creates and issues a document of `doc_type` with one line `quantity × price @ 19 %`.
    pub async fn issued(&self, doc_type: &str, contact: i64, price: &str) -> Value {
        let draft = self.draft(simple_document(doc_type, contact, price)).await;
        self.post(
            &format!("/api/v1/documents/{}/issue", id(&draft)),
            json!({}),
        )
        .await
        .expect(200)
    }
}

async fn new_token(store: &Store, username: &str, role: Role) -> String {
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

pub fn company() -> Value {
    json!({
        "name": "Muster GmbH", "street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin",
        "country": "DE", "vat_id": "DE123456789", "iban": "DE89 3704 0044 0532 0130 00",
        "contact_email": "info@muster.de", "default_payment_terms_days": 14
    })
}

/// A document body with one item line of 1 × `price` at 19 % and a delivery date.
pub fn simple_document(doc_type: &str, contact: i64, price: &str) -> Value {
    json!({
        "type": doc_type, "contact_id": contact, "date": today(), "delivery_date": today(),
        "lines": [{"description": "Beratung", "quantity": "1", "unit": "HUR", "unit_price": price, "vat_rate": "19"}]
    })
}

pub fn today() -> String {
    chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

pub fn year() -> String {
    chrono::Local::now().date_naive().format("%Y").to_string()
}

#[track_caller]
pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}
