//! The list endpoints' sorting and filters: every sortable column, the payment-status
//! filters, the amount filter, and a 422 naming the parameter for anything else.

use serde_json::{Value, json};

use kontor_testkit::fixtures::day;
use kontor_testkit::{TestApp, id};

/// A document body for one line `1 × price @ 19 %` dated `date`, due `due`.
fn invoice(contact: i64, price: &str, date: &str, due: &str) -> Value {
    json!({
        "type": "invoice", "contact_id": contact, "date": date, "delivery_date": date, "due_date": due,
        "lines": [{"description": "Arbeit", "quantity": "1", "unit": "HUR", "unit_price": price, "vat_rate": "19"}]
    })
}

async fn issue(app: &TestApp, body: Value) -> Value {
    let draft = app.draft(body).await;
    app.post(
        &format!("/api/v1/documents/{}/issue", id(&draft)),
        json!({}),
    )
    .await
    .expect(200)
}

async fn pay(app: &TestApp, doc: &Value, amount: &str) {
    app.post(
        &format!("/api/v1/documents/{}/payments", id(doc)),
        json!({"date": "2026-12-01", "amount": amount, "method": "bank_transfer"}),
    )
    .await
    .expect(201);
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .map(|items| items.iter().map(id).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn documents_filter_by_payment_status_and_amount_and_sort_by_any_column() {
    let app = TestApp::builder().on(day("2026-12-10")).spawn().await;
    app.setup_company().await;
    let contact = app.customer().await;
    let overdue = issue(&app, invoice(contact, "100", "2026-11-01", "2026-11-15")).await;
    let partly = issue(
        &app,
        invoice(contact, "1068.60", "2026-11-20", "2026-12-20"),
    )
    .await;
    pay(&app, &partly, "100.00").await;
    let paid = issue(&app, invoice(contact, "50", "2026-10-01", "2026-10-15")).await;
    pay(&app, &paid, paid["totals"]["gross"].as_str().unwrap()).await;
    let draft = app
        .draft(invoice(contact, "10", "2026-12-05", "2026-12-19"))
        .await;

    let found = |query: &str| {
        let app = &app;
        let query = query.to_string();
        async move {
            app.get(&format!("/api/v1/documents?{query}"))
                .await
                .expect(200)
        }
    };
    assert_eq!(ids(&found("status=overdue").await), vec![id(&overdue)]);
    assert_eq!(
        ids(&found("status=partially_paid").await),
        vec![id(&partly)]
    );
    assert_eq!(ids(&found("status=paid").await), vec![id(&paid)]);
    assert_eq!(found("status=paid").await["items"][0]["status"], "paid");
    assert_eq!(ids(&found("status=draft").await), vec![id(&draft)]);

    // The gross total however it is written (1068.60 × 1.19).
    let gross = partly["totals"]["gross"].as_str().unwrap().to_string();
    let german = gross.replace('.', ",");
    for amount in [gross.clone(), german.clone(), format!("1.{}", &german[1..])] {
        let list = found(&format!(
            "amount={}",
            amount.replace(',', "%2C").replace('.', "%2E")
        ))
        .await;
        assert_eq!(ids(&list), vec![id(&partly)], "amount={amount}");
    }
    assert_eq!(
        ids(&found(&format!("search={}", german.replace(',', "%2C"))).await),
        vec![id(&partly)]
    );

    // Sorted by date (oldest first), by amount (largest first); ties by id.
    assert_eq!(
        ids(&found("sort=date").await),
        vec![id(&paid), id(&overdue), id(&partly), id(&draft)]
    );
    assert_eq!(
        ids(&found("sort=-amount").await),
        vec![id(&partly), id(&overdue), id(&paid), id(&draft)]
    );
    assert_eq!(
        ids(&found("sort=status").await),
        vec![id(&draft), id(&partly), id(&overdue), id(&paid)]
    );
    assert_eq!(
        ids(&found("sort=-due_date&per_page=2&page=2").await),
        vec![id(&overdue), id(&paid)]
    );
    assert_eq!(
        ids(&found("status=open&sort=-date").await),
        vec![id(&partly), id(&overdue)]
    );
    for key in ["number", "contact"] {
        for sort in [key.to_string(), format!("-{key}")] {
            assert_eq!(found(&format!("sort={sort}")).await["total"], 4, "{sort}");
        }
    }

    // Anything else is refused, naming the parameter.
    for (query, field, code) in [
        ("sort=id", "sort", "unknown_value"),
        ("sort=-gross_cents", "sort", "unknown_value"),
        (
            "sort=date%3B%20DROP%20TABLE%20documents",
            "sort",
            "unknown_value",
        ),
        ("status=bezahlt", "status", "unknown_value"),
        ("amount=viel", "amount", "invalid"),
        ("amount=1.2.3", "amount", "invalid"),
    ] {
        let body = app
            .get(&format!("/api/v1/documents?{query}"))
            .await
            .expect_error(422, code, Some(field));
        assert!(
            body["error"].as_str().unwrap().contains(field),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn contacts_and_articles_sort_by_their_columns() {
    let app = TestApp::spawn().await;
    for (name, city) in [
        ("Bravo KG", "Aachen"),
        ("alpha AG", "Bonn"),
        ("Charlie", "Köln"),
    ] {
        app.post(
            "/api/v1/contacts",
            json!({"name": name, "street": "Weg 1", "postal_code": "50667", "city": city}),
        )
        .await
        .expect(201);
    }
    let names = |list: Value, field: &str| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[field].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(
            app.get("/api/v1/contacts?sort=-name").await.expect(200),
            "name"
        ),
        ["Charlie", "Bravo KG", "alpha AG"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/contacts?sort=city").await.expect(200),
            "city"
        ),
        ["Aachen", "Bonn", "Köln"]
    );
    app.get("/api/v1/contacts?sort=street")
        .await
        .expect_error(422, "unknown_value", Some("sort"));
    for (name, price) in [("Schrauben", "9.50"), ("Beratung", "120"), ("Buch", "10")] {
        app.post(
            "/api/v1/articles",
            json!({"name": name, "unit": "C62", "unit_price": price, "vat_rate": "19"}),
        )
        .await
        .expect(201);
    }
    // As numbers, not as text ("10" < "120" < "9.50").
    assert_eq!(
        names(
            app.get("/api/v1/articles?sort=unit_price")
                .await
                .expect(200),
            "name"
        ),
        ["Schrauben", "Buch", "Beratung"]
    );
    app.get("/api/v1/articles?sort=price")
        .await
        .expect_error(422, "unknown_value", Some("sort"));
}

#[tokio::test]
async fn the_openapi_document_names_the_sorts_and_statuses() {
    let doc = kontor_api::openapi::document(&kontor_api::routes());
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][format!("/api/v1{path}")]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{path} has no parameter {name}"))
    };
    let values = |p: Value| -> Vec<String> {
        p["schema"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let sorts = values(param("/documents", "sort"));
    for s in [
        "number",
        "-date",
        "contact",
        "-due_date",
        "amount",
        "-status",
    ] {
        assert!(sorts.contains(&s.to_string()), "{s} in {sorts:?}");
    }
    assert!(param("/documents", "sort")["description"].is_string());
    let statuses = values(param("/documents", "status"));
    for s in [
        "draft",
        "issued",
        "cancelled",
        "open",
        "partially_paid",
        "overdue",
        "paid",
    ] {
        assert!(statuses.contains(&s.to_string()), "{s} in {statuses:?}");
    }
    assert_eq!(param("/documents", "amount")["schema"]["type"], "string");
    assert!(values(param("/contacts", "sort")).contains(&"-name".to_string()));
    assert!(values(param("/articles", "sort")).contains(&"unit_price".to_string()));
}
