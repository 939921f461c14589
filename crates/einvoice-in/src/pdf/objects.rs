//! Small, panic-free helpers over lopdf's object model: following indirect references,
//! reading names and PDF text strings.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Follows indirect references (lopdf bounds the chain) and returns the object with the id of
/// the last reference followed. A dangling reference or `null` gives `None`.
pub(crate) fn resolve<'a>(
    doc: &'a Document,
    obj: &'a Object,
) -> Option<(Option<ObjectId>, &'a Object)> {
    match doc.dereference(obj) {
        Ok((_, Object::Null)) => None,
        Ok(found) => Some(found),
        Err(_) => None,
    }
}

/// The value of `key`, references followed; `None` when absent, dangling or `null`.
pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key)
        .ok()
        .and_then(|o| resolve(doc, o))
        .map(|(_, o)| o)
}

pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a.as_slice()),
        _ => None,
    }
}

/// A name value as text (`/text#2Fxml` → `text/xml`), without the slash.
pub(crate) fn get_name(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// A text string value, decoded (UTF-16BE / UTF-8 with BOM, else PDFDocEncoding).
pub(crate) fn get_text(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match get(doc, dict, key)? {
        Object::String(bytes, _) => Some(decode_text(bytes)),
        _ => None,
    }
}

/// `true` when the key is present with any value except `null` (a dangling reference counts
/// as absent).
pub(crate) fn has(doc: &Document, dict: &Dictionary, key: &[u8]) -> bool {
    get(doc, dict, key).is_some()
}

/// Decodes a PDF text string (PDF 32000-1, 7.9.2.2).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        // Not allowed by the standard, but written by some producers.
        return decode_utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| pdf_doc_char(b)).collect()
}

pub(crate) fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// PDFDocEncoding (PDF 32000-1, Annex D.2): Latin-1 except for 0x18..0x1F and 0x80..0xA0.
fn pdf_doc_char(b: u8) -> char {
    const LOW: [char; 8] = [
        '\u{02D8}', '\u{02C7}', '\u{02C6}', '\u{02D9}', '\u{02DD}', '\u{02DB}', '\u{02DA}',
        '\u{02DC}',
    ];
    const HIGH: [char; 33] = [
        '\u{2022}', '\u{2020}', '\u{2021}', '\u{2026}', '\u{2014}', '\u{2013}', '\u{0192}',
        '\u{2044}', '\u{2039}', '\u{203A}', '\u{2212}', '\u{2030}', '\u{201E}', '\u{201C}',
        '\u{201D}', '\u{2018}', '\u{2019}', '\u{201A}', '\u{2122}', '\u{FB01}', '\u{FB02}',
        '\u{0141}', '\u{0152}', '\u{0160}', '\u{0178}', '\u{017D}', '\u{0131}', '\u{0142}',
        '\u{0153}', '\u{0161}', '\u{017E}', '\u{FFFD}', '\u{20AC}',
    ];
    match b {
        0x18..=0x1F => LOW
            .get(usize::from(b - 0x18))
            .copied()
            .unwrap_or('\u{FFFD}'),
        0x80..=0xA0 => HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings() {
        assert_eq!(decode_text(b"factur-x.xml"), "factur-x.xml");
        assert_eq!(decode_text(&[0xFE, 0xFF, 0, b'a', 0, 0xFC]), "a\u{fc}");
        assert_eq!(decode_text(&[0xFE, 0xFF, 0, b'a', 0]), "a");
        assert_eq!(decode_text(&[0x80, 0xA0, 0xE4]), "\u{2022}\u{20AC}\u{e4}");
        assert_eq!(decode_text(&[0xEF, 0xBB, 0xBF, b'x']), "x");
    }
}
