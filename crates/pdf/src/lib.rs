//! Kontor's documents as PDF: a DIN 5008 (form B) layout rendered in-process with typst.
//!
//! The document is turned into plain data (`data.rs`, formatted and translated) and handed to
//! a fixed template as `/data.json`. The template's sandbox (`SandboxWorld`) sees only the
//! template, that data file, the GiroCode SVG, the logo and the shipped fonts: no packages,
//! no file system, no network, and a fixed date, so the output depends on the data alone.
//!
//! Not yet: a user-supplied template (the data model in `data.rs` is the interface it would
//! read), a choice between several shipped font families, Skonto terms (not in the model).

pub mod data;
pub mod format;
pub mod girocode;
#[doc(hidden)]
pub mod sample;

use std::sync::LazyLock;

use kontor_domain::{CompanyProfile, ContactData};
use kontor_storage::Document;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

pub use data::Columns;

/// The template, compiled into the binary.
pub const TEMPLATE: &str = include_str!("invoice.typ");

/// The shipped font family (Liberation Sans, SIL OFL 1.1; see `fonts/`).
static FONT_FILES: [&[u8]; 2] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
];

/// Accent colour when the setting has none.
pub const DEFAULT_ACCENT: &str = "#1f4e79";

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("template error: {0}")]
    Template(String),
    #[error("PDF export failed: {0}")]
    Export(String),
    #[error("cannot serialise the document data: {0}")]
    Data(#[from] serde_json::Error),
}

/// Image formats a logo may have (the upload checks the bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Jpeg,
    Svg,
}

