//! Received invoices (payables): what suppliers send arrives here — by upload, the API, the
//! CLI or the mailbox — is read and checked against EN 16931 / XRechnung, kept byte-identical
//! as the document of record (GoBD), matched to its supplier, approved and paid.

mod header;
pub mod mailbox;
pub mod readable;
pub mod summary;
pub mod worker;

use chrono::{Datelike, NaiveDate};
use kontor_domain::{ContactData, ErrorCode};
use kontor_einvoice_in::model::Invoice;
use kontor_einvoice_in::{Checked, Finding, Format, MAX_FILE_BYTES, ReadError, Severity};
use kontor_storage::{
    Actor, AuditEntry, Contact, Incoming, IncomingHeader, IncomingPayment, IncomingQuery,
    IncomingStatus, NewIncoming, Page,
};
use rust_decimal::Decimal;

pub use header::header_of;
pub use worker::{PdfReader, ReaderLimits};

use crate::{App, Error, Result};

/// One received file, as it came.
#[derive(Debug, Clone)]
pub struct Received {
    pub bytes: Vec<u8>,
    /// The file's name as sent (for the list and downloads); may be empty.
    pub name: String,
    /// `upload`, `api`, `cli` or `mailbox`.
    pub source: &'static str,
    /// For the mailbox: message id and attachment hash, so that a mail fetched twice is
    /// imported once. Empty otherwise.
    pub source_ref: String,
}

/// What an import stored.
#[derive(Debug, Clone)]
pub struct Imported {
    pub incoming: Incoming,
    pub findings: Vec<Finding>,
    /// `false` when the mailbox had delivered this attachment before (nothing new stored).
    pub created: bool,
}

/// A received invoice with everything its page shows.
#[derive(Debug, Clone)]
pub struct IncomingDetail {
    pub incoming: Incoming,
    /// What was read at receipt (`None` for a plain PDF).
    pub invoice: Option<Invoice>,
    pub findings: Vec<Finding>,
    pub payments: Vec<IncomingPayment>,
    /// The supplier contact: linked, or the one the matching suggests, with how it matched.
    pub contact: Option<(Contact, MatchedBy)>,
    pub history: Vec<AuditEntry>,
}

/// How a supplier contact was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// Approved with this contact.
    Linked,
    VatId,
    Iban,
    Name,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Linked => "linked",
            MatchedBy::VatId => "vat_id",
            MatchedBy::Iban => "iban",
            MatchedBy::Name => "name",
        }
    }
}

/// A downloadable file of a received invoice.
#[derive(Debug, Clone)]
pub struct IncomingFile {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub name: String,
}

impl IncomingFile {
    /// The response headers and body: the type, a safe download name, never cached, never
    /// sniffed; a download (a received file) also gets a sandbox, so that opened in the
    /// browser it runs nothing. Inline is only Kontor's own readable PDF, which the browser's
    /// PDF viewer must be allowed to show.
    pub fn into_response_parts(self, inline: bool) -> (http::HeaderMap, Vec<u8>) {
        let safe: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let kind = if inline { "inline" } else { "attachment" };
        let mut pairs = vec![
            (http::header::CONTENT_TYPE, self.content_type),
            (
                http::header::CONTENT_DISPOSITION,
                format!("{kind}; filename=\"{safe}\""),
            ),
            (http::header::CACHE_CONTROL, "private, no-store".to_string()),
            (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ];
        if !inline {
            pairs.push((
                http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ));
        }
        let headers = pairs
            .into_iter()
            .filter_map(|(name, value)| Some((name, http::HeaderValue::try_from(value).ok()?)))
            .collect();
        (headers, self.bytes)
    }
}

fn read_error(e: &ReadError) -> Error {
    match e {
        ReadError::Empty => Error::field("file", ErrorCode::FileEmpty, e.to_string()),
        ReadError::TooLarge { .. } => Error::field("file", ErrorCode::FileTooLarge, e.to_string()),
        ReadError::UnknownFormat | ReadError::NotAnInvoice(_) => {
            Error::field("file", ErrorCode::NotAnEinvoice, e.to_string())
        }
    }
}

/// The last day of the week (Sunday) that `today` is in.
pub fn end_of_week(today: NaiveDate) -> NaiveDate {
    let left = 6 - i64::from(today.weekday().num_days_from_monday());
    today + chrono::Duration::days(left)
}

/// The received-invoice operations of one business.
pub struct IncomingInvoices<'a> {
    pub(crate) app: &'a App,
}

impl<'a> IncomingInvoices<'a> {
    /// The mailbox received invoices arrive in (IMAP).
    pub fn mailbox(&self) -> mailbox::Mailbox<'a> {
        mailbox::Mailbox { app: self.app }
    }
}

