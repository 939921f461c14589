//! A fetched mail taken apart: who sent it, its subject and id, and the files attached to it
//! (in nested multiparts and forwarded messages too), each as the bytes that were sent.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// The longest message id used in a `source_ref`; a longer one is replaced by its hash.
const MAX_MESSAGE_ID_CHARS: usize = 200;

/// What a file attached to a mail is, as far as the mailbox cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// XML or PDF: a candidate for a received invoice.
    Invoice,
    /// A ZIP archive: listed, not opened.
    Archive,
    /// Anything else (a logo, a signature, a text body).
    Other,
}

/// One attached file.
#[derive(Debug, Clone)]
pub(super) struct Attachment {
    pub name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// A parsed mail.
#[derive(Debug, Clone, Default)]
pub(super) struct Mail {
    pub subject: String,
    pub from: String,
    /// The Message-ID without angle brackets (empty when the mail has none).
    pub message_id: String,
    pub attachments: Vec<Attachment>,
}

impl Mail {
    /// What identifies this mail in a `source_ref`: its Message-ID, or (without one, or a
    /// monstrous one) the hash of the mail as fetched.
    pub(super) fn identity(&self, raw: &[u8]) -> String {
        if !self.message_id.is_empty()
            && self.message_id.chars().count() <= MAX_MESSAGE_ID_CHARS
            && !self.message_id.contains('/')
        {
            self.message_id.clone()
        } else {
            format!("sha256:{}", hex::encode(Sha256::digest(raw)))
        }
    }
}

/// The `source_ref` of one attachment: the mail's identity and the file's hash.
pub(super) fn source_ref(identity: &str, bytes: &[u8]) -> String {
    format!("{identity}/{}", hex::encode(Sha256::digest(bytes)))
}

/// Takes a raw mail (RFC 5322) apart; `None` when it has no headers at all.
pub(super) fn parse(raw: &[u8]) -> Option<Mail> {
    let message = MessageParser::default().parse(raw)?;
    let mut mail = Mail {
        subject: clean(message.subject().unwrap_or("")),
        from: sender(&message),
        message_id: clean(message.message_id().unwrap_or(""))
            .trim_matches(['<', '>'])
            .to_string(),
        attachments: Vec::new(),
    };
    collect(&message, &mut mail.attachments, 0);
    Some(mail)
}

/// How deep forwarded messages are followed.
const MAX_DEPTH: usize = 4;

/// Every leaf part of `message` that is a file, walking into forwarded messages.
fn collect(message: &Message<'_>, out: &mut Vec<Attachment>, depth: usize) {
    for (index, part) in message.parts.iter().enumerate() {
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Message(inner) => {
                if depth < MAX_DEPTH {
                    collect(inner, out, depth + 1);
                }
            }
            PartType::Text(_)
            | PartType::Html(_)
            | PartType::Binary(_)
            | PartType::InlineBinary(_) => {
                // The root of a single-part mail is its body, unless it is a file itself.
                let name = part.attachment_name().map(clean).unwrap_or_default();
                let kind = kind_of(part, &name);
                if index == 0 && kind == Kind::Other && name.is_empty() {
                    continue;
                }
                if kind == Kind::Other && name.is_empty() && part.is_text() {
                    // A text or HTML body, not a file.
                    continue;
                }
                out.push(Attachment {
                    name,
                    kind,
                    bytes: sent_bytes(message, part),
                });
            }
        }
    }
}

/// XML or PDF by content type or file name; ZIP likewise.
fn kind_of(part: &MessagePart<'_>, name: &str) -> Kind {
    let (ctype, subtype) = part
        .content_type()
        .map(|ct| {
            (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
            )
        })
        .unwrap_or_default();
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let xml = matches!(
        (ctype.as_str(), subtype.as_str()),
        ("application" | "text", "xml")
    ) || subtype.ends_with("+xml");
    let pdf = matches!(subtype.as_str(), "pdf" | "x-pdf") && ctype == "application";
    let zip =
        ctype == "application" && matches!(subtype.as_str(), "zip" | "x-zip-compressed" | "x-zip");
    if xml || pdf || ext == "xml" || ext == "pdf" {
        Kind::Invoice
    } else if zip || ext == "zip" {
        Kind::Archive
    } else {
        Kind::Other
    }
}

