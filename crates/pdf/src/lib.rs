//! Kontor's documents as PDF: a DIN 5008 (form B) layout rendered in-process with typst.
//!
//! The document is turned into plain data (`data.rs`, formatted and translated) and handed to
//! a fixed template as `/data.json`. The template's sandbox (`SandboxWorld`) sees only the
//! template, that data file, the GiroCode SVG, the logo and the shipped fonts: no packages,
//! no file system, no network, and a fixed date, so the output depends on the data alone.
//!
//! An administrator may supply an own template (`Extras::template`, typst markup reading the
//! same `/data.json`, documented in docs/pdf-template.md). `check_template` compiles it
//! against sample documents and names the line of the first error; at rendering time a custom
//! template that fails falls back to the default one, so issuing never breaks. A server
//! compiles own templates through a [`Renderer::Sandboxed`]: in a child process under a time
//! and memory budget (`sandbox.rs`), since a template can loop or allocate without end.
//!
//! Issued documents are PDF/A-3b. With `Extras::facturx_xml` set, the CII invoice is embedded
//! as `factur-x.xml` (relationship "alternative", listed in the catalog's /AF) and the
//! Factur-X extension schema is added to the XMP metadata (`facturx.rs`): a ZUGFeRD /
//! Factur-X EN 16931 hybrid invoice.

pub mod data;
mod facturx;
pub mod fonts;
pub mod format;
pub mod girocode;
pub mod look;
pub mod received;
#[doc(hidden)]
pub mod sample;
pub mod sandbox;

use std::sync::{Arc, LazyLock, Mutex};

use kontor_domain::{Language, Printable};
use kontor_texts::Msg;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

pub use data::Columns;
pub use fonts::FontFamily;
pub use sandbox::{Limits, Sandbox};

/// The template, compiled into the binary.
pub const TEMPLATE: &str = include_str!("invoice.typ");

/// Appended to every template (the default and a custom one): embeds the e-invoice of a
/// hybrid PDF, whatever the template does.
const ATTACH_SUFFIX: &str = "\n#if json(\"/data.json\").at(\"facturx\", default: false) { pdf.attach(\"/factur-x.xml\", relationship: \"alternative\", mime-type: \"text/xml\", description: \"Factur-X / ZUGFeRD invoice (EN 16931)\") }\n";

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
    #[error("cannot add the Factur-X metadata: {0}")]
    FacturX(String),
    /// An own template ran out of its time budget.
    #[error("the template took longer than {} s, the time limit for own templates", .0.as_secs_f32())]
    TooSlow(std::time::Duration),
    /// An own template ran out of its memory budget (MiB).
    #[error("the template needed more than {0} MiB of memory, the limit for own templates")]
    TooMuchMemory(u64),
    /// The child process compiling an own template failed otherwise.
    #[error("the template renderer failed: {0}")]
    Sandbox(String),
}

impl PdfError {
    /// The message for a person in `lang`: the budget errors name their limit in either
    /// language; typst's own messages (with their line) are English.
    pub fn message(&self, lang: Language) -> String {
        match self {
            PdfError::TooSlow(time) => Msg::PdfTemplateTooSlow
                .text(lang)
                .replace("{seconds}", &seconds(*time, lang)),
            PdfError::TooMuchMemory(mib) => Msg::PdfTemplateTooMuchMemory
                .text(lang)
                .replace("{mib}", &mib.to_string()),
            PdfError::Sandbox(_) => Msg::PdfTemplateRendererFailed.text(lang).to_string(),
            other => other.to_string(),
        }
    }

    /// Whether the fault lies with an own template (it failed or broke its budget): the
    /// document is then rendered with the default template.
    fn is_template_fault(&self) -> bool {
        matches!(
            self,
            PdfError::Template(_)
                | PdfError::TooSlow(_)
                | PdfError::TooMuchMemory(_)
                | PdfError::Sandbox(_)
        )
    }
}

/// "10", "2,5" / "2.5": a duration in seconds for a message.
fn seconds(time: std::time::Duration, lang: Language) -> String {
    let ms = time.as_millis();
    let text = if ms.is_multiple_of(1000) {
        (ms / 1000).to_string()
    } else {
        format!("{:.1}", time.as_secs_f64())
    };
    match lang {
        Language::De => text.replace('.', ","),
        Language::En => text,
    }
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
    pub font: FontFamily,
    /// An administrator's own template (typst markup); `None` uses the default.
    pub template: Option<Arc<str>>,
    /// The CII invoice to embed: the PDF becomes a ZUGFeRD / Factur-X hybrid.
    pub facturx_xml: Option<Vec<u8>>,
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
            font: FontFamily::default(),
            template: None,
            facturx_xml: None,
        }
    }
}