impl IncomingInvoices<'_> {
    /// Reads and checks a file without storing it (`kontor einvoice check` uses the same).
    pub async fn check_file(&self, bytes: Vec<u8>) -> Result<Checked> {
        check_file(self.app.pdf_reader.clone(), bytes).await
    }

    /// Receives one file: checks it, keeps the original byte-identical, notes duplicates and
    /// the supplier it matches. A file that is neither an e-invoice nor a PDF is refused and
    /// nothing is stored.
    pub async fn import(&self, actor: &Actor, file: Received) -> Result<Imported> {
        let checked = check_file(self.app.pdf_reader.clone(), file.bytes.clone()).await?;
        self.store(actor, file, checked).await
    }

    /// Stores a file [`check_file`] has read (see [`IncomingInvoices::import`]).
    pub(crate) async fn store(
        &self,
        actor: &Actor,
        file: Received,
        checked: Checked,
    ) -> Result<Imported> {
        let store = &self.app.store;
        let content_type = if checked.format == Format::Ubl || checked.format == Format::Cii {
            "application/xml"
        } else {
            "application/pdf"
        };
        let original_sha256 = store.put_blob(content_type, &file.bytes).await?;
        let xml_sha256 = match (&checked.format, &checked.xml) {
            (Format::Facturx, Some(xml)) => Some(store.put_blob("application/xml", xml).await?),
            _ => None,
        };
        let header = checked
            .invoice
            .as_ref()
            .map(header_of)
            .unwrap_or_else(|| IncomingHeader {
                currency: "EUR".into(),
                ..IncomingHeader::default()
            });
        let contact_id = self.match_supplier(&header).await?.map(|(c, _)| c.id);
        let valid = checked.valid();
        let status = if valid && checked.format != Format::Pdf {
            IncomingStatus::Checked
        } else {
            IncomingStatus::Received
        };
        let new = NewIncoming {
            status,
            format: checked.format.as_str().into(),
            valid,
            original_sha256,
            original_name: clean_name(&file.name, checked.format),
            content_type: content_type.into(),
            xml_sha256,
            source: file.source.into(),
            source_ref: file.source_ref,
            header,
            contact_id,
            findings: serde_json::to_string(&checked.findings)
                .map_err(|e| Error::internal(ErrorCode::Internal, e))?,
            invoice: checked
                .invoice
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| Error::internal(ErrorCode::Internal, e))?,
            checker_version: kontor_einvoice_in::RULESET_VERSION.into(),
        };
        let (incoming, created) = store.insert_incoming(actor, &new).await?;
        let findings = if created {
            checked.findings
        } else {
            parse_findings(&incoming)
        };
        Ok(Imported {
            incoming,
            findings,
            created,
        })
    }

    pub async fn list(&self, query: &IncomingQuery) -> Result<Page<Incoming>> {
        Ok(self.app.store.list_incoming(query).await?)
    }

    /// Approved, unpaid invoices due by the end of this week (and overdue ones), earliest
    /// first.
    pub async fn due_this_week(&self, page: kontor_storage::PageRequest) -> Result<Page<Incoming>> {
        let query = IncomingQuery {
            due_until: Some(end_of_week(self.app.today())),
            page,
            ..IncomingQuery::default()
        };
        self.list(&query).await
    }

    pub async fn get(&self, id: i64) -> Result<Incoming> {
        Ok(self.app.store.incoming(id).await?)
    }

    pub async fn detail(&self, id: i64) -> Result<IncomingDetail> {
        let incoming = self.get(id).await?;
        let invoice = incoming
            .invoice
            .as_deref()
            .and_then(|json| serde_json::from_str::<Invoice>(json).ok());
        let findings = parse_findings(&incoming);
        let payments = self.app.store.incoming_payments(id).await?;
        let contact = match incoming.contact_id {
            Some(cid)
                if incoming.status == IncomingStatus::Approved
                    || incoming.status == IncomingStatus::Paid =>
            {
                Some((self.app.store.contact(cid).await?, MatchedBy::Linked))
            }
            _ => self.match_supplier(&incoming.header).await?,
        };
        let history = self
            .app
            .store
            .audit_entries("incoming", &id.to_string(), 50)
            .await?;
        Ok(IncomingDetail {
            incoming,
            invoice,
            findings,
            payments,
            contact,
            history,
        })
    }

    /// The invoice laid out for a person in `lang` (see [`readable::readable`]).
    pub async fn readable(
        &self,
        id: i64,
        lang: kontor_domain::Language,
    ) -> Result<(IncomingDetail, readable::Readable)> {
        let detail = self.detail(id).await?;
        let view = readable::readable(
            &detail.incoming,
            detail.invoice.as_ref(),
            &detail.findings,
            lang,
        );
        Ok((detail, view))
    }

    /// The readable layout as PDF (not the document of record: that is the original).
    pub async fn readable_pdf(
        &self,
        id: i64,
        lang: kontor_domain::Language,
    ) -> Result<IncomingFile> {
        let (detail, view) = self.readable(id, lang).await?;
        let json =
            serde_json::to_value(&view).map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?;
        let title = view.title.clone();
        let bytes = self
            .app
            .rendering
            .run(false, move |_| kontor_pdf::received::render(&json, &title))
            .await?
            .map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?;
        let stem = if detail.incoming.header.number.is_empty() {
            format!("eingang-{}", detail.incoming.id)
        } else {
            format!("eingang-{}", detail.incoming.header.number)
        };
        Ok(IncomingFile {
            bytes,
            content_type: "application/pdf".into(),
            name: format!("{stem}.pdf"),
        })
    }

    /// The original file, byte-identical to what arrived.
    pub async fn original(&self, id: i64) -> Result<IncomingFile> {
        let incoming = self.get(id).await?;
        let blob = self.app.store.blob(&incoming.original_sha256).await?;
        Ok(IncomingFile {
            bytes: blob.data,
            content_type: incoming.content_type.clone(),
            name: incoming.original_name.clone(),
        })
    }

    /// The invoice's XML: the file itself, or the one embedded in its PDF.
    pub async fn xml(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let incoming = self.get(id).await?;
        let sha = match (&incoming.xml_sha256, incoming.format.as_str()) {
            (Some(sha), _) => sha.clone(),
            (None, "ubl" | "cii") => incoming.original_sha256.clone(),
            _ => return Ok(None),
        };
        Ok(Some(self.app.store.blob(&sha).await?.data))
    }

    /// An attachment embedded in the invoice XML (BG-24), by its position (0-based). Handed
    /// out as it is, never opened.
    pub async fn attachment(&self, id: i64, index: usize) -> Result<IncomingFile> {
        let missing = || Error::not_found("attachment", index);
        let xml = self.xml(id).await?.ok_or_else(missing)?;
        let checked =
            tokio::task::spawn_blocking(move || kontor_einvoice_in::check::check_xml(&xml, None))
                .await
                .map_err(|e| Error::internal(ErrorCode::Internal, e))?
                .map_err(|e| read_error(&e))?;
        let attachment = checked
            .invoice
            .and_then(|inv| inv.attachments.into_iter().nth(index))
            .ok_or_else(missing)?;
        let bytes = attachment.content.ok_or_else(missing)?;
        Ok(IncomingFile {
            bytes,
            // Never as what it claims to be: the browser downloads it and opens nothing.
            content_type: "application/octet-stream".into(),
            name: attachment
                .filename
                .unwrap_or_else(|| format!("attachment-{}", index + 1)),
        })
    }

    /// Enters or corrects the header by hand and marks the invoice checked.
    pub async fn check(&self, actor: &Actor, id: i64, header: IncomingHeader) -> Result<Incoming> {
        let header = header::checked_input(header)?;
        let contact = self.match_supplier(&header).await?.map(|(c, _)| c.id);
        Ok(self
            .app
            .store
            .check_incoming(actor, id, &header, contact)
            .await?)
    }

    /// Approves a checked invoice for payment (the accountant's step; the faces check the
    /// role). Its supplier contact is the matched one, else one made from the invoice.
    pub async fn approve(&self, actor: &Actor, id: i64) -> Result<Incoming> {
        let incoming = self.get(id).await?;
        if incoming.status != IncomingStatus::Checked {
            return Err(Error::refused(
                ErrorCode::IncomingState,
                format!(
                    "the invoice is {}; only a checked invoice can be approved",
                    incoming.status.as_str()
                ),
            ));
        }
        if let Some(first) = incoming.duplicate_of {
            return Err(Error::refused(
                ErrorCode::IncomingDuplicate,
                format!("it duplicates received invoice {first}; reject it instead"),
            ));
        }
        let contact = match self.match_supplier(&incoming.header).await? {
            Some((contact, _)) => contact.id,
            None => self.create_supplier(actor, &incoming).await?.id,
        };
        Ok(self.app.store.approve_incoming(actor, id, contact).await?)
    }

    pub async fn reject(&self, actor: &Actor, id: i64, reason: &str) -> Result<Incoming> {
        Ok(self.app.store.reject_incoming(actor, id, reason).await?)
    }

    pub async fn pay(
        &self,
        actor: &Actor,
        id: i64,
        date: Option<NaiveDate>,
        amount: Option<Decimal>,
        method: &str,
        note: &str,
    ) -> Result<IncomingPayment> {
        let incoming = self.get(id).await?;
        let amount = amount.unwrap_or_else(|| incoming.open());
        let date = date.unwrap_or_else(|| self.app.today());
        let method = if method.trim().is_empty() {
            "bank_transfer"
        } else {
            method.trim()
        };
        Ok(self
            .app
            .store
            .add_incoming_payment(actor, id, date, amount, method, note)
            .await?)
    }

    pub async fn reverse_payment(
        &self,
        actor: &Actor,
        id: i64,
        payment_id: i64,
        date: Option<NaiveDate>,
        note: &str,
    ) -> Result<IncomingPayment> {
        let date = date.unwrap_or_else(|| self.app.today());
        Ok(self
            .app
            .store
            .reverse_incoming_payment(actor, id, payment_id, date, note)
            .await?)
    }

    pub async fn payments(&self, id: i64) -> Result<Vec<IncomingPayment>> {
        self.get(id).await?;
        Ok(self.app.store.incoming_payments(id).await?)
    }

    /// The supplier contact of a header: by VAT ID, then by the IBAN earlier invoices were
    /// paid to, then by name.
    pub async fn match_supplier(&self, h: &IncomingHeader) -> Result<Option<(Contact, MatchedBy)>> {
        let store = &self.app.store;
        let vat = normalize_id(&h.seller_vat_id);
        let name = h
            .seller_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if vat.is_empty() && name.is_empty() && h.seller_iban.is_empty() {
            return Ok(None);
        }
        let candidates = store.supplier_candidates(&vat, &name).await?;
        if !vat.is_empty()
            && let Some(c) = candidates.iter().find(|c| {
                c.data
                    .vat_id
                    .as_ref()
                    .is_some_and(|v| normalize_id(v.as_ref()) == vat)
            })
        {
            return Ok(Some((c.clone(), MatchedBy::VatId)));
        }
        let iban = normalize_id(&h.seller_iban);
        if !iban.is_empty() {
            for id in store.contacts_paid_to_iban(&iban).await? {
                if let Ok(c) = store.contact(id).await
                    && !c.archived
                {
                    return Ok(Some((c, MatchedBy::Iban)));
                }
            }
        }
        if !name.is_empty()
            && let Some(c) = candidates
                .iter()
                .find(|c| c.data.name.trim().to_lowercase() == name.to_lowercase())
        {
            return Ok(Some((c.clone(), MatchedBy::Name)));
        }
        Ok(None)
    }

    /// A supplier contact made from the invoice's seller; what does not pass the contact
    /// checks (an odd postcode, a VAT ID without valid check digits) is left out.
    async fn create_supplier(&self, actor: &Actor, incoming: &Incoming) -> Result<Contact> {
        let invoice = incoming
            .invoice
            .as_deref()
            .and_then(|json| serde_json::from_str::<Invoice>(json).ok());
        let full = header::supplier_contact(&incoming.header, invoice.as_ref());
        let contacts = self.app.contacts();
        match contacts.create(actor, &full).await {
            Ok(c) => Ok(c),
            Err(Error::Field { .. }) => {
                let minimal = ContactData {
                    name: full.name.clone(),
                    country: full.country.clone(),
                    ..header::supplier_defaults()
                };
                match contacts.create(actor, &minimal).await {
                    Ok(c) => Ok(c),
                    Err(Error::Field { .. }) => {
                        let bare = ContactData {
                            name: full.name,
                            ..header::supplier_defaults()
                        };
                        contacts.create(actor, &bare).await
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// Upper case without spaces (VAT IDs, IBANs).
fn normalize_id(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

pub fn parse_findings(incoming: &Incoming) -> Vec<Finding> {
    serde_json::from_str(&incoming.findings).unwrap_or_default()
}

/// A name for the list and downloads: the sent name without any path, or one made up.
fn clean_name(name: &str, format: Format) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        match format {
            Format::Ubl | Format::Cii => "rechnung.xml".into(),
            Format::Facturx | Format::Pdf => "rechnung.pdf".into(),
        }
    } else {
        base
    }
}

/// Reads and checks one file off the async workers; a PDF in the reader's worker.
pub async fn check_file(reader: PdfReader, bytes: Vec<u8>) -> Result<Checked> {
    if bytes.is_empty() {
        return Err(read_error(&ReadError::Empty));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(read_error(&ReadError::TooLarge {
            limit: MAX_FILE_BYTES,
        }));
    }
    let checked = tokio::task::spawn_blocking(move || {
        if kontor_einvoice_in::pdf::looks_like_pdf(&bytes) {
            Ok(kontor_einvoice_in::pdf::check_extracted(
                reader.extract(&bytes),
            ))
        } else {
            kontor_einvoice_in::check_bytes(&bytes)
        }
    })
    .await
    .map_err(|e| Error::internal(ErrorCode::Internal, e))?;
    checked.map_err(|e| read_error(&e))
}

/// Whether any finding is fatal.
pub fn has_fatal(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Fatal)
}
