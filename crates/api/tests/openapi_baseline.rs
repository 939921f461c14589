//! The OpenAPI document only grows: every path, operation, parameter, response and schema of
//! the saved baseline (the document before the service layer moved out of the server crate)
//! is still there, unchanged (summaries and descriptions may be reworded); new ones may be
//! added. One correction was made to the saved baseline itself: three optional nullable fields
//! of ContactInput were nullable twice (`"type": [["integer", "null"], "null"]`, `null` twice
//! in an enum), which is not JSON Schema; they read `["integer", "null"]` now, as the API
//! always accepted them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use serde_json::Value;

const BASELINE: &str = include_str!("openapi-baseline.json");

/// Where `current` lacks or changes something of `baseline`, one line per place.
fn missing(baseline: &Value, current: &Value, at: &str, out: &mut Vec<String>) {
    match (baseline, current) {
        (Value::Object(b), Value::Object(c)) => {
            for (key, bv) in b {
                let here = format!("{at}/{key}");
                // Prose for people may be reworded; it is not part of the contract.
                if (key == "summary" || key == "description") && bv.is_string() {
                    if c.get(key).is_none_or(|cv| !cv.is_string()) {
                        out.push(format!("{here}: gone"));
                    }
                    continue;
                }
                match c.get(key) {
                    Some(cv) => missing(bv, cv, &here, out),
                    None => out.push(format!("{here}: gone")),
                }
            }
        }
        // Lists (enums, tags, parameters, required fields) keep every entry they had;
        // an object entry must reappear with at least its old content.
        (Value::Array(b), Value::Array(c)) => {
            for (i, bv) in b.iter().enumerate() {
                let found = c.iter().any(|cv| {
                    let mut inner = Vec::new();
                    missing(bv, cv, "", &mut inner);
                    inner.is_empty()
                });
                if !found {
                    out.push(format!("{at}[{i}]: {bv} gone"));
                }
            }
        }
        (b, c) if b != c => out.push(format!("{at}: was {b}, is {c}")),
        _ => {}
    }
}

#[test]
fn the_document_is_the_baseline_or_a_superset_of_it() {
    let mut baseline: Value = serde_json::from_str(BASELINE).unwrap();
    let mut current = kontor_api::openapi::document(&kontor_api::routes());
    // The version follows the crate; it is not part of the contract.
    baseline["info"]["version"] = Value::Null;
    current["info"]["version"] = Value::Null;
    let mut problems = Vec::new();
    missing(&baseline, &current, "", &mut problems);
    assert!(
        problems.is_empty(),
        "the API lost or changed:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_notices_a_lost_operation_and_a_changed_schema() {
    let baseline: Value = serde_json::from_str(BASELINE).unwrap();
    let mut current = baseline.clone();
    let paths = current["paths"].as_object_mut().unwrap();
    let first = paths.keys().next().unwrap().clone();
    paths.remove(&first);
    let mut problems = Vec::new();
    missing(&baseline, &current, "", &mut problems);
    assert_eq!(problems, vec![format!("/paths/{first}: gone")]);

    let mut changed = baseline.clone();
    let schemas = changed["components"]["schemas"].as_object_mut().unwrap();
    let (name, schema) = schemas.iter_mut().next().unwrap();
    let name = name.clone();
    schema["type"] = Value::String("changed".into());
    let mut problems = Vec::new();
    missing(&baseline, &changed, "", &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with(&format!("/components/schemas/{name}/type")));
}
