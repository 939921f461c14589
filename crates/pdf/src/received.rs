//! The readable PDF of a received e-invoice (`received.typ`): Kontor's own fixed layout,
//! rendered in this process from data that is shown, never evaluated.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::syntax::Source;

use crate::{PATHS, PdfError, SandboxWorld, compile, girocode};

static SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(PATHS.main, include_str!("received.typ").to_string()));

/// Renders the readable layout. `data` is the JSON of the layout's data (labels, lines,
/// totals, findings, `girocode` payload or null); `title` names the PDF.
pub fn render(data: &serde_json::Value, title: &str) -> Result<Vec<u8>, PdfError> {
    let qr = data
        .get("girocode")
        .and_then(|v| v.as_str())
        .and_then(girocode::svg)
        .map(|s| Bytes::new(s.into_bytes()));
    let today = chrono::Utc::now().date_naive();
    let world = SandboxWorld {
        data: Bytes::new(serde_json::to_vec(data)?),
        qr,
        logo: None,
        facturx: None,
        archival: false,
        title: title.to_string(),
        author: String::new(),
        today: chrono::Datelike::year(&today),
        month: chrono::Datelike::month(&today) as u8,
        day: chrono::Datelike::day(&today) as u8,
    };
    let result = compile(&world, &SOURCE);
    comemo::evict(2);
    result
}