impl Extras {
    /// Takes the document look (the setting "pdf", read by the service layer). What is not
    /// acceptable keeps its default: an unknown font, a colour that is not `#rrggbb`, an empty
    /// own template; a tagline is cut to its longest length.
    pub fn apply_look(&mut self, look: &look::Look) {
        if let Some(font) = FontFamily::parse(&look.font) {
            self.font = font;
        }
        if !look.template.trim().is_empty() {
            self.template = Some(Arc::from(look.template.as_str()));
        }
        if is_hex_colour(&look.accent) {
            self.accent = look.accent.to_ascii_lowercase();
        }
        self.tagline = look.tagline.chars().take(look::MAX_TAGLINE_CHARS).collect();
        self.columns = look.columns;
    }
}

pub(crate) fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Where own templates are compiled. The default template is Kontor's own and always renders
/// in this process.
#[derive(Debug, Clone, Default)]
pub enum Renderer {
    /// In this process, without a budget: for tests and tools, never for a server.
    #[default]
    InProcess,
    /// In a child process under a time and memory budget.
    Sandboxed(Sandbox),
}

impl Renderer {
    /// Renders a document: an issued one with its own snapshots taken at issue, or a draft
    /// preview with the parties given (marked as a draft). A custom template that fails or
    /// breaks its budget is reported in the log and replaced by the default template.
    pub fn render(&self, doc: Printable<'_>, extras: &Extras) -> Result<Vec<u8>, PdfError> {
        let world = world_for(doc, extras)?;
        let result = match &extras.template {
            Some(custom) => {
                let own = match self {
                    Renderer::InProcess => compile(&world, &custom_source(custom)),
                    Renderer::Sandboxed(sandbox) => sandbox.render(&world, custom),
                };
                match own {
                    Err(e) if e.is_template_fault() => {
                        tracing::warn!(
                            "the custom document template failed ({e}); used the default template"
                        );
                        compile(&world, &DEFAULT_SOURCE)
                    }
                    other => other,
                }
            }
            None => compile(&world, &DEFAULT_SOURCE),
        };
        // Keep typst's memo cache bounded in a long-running process: results survive two more
        // renders, enough for the next document to reuse the template's unchanged parts.
        comemo::evict(2);
        result
    }

    /// Compiles `template` against sample documents (an invoice over several pages with a
    /// GiroCode, a delivery note, German and English, draft and issued) and returns the first
    /// error with its line, e.g. "line 12: unknown variable: foo", or the budget it broke.
    pub fn check_template(&self, template: &str) -> Result<(), PdfError> {
        let worlds = sample_worlds()?;
        match self {
            Renderer::InProcess => {
                let source = custom_source(template);
                let result = worlds
                    .iter()
                    .try_for_each(|w| compile(w, &source).map(|_| ()));
                comemo::evict(2);
                result
            }
            Renderer::Sandboxed(sandbox) => sandbox.check(&worlds, template),
        }
    }
}

/// Renders in this process (see [`Renderer::render`]); a server uses its [`Renderer`].
pub fn render(doc: Printable<'_>, extras: &Extras) -> Result<Vec<u8>, PdfError> {
    Renderer::InProcess.render(doc, extras)
}

/// Checks in this process (see [`Renderer::check_template`]); a server uses its [`Renderer`].
pub fn check_template(template: &str) -> Result<(), PdfError> {
    Renderer::InProcess.check_template(template)
}

/// The sandboxes of the sample documents an own template is checked against.
fn sample_worlds() -> Result<Vec<SandboxWorld>, PdfError> {
    use kontor_domain::{DocumentType, TaxMode};
    let delivery_note = {
        let mut d = sample::invoice(4, TaxMode::Standard, Language::De);
        d.content.doc_type = DocumentType::DeliveryNote;
        d
    };
    let issued = [
        sample::invoice(60, TaxMode::Standard, Language::De),
        delivery_note,
    ];
    let draft = sample::draft(sample::invoice(3, TaxMode::ReverseCharge, Language::En));
    let (seller, buyer) = (sample::seller(), sample::buyer());
    let preview = Printable::Preview {
        draft: &draft,
        seller: &seller,
        buyer: &buyer,
    };
    let extras = Extras::default();
    issued
        .iter()
        .map(Printable::Issued)
        .chain([preview])
        .map(|doc| world_for(doc, &extras))
        .collect()
}