/// The part's bytes as the sender attached them: transfer-decoded, but for text parts without
/// the charset conversion the parser applies (an XML file keeps its own encoding, byte for
/// byte).
fn sent_bytes(message: &Message<'_>, part: &MessagePart<'_>) -> Vec<u8> {
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
        _ => {
            let raw = message.raw_message();
            let start = part.raw_body_offset() as usize;
            let end = (part.raw_end_offset() as usize).min(raw.len());
            let body = raw.get(start..end).unwrap_or_default();
            let decoded = match part.encoding {
                Encoding::Base64 => base64_decode(body),
                Encoding::QuotedPrintable => quoted_printable_decode(body),
                Encoding::None => Some(body.to_vec()),
            };
            decoded.unwrap_or_else(|| part.contents().to_vec())
        }
    }
}

/// "Name <address>", or the address alone.
fn sender(message: &Message<'_>) -> String {
    let Some(addr) = message.from().and_then(|a| a.first()) else {
        return String::new();
    };
    let address = addr.address().unwrap_or("");
    let shown = match addr.name() {
        Some(name) if !name.trim().is_empty() => format!("{} <{address}>", name.trim()),
        _ => address.to_string(),
    };
    clean(&shown)
}

/// Without control characters and at most 300 characters (for reports and logs).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Invoice>M\u{fc}nchen</Invoice>";

    fn b64(bytes: &[u8]) -> String {
        // Small test-only encoder (the parser's own decoder reads it back).
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn attachments_are_found_in_nested_parts_and_forwarded_mails() {
        let latin1: Vec<u8> = XML.chars().map(|c| c as u32 as u8).collect();
        let pdf = b"%PDF-1.7\nrest".to_vec();
        let forwarded = format!(
            "From: a@example.com\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--in\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"inner.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--in--\r\n",
            b64(&pdf)
        );
        let raw = format!(
            "From: Lieferant GmbH <rechnung@lieferant.example>\r\nTo: rechnungseingang@kontor.example\r\nSubject: =?utf-8?q?Rechnung_f=C3=BCr_M=C3=A4rz?=\r\nMessage-ID: <abc@lieferant.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hallo</p>\r\n--alt--\r\n\r\n--outer\r\nContent-Type: text/xml; charset=iso-8859-1\r\nContent-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.xml\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--outer\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"all.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n{forwarded}\r\n--outer--\r\n",
            b64(&latin1)
        );
        let mail = parse(raw.as_bytes()).unwrap();
        assert_eq!(mail.subject, "Rechnung für März");
        assert_eq!(mail.from, "Lieferant GmbH <rechnung@lieferant.example>");
        assert_eq!(mail.message_id, "abc@lieferant.example");
        let found: Vec<(&str, Kind)> = mail
            .attachments
            .iter()
            .map(|a| (a.name.as_str(), a.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("Rechnung März.xml", Kind::Invoice),
                ("all.zip", Kind::Archive),
                ("inner.pdf", Kind::Invoice),
            ]
        );
        // The XML keeps its own encoding byte for byte; the PDF is decoded.
        assert_eq!(mail.attachments[0].bytes, latin1);
        assert_eq!(mail.attachments[2].bytes, pdf);
        assert_eq!(mail.identity(raw.as_bytes()), "abc@lieferant.example");
    }

    #[test]
    fn a_mail_without_files_has_no_attachments_and_an_identity_without_id() {
        let raw = b"From: x@example.com\r\nSubject: Frage\r\n\r\nWann kommt die Rechnung?\r\n";
        let mail = parse(raw).unwrap();
        assert!(mail.attachments.is_empty());
        assert!(mail.identity(raw).starts_with("sha256:"));
        // A plain 8-bit XML part keeps its bytes too.
        let raw = b"From: x@example.com\r\nSubject: XML\r\nContent-Type: application/xml\r\n\r\n<a>\xfc</a>\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(mail.attachments[0].kind, Kind::Invoice);
        assert!(mail.attachments[0].bytes.starts_with(b"<a>\xfc</a>"));
    }
}
