//! Kontor's JSON API under `/api/v1`: one route table from which the router, the access checks
//! and the OpenAPI document are all built, so none of them can miss a route.
// The OpenAPI components are one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

pub mod articles;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod company;
pub mod contacts;
pub mod document_input;
pub mod document_output;
pub mod documents;
pub mod einvoice;
pub mod error;
mod files;
pub mod format;
pub mod idempotency;
pub mod incoming;
pub mod input;
pub mod json;
pub mod numbers;
pub mod openapi;
pub mod payments;
pub mod settings;

use std::collections::BTreeMap;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use kontor_app::model::{Page, Role};
use serde::Serialize;

use crate::auth::Access;
use kontor_app::App;

/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// One route: method, path, who may call it, and what it takes and returns (for OpenAPI).
pub struct Route {
    pub method: Method,
    /// Path below [`PREFIX`], with `{name}` parameters.
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    pub query: &'static [&'static str],
    /// Schema name of the JSON body, if any.
    pub body: Option<&'static str>,
    pub status: u16,
    /// Schema name of the response body; `None` for an empty response.
    pub response: Option<&'static str>,
    /// Media type of a file response (instead of JSON), e.g. `application/pdf`.
    pub file: Option<&'static str>,
    /// Takes an `Idempotency-Key` header (see [`idempotency`]).
    pub idempotent: bool,
    handler: MethodRouter<App>,
}

impl Route {
    fn new<H, T>(method: Method, path: &'static str, handler: H) -> Route
    where
        H: Handler<T, App>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        // Writes need an explicit role; until one is given only admins may call.
        let access = if method == Method::GET {
            Access::Read
        } else {
            Access::AtLeast(Role::Admin)
        };
        Route {
            method,
            path,
            access,
            summary: "",
            query: &[],
            body: None,
            status: 200,
            response: None,
            file: None,
            idempotent: false,
            handler: on(filter, handler),
        }
    }
    fn get<H: Handler<T, App>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Method::GET, path, handler)
    }
    fn post<H: Handler<T, App>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Method::POST, path, handler)
    }
    fn put<H: Handler<T, App>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Method::PUT, path, handler)
    }
    fn delete<H: Handler<T, App>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Method::DELETE, path, handler)
    }
    fn access(mut self, access: Access) -> Route {
        self.access = access;
        self
    }
    fn role(self, role: Role) -> Route {
        self.access(Access::AtLeast(role))
    }
    fn summary(mut self, summary: &'static str) -> Route {
        self.summary = summary;
        self
    }
    fn query(mut self, params: &'static [&'static str]) -> Route {
        self.query = params;
        self
    }
    fn body(mut self, schema: &'static str) -> Route {
        self.body = Some(schema);
        self
    }
    fn returns(mut self, status: u16, schema: &'static str) -> Route {
        self.status = status;
        self.response = Some(schema);
        self
    }
    fn returns_file(mut self, media_type: &'static str) -> Route {
        self.status = 200;
        self.response = None;
        self.file = Some(media_type);
        self
    }
    fn idempotent(mut self) -> Route {
        self.idempotent = true;
        self
    }
    /// Takes bodies up to `bytes` (file uploads) instead of the default [`json::BODY_LIMIT`].
    fn body_limit(mut self, bytes: usize) -> Route {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }
    fn no_content(mut self) -> Route {
        self.status = 204;
        self.response = None;
        self
    }
}

const PAGE: &[&str] = &["page", "per_page"];
const CONTACT_LIST: &[&str] = &["search", "include_archived", "sort", "page", "per_page"];
const ARTICLE_LIST: &[&str] = &["search", "include_inactive", "sort", "page", "per_page"];
const DOCUMENT_LIST: &[&str] = &[
    "type",
    "status",
    "open",
    "contact_id",
    "date_from",
    "date_to",
    "search",
    "amount",
    "sort",
    "page",
    "per_page",
];
const INCOMING_LIST: &[&str] = &["status", "due", "q", "page", "per_page"];
const OPEN_ITEMS: &[&str] = &["contact_id", "page", "per_page"];

