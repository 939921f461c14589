//! Files handed out by the API (PDF, XML) as responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kontor_app::documents::File;

/// A file response: never cached, never sniffed.
pub fn response(file: File) -> Response {
    let (headers, bytes) = file.into_response_parts();
    (StatusCode::OK, headers, bytes).into_response()
}
