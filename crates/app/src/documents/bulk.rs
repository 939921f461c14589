//! Several documents at once: their archived PDFs in one ZIP, and a CSV of the list's columns
//! for a spreadsheet (German Excel opens it as it is: `;`, decimal comma, UTF-8 with BOM).

use std::collections::HashSet;

use chrono::NaiveDate;
use kontor_domain::{ErrorCode, Language};
use kontor_storage::{DocState, DocumentSummary, ZipWriter};
use kontor_texts::Msg;
use rust_decimal::Decimal;

use super::files::{self, Disposition, File};
use crate::{App, Error, Result};

/// The most documents one request may name.
pub const MAX_BULK_DOCUMENTS: usize = 500;

/// The documents `ids` (each once, in the order given), after checking that there is at least
/// one, not more than [`MAX_BULK_DOCUMENTS`], and that all are this business's.
async fn selection(app: &App, ids: &[i64]) -> Result<Vec<DocumentSummary>> {
    let mut seen = HashSet::new();
    let ids: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() {
        return Err(Error::field(
            "ids",
            ErrorCode::Required,
            "select at least one document",
        ));
    }
    if ids.len() > MAX_BULK_DOCUMENTS {
        return Err(Error::field(
            "ids",
            ErrorCode::TooMany,
            format!("select at most {MAX_BULK_DOCUMENTS} documents at a time"),
        ));
    }
    Ok(app.store.document_summaries(&ids).await?)
}

/// A download name with the date: "dokumente-2026-12-06.zip".
fn bulk_name(lang: Language, today: NaiveDate, extension: &str) -> String {
    let word = match lang {
        Language::De => "dokumente",
        Language::En => "documents",
    };
    format!("{word}-{}.{extension}", today.format("%Y-%m-%d"))
}

/// The archived PDFs of the issued (and cancelled) documents among `ids` in one ZIP, each named
/// by its number. Drafts are left out: they have no document of record. Refused when no
/// selected document is issued.
pub(super) async fn pdf_zip(app: &App, ids: &[i64], lang: Language) -> Result<File> {
    let docs = selection(app, ids).await?;
    let issued: Vec<&DocumentSummary> =
        docs.iter().filter(|d| d.state != DocState::Draft).collect();
    if issued.is_empty() {
        return Err(Error::refused(
            ErrorCode::NotIssued,
            "none of the selected documents is issued; only issued documents have an archived PDF",
        ));
    }
    let mut zip = ZipWriter::default();
    for doc in issued {
        // The archived original (archived now if that was missed), never a new rendering.
        let pdf = files::pdf(app, doc.id).await?;
        zip.add(&pdf.name, &pdf.bytes)?;
    }
    Ok(File {
        name: bulk_name(lang, app.today(), "zip"),
        content_type: "application/zip",
        disposition: Disposition::Attachment,
        bytes: zip.finish()?,
    })
}

/// The selected documents as CSV with the list's columns and headers in `lang`; numbers,
/// amounts and dates as German Excel reads them. Corrections' amounts are negative, as the
/// list shows them.
pub(super) async fn csv(app: &App, ids: &[i64], lang: Language) -> Result<File> {
    let docs = selection(app, ids).await?;
    let today = app.today();
    let t = |m: Msg| m.text(lang).to_string();
    let mut out = String::from("\u{feff}");
    let header = [
        t(Msg::FieldNumber),
        t(Msg::FieldType),
        t(Msg::FieldContact),
        t(Msg::FieldDate),
        t(Msg::FieldDueDate),
        t(Msg::FieldStatus),
        t(Msg::FieldNet),
        t(Msg::FieldVat),
        t(Msg::FieldGross),
        t(Msg::FieldPaid),
        t(Msg::FieldOpenAmount),
        t(Msg::FieldCurrency),
    ];
    push_row(&mut out, header.iter().map(|h| text_cell(h)));
    for d in &docs {
        let sign = if d.doc_type.is_correction() {
            -Decimal::ONE
        } else {
            Decimal::ONE
        };
        let number = match &d.number {
            Some(n) => n.clone(),
            None => format!("{} #{}", t(Msg::DocsDraft), d.id),
        };
        let status = d.status(today);
        let status = Msg::from_key(&format!("status.{status}")).map_or(status.to_string(), &t);
        let open = if d.state == DocState::Issued && d.doc_type.is_receivable() {
            amount_cell((d.due - d.paid).max(Decimal::ZERO))
        } else {
            String::new()
        };
        push_row(
            &mut out,
            [
                text_cell(&number),
                text_cell(Msg::doc_type(d.doc_type).text(lang)),
                text_cell(&d.contact_name),
                d.date.format("%d.%m.%Y").to_string(),
                d.due_date
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_default(),
                text_cell(&status),
                amount_cell(sign * d.net),
                amount_cell(sign * d.vat),
                amount_cell(sign * d.gross),
                amount_cell(d.paid),
                open,
                d.currency.as_str().to_string(),
            ],
        );
    }
    Ok(File {
        name: bulk_name(lang, today, "csv"),
        content_type: "text/csv; charset=utf-8",
        disposition: Disposition::Attachment,
        bytes: out.into_bytes(),
    })
}

fn push_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().collect();
    out.push_str(&cells.join(";"));
    out.push_str("\r\n");
}

/// An amount as German Excel reads it: "-1271,64" (no thousands separator).
fn amount_cell(amount: Decimal) -> String {
    kontor_domain::money::fmt2(amount).replace('.', ",")
}

/// A text cell: quoted when it holds `;`, a quote or a line break; a leading `=`, `+`, `-`,
/// `@`, tab or carriage return is defused with an apostrophe, so that a spreadsheet never runs
/// a name as a formula.
fn text_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(text_cell("Müller GmbH"), "Müller GmbH");
        assert_eq!(text_cell("A; B"), "\"A; B\"");
        assert_eq!(text_cell("Say \"hi\""), "\"Say \"\"hi\"\"\"");
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(amount_cell(Decimal::new(-127164, 2)), "-1271,64");
        assert_eq!(amount_cell(Decimal::new(12345675, 1)), "1234567,50");
    }
}