/// Every API route.
pub fn routes() -> Vec<Route> {
    use Role::{Accountant, Admin, Sales};
    vec![
        Route::get("/company", company::get)
            .summary("The company profile (the seller)")
            .returns(200, "Company"),
        Route::put("/company", company::put)
            .role(Admin)
            .summary("Replace the company profile")
            .body("CompanyInput")
            .returns(200, "Company"),
        Route::get("/settings/pdf", settings::get_pdf)
            .summary("The document look: accent colour, font, tagline, columns, own template")
            .returns(200, "DocumentLook"),
        Route::put("/settings/pdf", settings::put_pdf)
            .role(Admin)
            .summary("Replace the document look; an own template is compiled with sample documents first (errors name the line)")
            .body("DocumentLook")
            .returns(200, "DocumentLook"),
        Route::get("/settings/mailbox", settings::get_mailbox)
            .role(Admin)
            .summary("The mailbox received invoices are read from (IMAP): server, login, folders, interval, own CA; the password is never returned (password_set says whether one is stored)")
            .returns(200, "MailboxSettings"),
        Route::put("/settings/mailbox", settings::put_mailbox)
            .role(Admin)
            .summary("Replace the mailbox settings; a missing or empty password keeps the stored one, an empty host turns the mailbox off; plain (unencrypted) only to a loopback address. 422 names the field")
            .body("MailboxSettingsInput")
            .returns(200, "MailboxSettings"),
        Route::get("/backups", backups::get)
            .role(Admin)
            .summary("The backup schedule, its targets and the newest 30 runs with each target's outcome")
            .returns(200, "BackupOverview"),
        Route::post("/backups", backups::start)
            .role(Admin)
            .summary("Start a backup now (in the background; its run appears in GET /backups); 409 backup_running names the run still going")
            .returns(202, "BackupStarted"),
        Route::get("/contacts", contacts::list)
            .summary("List contacts")
            .query(CONTACT_LIST)
            .returns(200, "ContactPage"),
        Route::post("/contacts", contacts::create)
            .role(Sales)
            .summary("Create a contact")
            .idempotent()
            .body("ContactInput")
            .returns(201, "Contact"),
        Route::get("/contacts/{id}", contacts::get)
            .summary("One contact")
            .returns(200, "Contact"),
        Route::put("/contacts/{id}", contacts::update)
            .role(Sales)
            .summary("Replace a contact")
            .body("ContactInput")
            .returns(200, "Contact"),
        Route::delete("/contacts/{id}", contacts::delete)
            .role(Sales)
            .summary("Delete an unused contact")
            .no_content(),
        Route::post("/contacts/{id}/archive", contacts::archive)
            .role(Sales)
            .summary("Archive a contact")
            .returns(200, "Contact"),
        Route::get("/contacts/{id}/documents", contacts::documents)
            .summary("Documents of a contact")
            .query(PAGE)
            .returns(200, "DocumentSummaryPage"),
        Route::get("/contacts/{id}/open-items", contacts::open_items)
            .summary("Open invoices of a contact")
            .query(PAGE)
            .returns(200, "DocumentSummaryPage"),
        Route::get("/articles", articles::list)
            .summary("List articles")
            .query(ARTICLE_LIST)
            .returns(200, "ArticlePage"),
        Route::post("/articles", articles::create)
            .role(Sales)
            .summary("Create an article")
            .body("ArticleInput")
            .returns(201, "Article"),
        Route::get("/articles/{id}", articles::get)
            .summary("One article")
            .returns(200, "Article"),
        Route::put("/articles/{id}", articles::update)
            .role(Sales)
            .summary("Replace an article")
            .body("ArticleInput")
            .returns(200, "Article"),
        Route::delete("/articles/{id}", articles::deactivate)
            .role(Sales)
            .summary("Deactivate an article: 200 with the article, now active: false; it stays readable (documents name it) and leaves the editor's suggestions")
            .returns(200, "Article"),
        Route::get("/documents", documents::list)
            .summary("List documents")
            .query(DOCUMENT_LIST)
            .returns(200, "DocumentSummaryPage"),
        Route::post("/documents", documents::create)
            .role(Sales)
            .summary("Create a draft")
            .idempotent()
            .body("DocumentInput")
            .returns(201, "Document"),
        Route::get("/documents/{id}", documents::get)
            .summary("One document with lines and totals")
            .returns(200, "Document"),
        Route::put("/documents/{id}", documents::update)
            .role(Sales)
            .summary("Replace a draft")
            .body("DocumentInput")
            .returns(200, "Document"),
        Route::delete("/documents/{id}", documents::delete)
            .role(Sales)
            .summary("Delete a draft")
            .no_content(),
        Route::get("/documents/{id}/pdf", documents::pdf)
            .summary("The document as PDF: the archived original once issued, a watermarked preview for drafts")
            .returns_file("application/pdf"),
        Route::get("/documents/{id}/xrechnung", einvoice::xrechnung)
            .summary("The XRechnung (syntax=ubl, the default, or cii) archived at issue; 409 for drafts")
            .query(&["syntax"])
            .returns_file("application/xml"),
        Route::get("/documents/{id}/issue-check", documents::issue_check)
            .summary("What stops a draft from being issued")
            .returns(200, "IssueCheck"),
        Route::post("/documents/{id}/issue", documents::issue)
            .role(Sales)
            .summary("Issue a draft: number it and lock it")
            .returns(200, "Document"),
        Route::post("/documents/{id}/derive", documents::derive)
            .role(Sales)
            .summary("Create a follow-up draft from an issued document")
            .body("DeriveInput")
            .returns(201, "Document"),
        Route::post("/documents/{id}/cancel", documents::cancel)
            .role(Accountant)
            .summary("Cancel an issued invoice; returns the cancellation")
            .body("CancelInput")
            .returns(201, "Document"),
        Route::post("/documents/{id}/outcome", documents::outcome)
            .role(Sales)
            .summary("Record that an issued quote was accepted or declined (null: open again)")
            .body("OutcomeInput")
            .returns(200, "Document"),
        Route::get("/documents/{id}/payments", payments::list)
            .summary("Payments of an invoice")
            .query(PAGE)
            .returns(200, "PaymentPage"),
        Route::post("/documents/{id}/payments", payments::create)
            .role(Accountant)
            .summary("Record a payment")
            .idempotent()
            .body("PaymentInput")
            .returns(201, "Payment"),
        Route::post("/documents/{id}/payments/{payment_id}/reverse", payments::reverse)
            .role(Accountant)
            .summary("Take back a payment recorded by mistake: books the opposite amount as a reversal that names it")
            .body("ReversalInput")
            .returns(201, "Payment"),
        Route::get("/documents/{id}/audit", audit::document_entries)
            .summary("Audit log of a document")
            .query(PAGE)
            .returns(200, "AuditEntryPage"),
        Route::get("/open-items", documents::open_items)
            .summary("Issued invoices with an open amount")
            .query(OPEN_ITEMS)
            .returns(200, "DocumentSummaryPage"),
        Route::post("/incoming", incoming::upload)
            .role(Sales)
            .summary("Receive an invoice file (XRechnung UBL/CII XML, ZUGFeRD/Factur-X PDF or a plain PDF) as the body with its content type, or as the one file of a multipart form; ?name= names it. 201 with what was read and the checker's findings")
            .query(&["name"])
            .body_limit(incoming::UPLOAD_LIMIT)
            .returns(201, "Incoming"),
        Route::post("/incoming/mailbox/poll", incoming::poll_mailbox)
            .role(Accountant)
            .summary("Read the mailbox now: import attached e-invoices, move each mail to the folder of its outcome, return the run's report. 409 mailbox_not_configured / mailbox_busy / mailbox_login_failed, 503 mailbox_unreachable / mailbox_failed (the message names the server)")
            .returns(200, "MailboxReport"),
        Route::get("/incoming/mailbox/report", incoming::mailbox_report)
            .summary("The report of the mailbox's last run (404 before the first)")
            .returns(200, "MailboxReport"),
        Route::get("/incoming", incoming::list)
            .summary("Received invoices, newest first; due=week (or a date): approved, unpaid invoices due by then, earliest first")
            .query(INCOMING_LIST)
            .returns(200, "IncomingPage"),
        Route::get("/incoming/{id}", incoming::get)
            .summary("One received invoice with every business term read, its findings and payments")
            .returns(200, "IncomingDetail"),
        Route::get("/incoming/{id}/original", incoming::original)
            .summary("The file as it arrived, byte-identical (the document of record)")
            .returns_file("application/octet-stream"),
        Route::get("/incoming/{id}/pdf", incoming::pdf)
            .summary("The received invoice laid out readable as PDF (Accept-Language: de for German)")
            .returns_file("application/pdf"),
        Route::get("/incoming/{id}/attachments/{index}", incoming::attachment)
            .summary("An attachment embedded in the invoice (BG-24) by position from 0, as bytes; never opened by Kontor")
            .returns_file("application/octet-stream"),
        Route::post("/incoming/{id}/check", incoming::check)
            .role(Accountant)
            .summary("Enter or correct the header (supplier, number, dates, amounts) and mark the invoice checked")
            .body("IncomingHeaderInput")
            .returns(200, "Incoming"),
        Route::post("/incoming/{id}/approve", incoming::approve)
            .role(Accountant)
            .summary("Approve a checked invoice for payment; links or creates its supplier contact")
            .returns(200, "Incoming"),
        Route::post("/incoming/{id}/reject", incoming::reject)
            .role(Accountant)
            .summary("Reject a received invoice, with the reason")
            .body("RejectInput")
            .returns(200, "Incoming"),
        Route::get("/incoming/{id}/payments", incoming::payments)
            .summary("Payments of a received invoice")
            .query(PAGE)
            .returns(200, "IncomingPaymentPage"),
        Route::post("/incoming/{id}/payments", incoming::pay)
            .role(Accountant)
            .summary("Record a payment of an approved invoice (default: the open amount, today, bank transfer)")
            .body("IncomingPaymentInput")
            .returns(201, "IncomingPayment"),
        Route::post("/incoming/{id}/payments/{payment_id}/reverse", incoming::reverse)
            .role(Accountant)
            .summary("Take back a payment recorded by mistake")
            .body("ReversalInput")
            .returns(201, "IncomingPayment"),
        Route::get("/number-ranges", numbers::list)
            .summary("Number ranges")
            .query(PAGE)
            .returns(200, "NumberRangePage"),
        Route::put("/number-ranges/{key}", numbers::update)
            .role(Admin)
            .summary("Change a number range")
            .body("NumberRangeInput")
            .returns(200, "NumberRange"),
        Route::get("/audit/verify", audit::verify)
            .access(Access::AdminOrAuditor)
            .summary("Verify the audit chain")
            .returns(200, "AuditReport"),
    ]
}

