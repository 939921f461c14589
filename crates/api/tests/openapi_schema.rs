//! The OpenAPI document's schemas are valid JSON Schema (2020-12, the dialect of OpenAPI 3.1),
//! every reference points at a schema that exists, and request bodies validate the way the
//! API reads them, so that generated clients and schema-driven testers can use every route.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use serde_json::{Value, json};

fn document() -> Value {
    kontor_api::openapi::document(&kontor_api::routes())
}

/// Every schema object in the document with where it stands: the components, and the
/// parameters, request bodies and responses of every operation.
fn schemas(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        out.push((format!("components/schemas/{name}"), schema.clone()));
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                out.push((format!("{at} parameter {}", p["name"]), p["schema"].clone()));
            }
            for media in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                out.push((format!("{at} body {}", media.0), media.1["schema"].clone()));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                for media in response["content"].as_object().into_iter().flatten() {
                    out.push((
                        format!("{at} {status} {}", media.0),
                        media.1["schema"].clone(),
                    ));
                }
            }
        }
    }
    out
}

fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                out.push(r.clone());
            }
            o.values().for_each(|v| references(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn every_schema_is_valid_json_schema() {
    let doc = document();
    let all = schemas(&doc);
    assert!(all.len() > 100, "only {} schemas found", all.len());
    let mut invalid = Vec::new();
    for (at, schema) in &all {
        if let Err(e) = jsonschema::meta::validate(schema) {
            invalid.push(format!("{at}: {e}: {schema}"));
        }
    }
    assert!(
        invalid.is_empty(),
        "not JSON Schema:\n{}",
        invalid.join("\n")
    );
}

#[test]
fn every_reference_points_at_a_schema() {
    let doc = document();
    let mut refs = Vec::new();
    references(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}: not a component reference"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} points at nothing"
        );
    }
}

/// A validator for one component, with the document's other components to resolve against.
fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "components": doc["components"].clone(),
        "$ref": format!("#/components/schemas/{name}"),
    });
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn nullable_fields_are_nullable_once_and_bodies_validate_as_the_api_reads_them() {
    let doc = document();
    let contact = &doc["components"]["schemas"]["ContactInput"]["properties"];
    assert_eq!(
        contact["payment_terms_days"]["type"],
        json!(["integer", "null"])
    );
    for (name, property) in contact.as_object().unwrap() {
        if let Some(values) = property["enum"].as_array() {
            let nulls = values.iter().filter(|v| v.is_null()).count();
            assert!(nulls <= 1, "{name}: null {nulls} times in {values:?}");
        }
    }
    let contacts = validator(&doc, "ContactInput");
    assert!(contacts.is_valid(&json!({"name": "Muster GmbH", "payment_terms_days": null})));
    assert!(
        contacts
            .is_valid(&json!({"name": "Muster GmbH", "payment_terms_days": 30, "tax_mode": null}))
    );
    assert!(!contacts.is_valid(&json!({"name": "Muster GmbH", "payment_terms_days": "dreißig"})));
    assert!(!contacts.is_valid(&json!({"name": "Muster GmbH", "no_such_field": 1})));
    let documents = validator(&doc, "DocumentInput");
    assert!(documents.is_valid(&json!({
        "type": "invoice", "contact_id": 1,
        "lines": [{"description": "Beratung", "quantity": "2", "unit_price": "95.00", "vat_rate": "19"}]
    })));
    assert!(!documents.is_valid(&json!({"type": "letter", "contact_id": 1})));
}
