//! What the contact and article pages have in common: the list's filters and pager, the
//! search-as-you-type page size, who may edit, the submitted form, and how a form page shows
//! the service's field problems.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kontor_app::model::{Page, PageRequest, Role, Sort, SortKey};
use kontor_domain::party::FieldProblem;
use kontor_texts::Msg;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Tr;
use crate::layout::render;
use crate::pages::pager::Pager;
use crate::pages::sorting;
use crate::session::{self, Ctx, check_csrf};

/// Rows of a list page.
const PER_PAGE: i64 = 50;
/// Suggestions of a search as you type.
const SUGGESTIONS: i64 = 10;

/// A list page's query: `?q=…&page=…` and the box that shows archived contacts
/// (`archived=on`) or inactive articles (`inactive=on`) too.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    /// A column to sort by, `-` first for descending (`-name`); unknown ones are ignored.
    pub sort: Option<String>,
    pub archived: Option<String>,
    pub inactive: Option<String>,
}

/// The filters of a list page, read from its query.
pub struct ListFilter {
    query: Option<String>,
    /// Archived contacts or inactive articles are shown too.
    pub all: bool,
    /// The query parameter of [`ListFilter::all`].
    flag: &'static str,
    page: Option<i64>,
    sort: Option<String>,
}

impl ListFilter {
    /// `flag` names the box: "archived" or "inactive".
    pub fn new(q: ListQuery, flag: &'static str) -> ListFilter {
        let checked = match flag {
            "archived" => q.archived,
            _ => q.inactive,
        };
        ListFilter {
            query: q.q,
            all: checked.as_deref() == Some("on"),
            flag,
            page: q.page,
            sort: q.sort,
        }
    }

    /// The search as given.
    pub fn search(&self) -> Option<String> {
        self.query.clone()
    }

    /// The search for the search box.
    pub fn text(&self) -> String {
        self.query.clone().unwrap_or_default()
    }

    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page, Some(PER_PAGE))
    }

    /// The order asked for, if it is one of the list's columns.
    pub fn sort<K: SortKey + PartialEq>(&self) -> Option<Sort<K>> {
        self.sort.as_deref().and_then(Sort::parse)
    }

    /// The filters as query parameters (without sort and page).
    fn params(&self) -> [(&'static str, String); 2] {
        [
            ("q", self.text()),
            (self.flag, if self.all { "on" } else { "" }.to_string()),
        ]
    }

    /// Links to the neighbouring pages of `base` with the same filters and order.
    pub fn pager<T, K: SortKey + PartialEq>(&self, page: &Page<T>, base: &str) -> Pager {
        let sort = self.sort::<K>().map(|s| s.param()).unwrap_or_default();
        let params = self.params();
        let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.push(("sort", &sort));
        Pager::new(page, base, &pairs)
    }

    /// The table's header cells, sortable ones linking to `base` with the same filters.
    pub fn columns<K: SortKey + PartialEq>(
        &self,
        tr: &Tr,
        base: &str,
        specs: &[sorting::Spec<K>],
    ) -> Vec<sorting::Column> {
        let params = self.params();
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sorting::columns(tr, base, &pairs, self.sort::<K>(), specs)
    }
}

/// The first page of suggestions for search as you type.
pub fn suggestions() -> PageRequest {
    PageRequest::new(Some(1), Some(SUGGESTIONS))
}

/// The logged-in user, who must be allowed to edit the catalogue (sales and up).
pub async fn editor(state: &WebState, headers: &HeaderMap) -> Result<Ctx, WebError> {
    let ctx = session::current(state, headers).await?;
    ctx.require(Role::Sales)?;
    Ok(ctx)
}

/// An editor's form submission: the editor, and the form once its CSRF token checks out.
pub async fn editor_form(
    state: &WebState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Ctx, FormData), WebError> {
    let ctx = editor(state, headers).await?;
    let form = FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

/// A form page; 422 when it shows problems.
pub fn form_response<T: askama::Template>(ctx: &Ctx, page: &T, errors: &FieldErrors) -> Response {
    let mut response = render(ctx.lang(), page);
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The service's problems next to their fields (a field keeps its first message); a missing
/// value reads in the user's language.
pub fn add_problems(errors: &mut FieldErrors, problems: Vec<FieldProblem>, tr: &Tr) {
    for (field, message) in problems {
        match problem_text(field, &message) {
            Some(msg) => errors.add(field, tr.t(msg)),
            None => errors.add(field, message),
        }
    }
}

/// The catalogue's text for a problem the domain's checks name in English (the API's words),
/// so that a form shows it in the user's language.
fn problem_text(field: &str, message: &str) -> Option<Msg> {
    use kontor_domain::party::VAT_ID_CHECK_DIGIT;
    Some(match (field, message) {
        (_, "is required") => Msg::ErrorRequired,
        (_, "is not an e-mail address") => Msg::ProblemEmail,
        (_, "must be between 0 and 365") => Msg::ProblemDays,
        (_, m) if m.starts_with("must be an ISO 3166 country code") => Msg::ProblemCountry,
        (_, m) if m.starts_with("is not a valid Leitweg-ID") => Msg::ProblemLeitwegId,
        (_, m) if m.starts_with("is longer than") => Msg::ProblemTooLong,
        ("sepa_mandate_reference", _) => Msg::ProblemMandateReference,
        ("vat_id", VAT_ID_CHECK_DIGIT) => Msg::ProblemVatIdCheckDigit,
        ("vat_id", _) => Msg::ProblemVatId,
        ("currency", _) => Msg::ProblemCurrency,
        ("iban" | "sepa_debtor_iban", _) => Msg::ProblemIban,
        ("bic", _) => Msg::ProblemBic,
        ("creditor_id", _) => Msg::ProblemCreditorId,
        _ => return None,
    })
}