fn world_for(doc: Printable<'_>, extras: &Extras) -> Result<SandboxWorld, PdfError> {
    let (data, qr) = data::build(doc, extras);
    let archival = !data.draft;
    let title = nonempty_join(&data.title, &data.number);
    let author = data.seller.name.clone();
    let json = serde_json::to_vec(&data)?;
    let qr_svg = qr.as_deref().and_then(girocode::svg);
    let date = doc.content().date;
    Ok(SandboxWorld {
        data: Bytes::new(json),
        qr: qr_svg.map(|s| Bytes::new(s.into_bytes())),
        logo: extras
            .logo
            .as_ref()
            .map(|l| (l.format, Bytes::new(l.data.clone()))),
        facturx: extras
            .facturx_xml
            .as_ref()
            .filter(|_| archival)
            .map(|x| Bytes::new(x.clone())),
        archival,
        title,
        author,
        today: chrono::Datelike::year(&date),
        month: chrono::Datelike::month(&date) as u8,
        day: chrono::Datelike::day(&date) as u8,
    })
}

/// "Rechnung RE-2026-0001", or just "Rechnung" for a draft without a number.
fn nonempty_join(title: &str, number: &str) -> String {
    if number.is_empty() {
        title.to_string()
    } else {
        format!("{title} {number}")
    }
}

/// The default template's parsed source (with the attachment suffix).
static DEFAULT_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(PATHS.main, format!("{TEMPLATE}{ATTACH_SUFFIX}")));

/// The parsed source of the last custom template (parsing costs as much as a small render).
static CUSTOM_SOURCE: Mutex<Option<(Arc<str>, Source)>> = Mutex::new(None);

fn custom_source(template: &str) -> Source {
    let mut last = CUSTOM_SOURCE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((text, source)) = last.as_ref()
        && **text == *template
    {
        return source.clone();
    }
    let source = Source::new(PATHS.main, format!("{template}{ATTACH_SUFFIX}"));
    *last = Some((Arc::from(template), source.clone()));
    source
}

fn compile(world: &SandboxWorld, source: &Source) -> Result<Vec<u8>, PdfError> {
    let world = SourcedWorld { world, source };
    let mut document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| PdfError::Template(describe(&world, &errors)))?;
    let info = document.info_mut();
    if info.title.is_none() {
        info.title = Some(world.world.title.as_str().into());
    }
    if info.author.is_empty() {
        info.author = vec![world.world.author.as_str().into()];
    }
    let standards = if world.world.archival {
        typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_3b])
            .map_err(|e| PdfError::Export(e.message().to_string()))?
    } else {
        typst_pdf::PdfStandards::default()
    };
    let timestamp = Datetime::from_ymd(world.world.today, world.world.month, world.world.day)
        .map(typst_pdf::Timestamp::new_utc);
    let options = typst_pdf::PdfOptions {
        creator: typst::foundations::Smart::Custom(Some("Kontor".into())),
        standards,
        timestamp,
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| PdfError::Export(describe(&world, &errors)))?;
    if world.world.facturx.is_some() {
        facturx::add_xmp_extension(&pdf).map_err(PdfError::FacturX)
    } else {
        Ok(pdf)
    }
}

/// Error messages with the template line they point at.
fn describe(world: &SourcedWorld, errors: &[SourceDiagnostic]) -> String {
    use typst::WorldExt;
    let text = world.source.text();
    errors
        .iter()
        .map(|e| {
            let line = world
                .range(e.span)
                .and_then(|r| text.get(..r.start))
                .map(|before| before.lines().count().max(1))
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
    facturx: FileId,
}

#[expect(
    clippy::expect_used,
    reason = "called only with the constant paths below"
)]
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
    facturx: file_id("/factur-x.xml"),
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = fonts::FILES
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
    facturx: Option<Bytes>,
    /// Issued documents: PDF/A-3b.
    archival: bool,
    /// The PDF's title and author, unless the template sets them (`set document`). The default
    /// template leaves them to us: a set rule with per-document values would change the styles
    /// of everything after it and defeat typst's reuse of the previous document's layout.
    title: String,
    author: String,
    today: i32,
    month: u8,
    day: u8,
}

/// The sandbox with the template to compile.
struct SourcedWorld<'a> {
    world: &'a SandboxWorld,
    source: &'a Source,
}

impl World for SourcedWorld<'_> {
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
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let p = &*PATHS;
        let w = self.world;
        let logo = |format: LogoFormat| match &w.logo {
            Some((f, bytes)) if *f == format => Ok(bytes.clone()),
            _ => Err(FileError::AccessDenied),
        };
        if id == p.data {
            Ok(w.data.clone())
        } else if id == p.qr {
            w.qr.clone().ok_or(FileError::AccessDenied)
        } else if id == p.facturx {
            w.facturx.clone().ok_or(FileError::AccessDenied)
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
        Datetime::from_ymd(self.world.today, self.world.month, self.world.day)
    }
}
