//! The OpenAPI 3.1 document, assembled from the route table and the schemas below.

use std::sync::OnceLock;

use axum::Json;
use serde_json::{Map, Value, json};

use super::{PREFIX, Route, routes};

/// `GET /api/v1/openapi.json` (no token needed).
pub async fn serve() -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(|| document(&routes())).clone())
}

/// Builds the whole document from the routes.
pub fn document(routes: &[Route]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let entry = paths
            .entry(format!("{PREFIX}{}", route.path))
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_lowercase()] = operation(route);
    }
    let plain = |summary: &str| {
        json!({"get": {"summary": summary, "security": [], "responses": {
            "200": {"description": "yes", "content": {"text/plain": {"schema": {"type": "string"}}}},
            "503": {"description": "no", "content": {"text/plain": {"schema": {"type": "string"}}}},
        }}})
    };
    paths.insert("/healthz".into(), plain("Whether the process is up"));
    paths.insert(
        "/readyz".into(),
        plain("Whether the database answers and its schema is current"),
    );
    paths.insert(
        format!("{PREFIX}/openapi.json"),
        json!({"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kontor API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Invoicing for German small businesses. Amounts, quantities and rates are decimal strings; dates are YYYY-MM-DD. Every call needs `Authorization: Bearer TOKEN`.",
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

fn operation(route: &Route) -> Value {
    let mut parameters: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = if name == "id" {
                ty("integer")
            } else {
                ty("string")
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect();
    parameters.extend(route.query.iter().map(|name| {
        let mut param = json!({"name": name, "in": "query", "required": false, "schema": query_type(route.path, name)});
        if let Some(description) = query_description(name) {
            param["description"] = description.into();
        }
        param
    }));
    if route.idempotent {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "A new unique key (e.g. a UUID) per request. Sending the request again with the same key (after a timeout or a lost answer) returns the first answer, with the header `Idempotency-Replayed: true`, and creates nothing. Keys belong to the calling user and are kept 24 hours; the same key with a different request is refused with 422.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }));
    }
    let success = match route.response {
        None if route.file.is_some() => {
            let media = route.file.unwrap_or("application/octet-stream");
            json!({"description": "the file", "content": {media: {"schema": {"type": "string", "format": "binary"}}}})
        }
        Some(schema) => {
            json!({"description": "success", "content": {"application/json": {"schema": reference(schema)}}})
        }
        None => json!({"description": "done, no content"}),
    };
    let error = json!({"description": "error", "content": {"application/json": {"schema": reference("Error")}}});
    let mut op = json!({
        "summary": route.summary,
        "operationId": operation_id(route),
        "parameters": parameters,
        "responses": {route.status.to_string(): success, "4XX": error.clone(), "5XX": error},
        "x-required-role": route.access.describe(),
    });
    if let Some(body) = route.body {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": reference(body)}}});
    }
    op
}

fn operation_id(route: &Route) -> String {
    let path: String = route
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!(
        "{}{}",
        route.method.as_str().to_lowercase(),
        path.trim_end_matches('_')
    )
}

fn query_type(path: &str, name: &str) -> Value {
    use kontor_app::model::{ArticleSort, ContactSort, DocumentSort, Sort, StatusFilter};
    let one_of = |values: Vec<String>| json!({"type": "string", "enum": values});
    match name {
        "sort" => one_of(match path {
            "/contacts" => Sort::<ContactSort>::all_params(),
            "/articles" => Sort::<ArticleSort>::all_params(),
            _ => Sort::<DocumentSort>::all_params(),
        }),
        "status" => one_of(
            StatusFilter::ALL
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        ),
        "amount" => ty("string"),
        "page" | "per_page" | "contact_id" => ty("integer"),
        "include_archived" | "include_inactive" | "open" => ty("boolean"),
        "date_from" | "date_to" => ty("date"),
        "type" => ty(DOC_TYPES),
        _ => ty("string"),
    }
}

/// What a list's query parameter does, where its name does not say it all.
fn query_description(name: &str) -> Option<&'static str> {
    Some(match name {
        "sort" => {
            "The order: a column, ascending, or with a leading `-` descending (`-date`). Ties go by id in the same direction; without `sort` the newest come first. Any other value is refused with 422 naming `sort`."
        }
        "status" => {
            "`draft`, `issued`, `cancelled` (the stored state); `open` (issued invoices with something left to pay); `partially_paid`, `overdue`, `paid` (the payment status the list shows today). Any other value is refused with 422 naming `status`."
        }
        "amount" => {
            "Only documents with this gross total, e.g. `1271.64` (`1.271,64` and `1271,64` are read too); a correction shown as -1271.64 matches as well. Anything that is not an amount is refused with 422 naming `amount`."
        }
        "search" => {
            "Text in the number, name or subject; for documents also a gross total written as an amount (`1.271,64`)."
        }
        _ => return None,
    })
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A schema from a short type spec: `string`, `integer`, `boolean`, `decimal`, `money`, `date`,
/// `datetime`, `object`, `a|b|c` (an enumeration), `[T]` (an array), `Name` (a reference);
/// a trailing `?` allows null.
fn ty(spec: &str) -> Value {
    if spec.ends_with('?') {
        // A field that is optional in a request and nullable in its own spec ("integer?" made
        // optional again) is nullable once: `["integer", "null"]`, one null in an enum.
        return match ty(spec.trim_end_matches('?')) {
            Value::Object(mut o) if o.contains_key("type") => {
                let t = o.remove("type").unwrap_or(Value::Null);
                o.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = o.get_mut("enum") {
                    values.push(Value::Null);
                }
                Value::Object(o)
            }
            other => json!({"oneOf": [other, {"type": "null"}]}),
        };
    }
    if let Some(inner) = spec.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return json!({"type": "array", "items": ty(inner)});
    }
    match spec {
        "string" => json!({"type": "string"}),
        "integer" => json!({"type": "integer", "format": "int64"}),
        "boolean" => json!({"type": "boolean"}),
        "decimal" => {
            json!({"type": "string", "format": "decimal", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"})
        }
        "money" => {
            json!({"type": "string", "format": "decimal", "pattern": "^-?[0-9]+\\.[0-9]{2}$"})
        }
        "date" => json!({"type": "string", "format": "date"}),
        "datetime" => json!({"type": "string", "format": "date-time"}),
        "object" => json!({"type": "object"}),
        s if s.contains('|') => json!({"type": "string", "enum": s.split('|').collect::<Vec<_>>()}),
        name => reference(name),
    }
}

/// An object schema; `required` lists the fields a request must have (for responses: all).
fn object(fields: &[(&str, &str)], required: &[&str]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|(name, spec)| (name.to_string(), ty(spec)))
        .collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// A response object: every field is always present.
fn response(fields: &[(&str, &str)]) -> Value {
    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    object(fields, &names)
}

/// Request fields: the same names, each optional (and nullable) unless listed as required.
fn request(fields: &[(&str, &str)], required: &[&str]) -> Value {
    let optional: Vec<(&str, String)> = fields
        .iter()
        .map(|(n, s)| {
            (
                *n,
                if required.contains(n) {
                    s.to_string()
                } else {
                    format!("{s}?")
                },
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = optional.iter().map(|(n, s)| (*n, s.as_str())).collect();
    object(&borrowed, required)
}

fn page_of(item: &str) -> Value {
    response(&[
        ("items", &format!("[{item}]")),
        ("page", "integer"),
        ("per_page", "integer"),
        ("total", "integer"),
    ])
}

const DOC_TYPES: &str =
    "quote|order_confirmation|delivery_note|invoice|down_payment_invoice|credit_note|cancellation";
const TAX_MODES: &str = "standard|small_business|reverse_charge|intra_eu|export";
const PAYMENT_METHODS: &str = "transfer|direct_debit";
const STATUSES: &str =
    "draft|issued|open|partially_paid|paid|overdue|cancelled|accepted|declined|expired";

const COMPANY: &[(&str, &str)] = &[
    ("name", "string"),
    ("legal_form", "string"),
    ("street", "string"),
    ("postal_code", "string"),
    ("city", "string"),
    ("country", "string"),
    ("tax_number", "string"),
    ("vat_id", "string"),
    ("registry", "string"),
    ("managing_directors", "string"),
    ("contact_name", "string"),
    ("contact_phone", "string"),
    ("contact_email", "string"),
    ("iban", "string"),
    ("bic", "string"),
    ("bank_name", "string"),
    ("small_business", "boolean"),
    ("default_payment_terms_days", "integer"),
    ("default_skonto", "[SkontoStep]"),
    ("creditor_id", "string"),
];

const CONTACT_DATA: &[(&str, &str)] = &[
    ("kind", "company|person"),
    ("name", "string"),
    ("street", "string"),
    ("postal_code", "string"),
    ("city", "string"),
    ("country", "string"),
    ("delivery_street", "string"),
    ("delivery_postal_code", "string"),
    ("delivery_city", "string"),
    ("delivery_country", "string"),
    ("vat_id", "string"),
    ("tax_number", "string"),
    ("email", "string"),
    ("phone", "string"),
    ("buyer_reference", "string"),
    ("einvoice_format", "zugferd|xrechnung_ubl|xrechnung_cii"),
    ("language", "de|en"),
    ("currency", "string"),
    ("payment_terms_days", "integer?"),
    ("skonto", "[SkontoStep]?"),
    ("payment_method", PAYMENT_METHODS),
    ("sepa_mandate_reference", "string"),
    ("sepa_debtor_iban", "string"),
    (
        "tax_mode",
        "standard|small_business|reverse_charge|intra_eu|export?",
    ),
    ("is_customer", "boolean"),
    ("is_supplier", "boolean"),
    ("notes", "string"),
];

const ARTICLE_INPUT: &[(&str, &str)] = &[
    ("number", "string"),
    ("name", "string"),
    ("description", "string"),
    ("unit", "string"),
    ("unit_price", "decimal"),
    ("vat_rate", "decimal"),
    ("active", "boolean"),
];

const LINE_INPUT: &[(&str, &str)] = &[
    ("kind", "item|optional|text"),
    ("article_id", "integer"),
    ("description", "string"),
    ("quantity", "decimal"),
    ("unit", "string"),
    ("unit_price", "decimal"),
    ("vat_rate", "decimal"),
    ("discount_percent", "decimal"),
];

const DOCUMENT_INPUT: &[(&str, &str)] = &[
    ("type", DOC_TYPES),
    ("contact_id", "integer"),
    ("date", "date"),
    ("delivery_date", "date"),
    ("due_date", "date"),
    ("payment_terms_days", "integer"),
    ("tax_mode", TAX_MODES),
    ("currency", "string"),
    ("language", "de|en"),
    ("discount_percent", "decimal"),
    ("prepaid_amount", "decimal"),
    ("skonto", "[SkontoStep]"),
    ("payment_method", PAYMENT_METHODS),
    ("exchange_rate", "decimal"),
    ("subject", "string"),
    ("intro_text", "string"),
    ("closing_text", "string"),
    ("version", "integer"),
    ("lines", "[LineInput]"),
];

fn with(
    base: &[(&'static str, &'static str)],
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    base.iter().chain(extra).copied().collect()
}

fn schemas() -> Value {
    let mut line = LINE_INPUT.to_vec();
    line.retain(|(n, _)| *n != "article_id");
    line.extend([("article_id", "integer?"), ("net", "money")]);
    let mut contact = with(
        CONTACT_DATA,
        &[
            ("id", "integer"),
            ("number", "string"),
            ("archived", "boolean"),
        ],
    );
    contact.extend([("created_at", "datetime"), ("updated_at", "datetime")]);
    let article_out = with(
        ARTICLE_INPUT,
        &[
            ("id", "integer"),
            ("created_at", "datetime"),
            ("updated_at", "datetime"),
        ],
    );
    json!({
        "Error": object(
            &[("error", "string"), ("code", "string"), ("field", "string?"), ("problems", "[Problem]"), ("reference", "string")],
            &["error", "code", "field"],
        ),
        "Problem": response(&[("field", "string"), ("code", "string"), ("message", "string")]),
        "Company": response(COMPANY),
        "CompanyInput": request(COMPANY, &[]),
        "DocumentLook": request(
            &[("accent", "string"), ("tagline", "string"), ("font", "liberation-sans|liberation-serif|dejavu-sans"), ("columns", "object"), ("template", "string")],
            &[],
        ),
        "MailboxSettings": response(&[
            ("configured", "boolean"), ("host", "string"), ("port", "integer"), ("security", "imaps|starttls|plain"),
            ("username", "string"), ("password_set", "boolean"), ("folder", "string"), ("folder_imported", "string"),
            ("folder_faulty", "string"), ("folder_without_invoice", "string"), ("interval_minutes", "integer"),
            ("ca_certificate", "string"),
        ]),
        "MailboxSettingsInput": request(
            &[
                ("host", "string"), ("port", "integer"), ("security", "imaps|starttls|plain"), ("username", "string"),
                ("password", "string"), ("folder", "string"), ("folder_imported", "string"), ("folder_faulty", "string"),
                ("folder_without_invoice", "string"), ("interval_minutes", "integer"), ("ca_certificate", "string"),
            ],
            &[],
        ),
        "MailboxReport": response(&[
            ("started_at", "datetime"), ("finished_at", "datetime"), ("started_by", "string"), ("server", "string"),
            ("folder", "string"), ("mails_seen", "integer"), ("imported", "integer"), ("duplicates", "integer"),
            ("invalid", "integer"), ("refused", "integer"), ("without_invoice", "integer"), ("waiting", "integer"),
            ("mails", "[MailboxMail]"), ("errors", "[string]"), ("failed", "boolean"),
        ]),
        "MailboxMail": response(&[
            ("subject", "string"), ("from", "string"), ("message_id", "string"),
            ("outcome", "imported|faulty|without_invoice|kept"), ("folder", "string"),
            ("attachments", "[MailboxAttachment]"), ("note", "string"),
        ]),
        "MailboxAttachment": response(&[
            ("name", "string"), ("result", "imported|duplicate|invalid|refused|skipped|failed"),
            ("incoming_id", "integer?"), ("note", "string"),
        ]),
        "BackupStarted": response(&[("id", "string")]),
        "BackupOverview": response(&[("hosted", "boolean"), ("every", "string"), ("keep_days", "integer"), ("targets", "[string]"), ("runs", "[BackupRun]")]),
        "BackupRun": response(&[
            ("id", "string"), ("started_at", "datetime"), ("finished_at", "datetime?"), ("result", "running|ok|partial|failed"),
            ("size_bytes", "integer"), ("targets", "[BackupTarget]"), ("error", "string?"),
        ]),
        "BackupTarget": response(&[("target", "string"), ("ok", "boolean"), ("error", "string?"), ("deleted", "[string]")]),
        "Contact": response(&contact),
        "ContactInput": request(&with(CONTACT_DATA, &[("archived", "boolean")]), &["name"]),
        "ContactPage": page_of("Contact"),
        "Article": response(&article_out),
        "ArticleInput": request(ARTICLE_INPUT, &["name"]),
        "ArticlePage": page_of("Article"),
        "LineInput": request(LINE_INPUT, &[]),
        "Line": response(&line),
        "DocumentInput": request(DOCUMENT_INPUT, &["contact_id"]),
        "SkontoStep": object(&[("days", "integer"), ("percent", "decimal")], &["days", "percent"]),
        "VatGroup": response(&[("category", "S|Z|E|AE|K|G"), ("rate", "decimal"), ("taxable", "money"), ("vat", "money")]),
        "Totals": response(&[
            ("line_total", "money"), ("allowance_total", "money"), ("net", "money"), ("vat", "money"),
            ("gross", "money"), ("down_payments", "money"), ("prepaid", "money"), ("due", "money"),
            ("vat_breakdown", "[VatGroup]"),
        ]),
        "DeductedVat": response(&[("category", "S|Z|E|AE|K|G"), ("rate", "decimal"), ("net", "money"), ("vat", "money")]),
        "DownPayment": response(&[
            ("number", "string"), ("date", "date"), ("net", "money"), ("vat", "money"), ("gross", "money"),
            ("open", "money"), ("vat_breakdown", "[DeductedVat]"),
        ]),
        "Document": response(&[
            ("id", "integer"), ("type", DOC_TYPES), ("status", STATUSES), ("state", "draft|issued|cancelled"),
            ("number", "string?"), ("contact_id", "integer"), ("date", "date"), ("delivery_date", "date?"),
            ("due_date", "date?"), ("tax_mode", TAX_MODES), ("currency", "string"), ("language", "de|en"),
            ("discount_percent", "decimal"), ("prepaid_amount", "money"), ("down_payments", "[DownPayment]"),
            ("skonto", "[SkontoStep]"),
            ("payment_method", PAYMENT_METHODS), ("exchange_rate", "decimal?"), ("vat_in_eur", "money?"),
            ("subject", "string"),
            ("intro_text", "string"), ("closing_text", "string"), ("source_id", "integer?"),
            ("corrects_id", "integer?"), ("cancelled_by_id", "integer?"), ("valid_until", "date?"),
            ("outcome", "accepted|declined?"), ("locked", "boolean"), ("paid", "money"),
            ("open_amount", "money"), ("lines", "[Line]"), ("totals", "Totals"), ("legal_note", "string?"),
            ("seller", "Company?"), ("buyer", "ContactData?"), ("issued_at", "datetime?"),
            ("created_at", "datetime"), ("updated_at", "datetime"), ("version", "integer"),
        ]),
        "ContactData": response(CONTACT_DATA),
        "DocumentSummary": response(&[
            ("id", "integer"), ("type", DOC_TYPES), ("status", STATUSES), ("number", "string?"),
            ("contact_id", "integer"), ("contact_name", "string"), ("date", "date"), ("due_date", "date?"),
            ("currency", "string"), ("net", "money"), ("vat", "money"), ("gross", "money"), ("due", "money"),
            ("paid", "money"), ("open_amount", "money"),
        ]),
        "DocumentSummaryPage": page_of("DocumentSummary"),
        "IssueCheck": response(&[
            ("ready", "boolean"), ("problems", "[Problem]"), ("warnings", "[Problem]"),
            ("einvoice", "EinvoiceOutlook"),
        ]),
        "EinvoiceOutlook": response(&[
            ("zugferd", "boolean"), ("xrechnung", "boolean"), ("xrechnung_missing", "[Problem]"),
        ]),
        "DeriveInput": request(&[("type", DOC_TYPES), ("date", "date")], &["type"]),
        "CancelInput": request(&[("date", "date"), ("reason", "string")], &[]),
        "OutcomeInput": request(&[("outcome", "accepted|declined?")], &["outcome"]),
        "PaymentInput": request(
            &[("date", "date"), ("amount", "decimal"), ("method", "bank_transfer|cash|card|direct_debit|paypal|other"), ("note", "string")],
            &["amount"],
        ),
        "Payment": response(&[
            ("id", "integer"), ("document_id", "integer"), ("date", "date"), ("amount", "money"), ("method", "string"),
            ("note", "string"), ("created_at", "datetime"), ("created_by", "string"),
            ("reverses_id", "integer?"), ("reversed", "boolean"),
        ]),
        "ReversalInput": request(&[("date", "date"), ("reason", "string")], &["reason"]),
        "PaymentPage": page_of("Payment"),
        "Incoming": response(&[
            ("id", "integer"), ("status", "received|checked|approved|paid|rejected"), ("format", "ubl|cii|facturx|pdf"),
            ("valid", "boolean"), ("findings", "[Finding]"), ("seller", "IncomingSeller"), ("contact_id", "integer?"),
            ("number", "string"), ("issue_date", "date?"), ("due_date", "date?"), ("skonto", "IncomingSkonto?"),
            ("currency", "string"), ("credit_note", "boolean"), ("totals", "IncomingTotals"), ("duplicate_of", "integer?"),
            ("reject_reason", "string?"), ("original_name", "string"), ("original_sha256", "string"), ("source", "string"),
            ("received_at", "datetime"), ("received_by", "string"), ("approved_at", "datetime?"), ("approved_by", "string?"),
        ]),
        "Finding": response(&[
            ("rule", "string"), ("severity", "fatal|warning|info"), ("location", "string"), ("message", "string"),
        ]),
        "IncomingSeller": response(&[("name", "string"), ("vat_id", "string"), ("iban", "string")]),
        "IncomingSkonto": response(&[("date", "date"), ("amount", "money")]),
        "IncomingTotals": response(&[
            ("net", "money?"), ("vat", "money?"), ("gross", "money?"), ("due", "money?"), ("paid", "money"), ("open", "money"),
        ]),
        "IncomingPage": page_of("Incoming"),
        "IncomingDetail": response(&[
            ("id", "integer"), ("status", "received|checked|approved|paid|rejected"), ("format", "ubl|cii|facturx|pdf"),
            ("valid", "boolean"), ("findings", "[Finding]"), ("seller", "IncomingSeller"), ("contact_id", "integer?"),
            ("number", "string"), ("issue_date", "date?"), ("due_date", "date?"), ("skonto", "IncomingSkonto?"),
            ("currency", "string"), ("credit_note", "boolean"), ("totals", "IncomingTotals"), ("duplicate_of", "integer?"),
            ("reject_reason", "string?"), ("original_name", "string"), ("original_sha256", "string"), ("source", "string"),
            ("received_at", "datetime"), ("received_by", "string"), ("approved_at", "datetime?"), ("approved_by", "string?"),
            ("invoice", "object?"), ("payments", "[IncomingPayment]"), ("supplier", "IncomingSupplier?"),
        ]),
        "IncomingSupplier": response(&[("contact_id", "integer"), ("name", "string"), ("matched_by", "linked|vat_id|iban|name")]),
        "IncomingHeaderInput": request(
            &[("seller_name", "string"), ("seller_vat_id", "string"), ("seller_iban", "string"), ("number", "string"),
              ("issue_date", "date"), ("due_date", "date"), ("skonto_date", "date"), ("skonto_amount", "decimal"),
              ("currency", "string"), ("credit_note", "boolean"), ("net", "decimal"), ("vat", "decimal"),
              ("gross", "decimal"), ("due", "decimal")],
            &["seller_name", "number", "issue_date", "due"],
        ),
        "RejectInput": request(&[("reason", "string")], &["reason"]),
        "IncomingPayment": response(&[
            ("id", "integer"), ("incoming_id", "integer"), ("date", "date"), ("amount", "money"), ("method", "string"),
            ("note", "string"), ("reverses_id", "integer?"), ("reversed", "boolean"), ("created_at", "datetime"),
            ("created_by", "string"),
        ]),
        "IncomingPaymentInput": request(
            &[("date", "date"), ("amount", "decimal"), ("method", "bank_transfer|cash|card|direct_debit|paypal|other"), ("note", "string")],
            &[],
        ),
        "IncomingPaymentPage": page_of("IncomingPayment"),
        "NumberRange": response(&[
            ("key", "string"), ("pattern", "string"), ("reset", "never|yearly|monthly"), ("first_counter", "integer"),
            ("next_preview", "string"),
        ]),
        "NumberRangeInput": request(&[("pattern", "string"), ("reset", "never|yearly|monthly"), ("first_counter", "integer")], &["pattern", "reset"]),
        "NumberRangePage": page_of("NumberRange"),
        "AuditEntry": response(&[
            ("seq", "integer"), ("at", "datetime"), ("actor", "string"), ("action", "string"), ("entity", "string"),
            ("entity_id", "string"), ("old_value", "object?"), ("new_value", "object?"), ("hash", "string"),
        ]),
        "AuditEntryPage": page_of("AuditEntry"),
        "AuditReport": response(&[("ok", "boolean"), ("entries", "integer"), ("problems", "[string]")]),
    })
}