/// The API router: every route of the table behind its access check, plus the OpenAPI document.
pub fn router(state: &App) -> Router<App> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<App>> = BTreeMap::new();
    for route in routes() {
        let guard =
            axum::middleware::from_fn_with_state((state.clone(), route.access), auth::require);
        let handler = route.handler.route_layer(guard);
        let merged = match by_path.remove(route.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(route.path, merged);
    }
    let mut router = Router::new().route(
        &format!("{PREFIX}/openapi.json"),
        axum::routing::get(openapi::serve),
    );
    for (path, handler) in by_path {
        router = router.route(&format!("{PREFIX}{path}"), handler);
    }
    router
}

/// A page of a list as the API returns it.
#[derive(Debug, Serialize)]
pub struct PageOut<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl<T> PageOut<T> {
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> PageOut<T> {
        PageOut {
            items: page.items.into_iter().map(f).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }

    /// Pages through a list that storage returns whole (short lists: payments, ranges, audit).
    pub fn slice(all: Vec<T>, request: kontor_app::model::PageRequest) -> PageOut<T> {
        let total = all.len() as i64;
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(request.per_page).unwrap_or(0);
        PageOut {
            items: all.into_iter().skip(skip).take(take).collect(),
            page: request.page,
            per_page: request.per_page,
            total,
        }
    }
}