impl LogoFormat {
    pub fn from_content_type(content_type: &str) -> Option<LogoFormat> {
        match content_type {
            "image/png" => Some(LogoFormat::Png),
            "image/jpeg" => Some(LogoFormat::Jpeg),
            "image/svg+xml" => Some(LogoFormat::Svg),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Logo {
    pub format: LogoFormat,
    pub data: Vec<u8>,
}

/// What the document itself does not hold: the look (from settings) and a few related facts.
#[derive(Debug, Clone)]
pub struct Extras {
    pub logo: Option<Logo>,
    /// `#rrggbb`.
    pub accent: String,
    pub columns: Columns,
    /// A short line under the company name in the letterhead.
    pub tagline: String,
    pub customer_number: String,
    /// E.g. "Bezug: Rechnung RE-2026-0001 vom 01.11.2026" on corrections.
    pub reference: String,
}

impl Default for Extras {
    fn default() -> Self {
        Extras {
            logo: None,
            accent: DEFAULT_ACCENT.into(),
            columns: Columns::default(),
            tagline: String::new(),
            customer_number: String::new(),
            reference: String::new(),
        }
    }
}

impl Extras {
    /// Applies the setting "pdf": `{"accent": "#1f4e79", "tagline": "…", "columns":
    /// {"position": true, "unit": true, "unit_price": true, "vat_rate": true}}`. Unknown or
    /// malformed values keep their defaults.
    pub fn apply_settings(&mut self, settings: &serde_json::Value) {
        if let Some(accent) = settings.get("accent").and_then(|v| v.as_str())
            && is_hex_colour(accent)
        {
            self.accent = accent.to_ascii_lowercase();
        }
        if let Some(tagline) = settings.get("tagline").and_then(|v| v.as_str()) {
            self.tagline = tagline.chars().take(120).collect();
        }
        if let Some(cols) = settings.get("columns") {
            let flag = |key: &str, current: bool| {
                cols.get(key).and_then(|v| v.as_bool()).unwrap_or(current)
            };
            self.columns = Columns {
                position: flag("position", self.columns.position),
                unit: flag("unit", self.columns.unit),
                unit_price: flag("unit_price", self.columns.unit_price),
                vat_rate: flag("vat_rate", self.columns.vat_rate),
            };
        }
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Renders a document. `seller` and `buyer` are used for drafts; issued documents always use
/// their own snapshots taken at issue.
pub fn render(
    doc: &Document,
    seller: &CompanyProfile,
    buyer: &ContactData,
    extras: &Extras,
) -> Result<Vec<u8>, PdfError> {
    let seller = doc.seller.as_ref().unwrap_or(seller);
    let buyer = doc.buyer.as_ref().unwrap_or(buyer);
    let (data, qr) = data::build(doc, seller, buyer, extras);
    let json = serde_json::to_vec(&data)?;
    let qr_svg = qr.as_deref().and_then(girocode::svg);
    let date = doc.content.date;
    let world = SandboxWorld {
        data: Bytes::new(json),
        qr: qr_svg.map(|s| Bytes::new(s.into_bytes())),
        logo: extras
            .logo
            .as_ref()
            .map(|l| (l.format, Bytes::new(l.data.clone()))),
        today: chrono::Datelike::year(&date),
        month: chrono::Datelike::month(&date) as u8,
        day: chrono::Datelike::day(&date) as u8,
    };
    let result = compile(&world);
    // Keep typst's memo cache bounded in a long-running process: results survive two more
    // renders, enough for the next document to reuse the template's unchanged parts.
    comemo::evict(2);
    result
}

fn compile(world: &SandboxWorld) -> Result<Vec<u8>, PdfError> {
    let document: PagedDocument = typst::compile(world)
        .output
        .map_err(|errors| PdfError::Template(describe(world, &errors)))?;
    let options = typst_pdf::PdfOptions {
        creator: typst::foundations::Smart::Custom(Some("Kontor".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export(describe(world, &errors)))
}

/// Error messages with the template line they point at.
fn describe(world: &SandboxWorld, errors: &[SourceDiagnostic]) -> String {
    use typst::WorldExt;
    errors
        .iter()
        .map(|e| {
            let line = world
                .range(e.span)
                .and_then(|r| TEMPLATE.get(..r.start))
                .map(|before| before.lines().count())
                .map(|l| format!("line {l}: "))
                .unwrap_or_default();
            format!("{line}{}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The fixed virtual paths (file ids are global and few, so they are made once).
struct Paths {
    main: FileId,
    data: FileId,
    qr: FileId,
    logo_png: FileId,
    logo_jpg: FileId,
    logo_svg: FileId,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("fixed virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

static PATHS: LazyLock<Paths> = LazyLock::new(|| Paths {
    main: file_id("/main.typ"),
    data: file_id("/data.json"),
    qr: file_id("/qr.svg"),
    logo_png: file_id("/logo.png"),
    logo_jpg: file_id("/logo.jpg"),
    logo_svg: file_id("/logo.svg"),
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));
static MAIN: LazyLock<Source> = LazyLock::new(|| Source::new(PATHS.main, TEMPLATE.to_string()));
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .filter_map(|data| Font::new(Bytes::new(*data), 0))
        .collect();
    let book = FontBook::from_infos(fonts.iter().map(|f| f.info().clone()));
    (LazyHash::new(book), fonts)
});

/// The only world the template sees.
struct SandboxWorld {
    data: Bytes,
    qr: Option<Bytes>,
    logo: Option<(LogoFormat, Bytes)>,
    today: i32,
    month: u8,
    day: u8,
}

impl World for SandboxWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }
    fn main(&self) -> FileId {
        PATHS.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == PATHS.main {
            Ok(MAIN.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let p = &*PATHS;
        let logo = |format: LogoFormat| match &self.logo {
            Some((f, bytes)) if *f == format => Ok(bytes.clone()),
            _ => Err(FileError::AccessDenied),
        };
        if id == p.data {
            Ok(self.data.clone())
        } else if id == p.qr {
            self.qr.clone().ok_or(FileError::AccessDenied)
        } else if id == p.logo_png {
            logo(LogoFormat::Png)
        } else if id == p.logo_jpg {
            logo(LogoFormat::Jpeg)
        } else if id == p.logo_svg {
            logo(LogoFormat::Svg)
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(self.today, self.month, self.day)
    }
}
