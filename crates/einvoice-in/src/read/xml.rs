//! Small navigation helpers over a roxmltree DOM, addressed with the prefixes the official
//! artefacts use (`cbc:`, `cac:`, `ram:`, `udt:`, `rsm:`), and the lexical parsers for the XML
//! Schema types the readers need (xs:decimal, xs:date, CII date format 102).

use chrono::NaiveDate;
use roxmltree::Node;
use rust_decimal::Decimal;
use std::str::FromStr;

pub const NS_UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
pub const NS_UBL_CREDITNOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
pub const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
pub const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
pub const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
pub const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
pub const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
pub const NS_QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
pub const NS_ZF1: &str = "urn:ferd:CrossIndustryDocument:invoice:1p0";

/// A node of the parsed document.
pub type N<'a> = Node<'a, 'a>;

fn ns_of(prefix: &str) -> &'static str {
    match prefix {
        "cbc" => NS_CBC,
        "cac" => NS_CAC,
        "rsm" => NS_RSM,
        "ram" => NS_RAM,
        "udt" => NS_UDT,
        "qdt" => NS_QDT,
        _ => "",
    }
}

/// `true` when `n` is the element `prefix:local` (e.g. `cbc:ID`).
pub fn is(n: N<'_>, qname: &str) -> bool {
    if !n.is_element() {
        return false;
    }
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    let tag = n.tag_name();
    tag.name() == local && tag.namespace().unwrap_or("") == ns_of(prefix)
}

/// The first child element `qname`.
pub fn child<'a>(n: N<'a>, qname: &str) -> Option<N<'a>> {
    n.children().find(|c| is(*c, qname))
}

/// All child elements `qname`.
pub fn children<'a, 'q>(n: N<'a>, qname: &'q str) -> impl Iterator<Item = N<'a>> + 'q
where
    'a: 'q,
{
    n.children().filter(move |c| is(*c, qname))
}

/// The first element along a `/`-separated path of child steps.
pub fn at<'a>(n: N<'a>, path: &str) -> Option<N<'a>> {
    let mut cur = n;
    for step in path.split('/') {
        cur = child(cur, step)?;
    }
    Some(cur)
}

/// Every element reached by the path (all children at every step), in document order.
pub fn all<'a>(n: N<'a>, path: &str) -> Vec<N<'a>> {
    let mut cur = vec![n];
    for step in path.split('/') {
        let mut next = Vec::new();
        for c in &cur {
            next.extend(children(*c, step));
        }
        cur = next;
    }
    cur
}

/// The text content of an element (all text children), trimmed; `None` when empty.
pub fn text(n: N<'_>) -> Option<String> {
    let mut s = String::new();
    for c in n.children() {
        if c.is_text() {
            s.push_str(c.text().unwrap_or(""));
        }
    }
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// The text at a path, trimmed, `None` when missing or empty.
pub fn t(n: N<'_>, path: &str) -> Option<String> {
    at(n, path).and_then(text)
}

/// An attribute value, trimmed, `None` when missing or empty.
pub fn attr(n: N<'_>, name: &str) -> Option<String> {
    n.attribute(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `true` when the lexical form is an xs:decimal (optional sign, digits, optional fraction).
pub fn is_xs_decimal(s: &str) -> bool {
    let s = s.trim();
    let body = s
        .strip_prefix('-')
        .or_else(|| s.strip_prefix('+'))
        .unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    (!int.is_empty() || !frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Parses an xs:decimal exactly; `None` when it is not one (or too large for `Decimal`).
pub fn decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if !is_xs_decimal(s) {
        return None;
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let s = if let Some(rest) = s.strip_suffix('.') {
        rest
    } else {
        s
    };
    let owned;
    let s = if let Some(rest) = s.strip_prefix("-.") {
        owned = format!("-0.{rest}");
        owned.as_str()
    } else if let Some(rest) = s.strip_prefix('.') {
        owned = format!("0.{rest}");
        owned.as_str()
    } else {
        s
    };
    Decimal::from_str(s).ok()
}

/// The decimal at a node's text.
pub fn dec(n: Option<N<'_>>) -> Option<Decimal> {
    n.and_then(text).as_deref().and_then(decimal)
}

/// Parses an xs:date (`YYYY-MM-DD`, optionally with a time zone); `None` when it is not one.
pub fn xs_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let core = s.get(..10)?;
    let tz = s.get(10..)?;
    let tz_ok = tz.is_empty()
        || tz == "Z"
        || (tz.len() == 6
            && (tz.starts_with('+') || tz.starts_with('-'))
            && tz.as_bytes().get(3) == Some(&b':')
            && tz
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit()));
    let b = core.as_bytes();
    let shape = b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !tz_ok || !shape {
        return None;
    }
    NaiveDate::parse_from_str(core, "%Y-%m-%d").ok()
}

/// Parses a CII date in format 102 (`CCYYMMDD`).
pub fn date_102(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

/// Parses an XML boolean (`true`, `false`, `1`, `0`).
pub fn boolean(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A readable path of an element for finding locations, e.g.
/// `/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount` (prefixes as in the official reports).
pub fn path_of(n: N<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(n);
    while let Some(c) = cur {
        if c.is_element() {
            let tag = c.tag_name();
            let prefix = match tag.namespace().unwrap_or("") {
                NS_CBC => "cbc:",
                NS_CAC => "cac:",
                NS_RSM => "rsm:",
                NS_RAM => "ram:",
                NS_UDT => "udt:",
                NS_QDT => "qdt:",
                _ => "",
            };
            let idx = match c.parent_element() {
                Some(p) => {
                    let same: Vec<_> = p
                        .children()
                        .filter(|s| s.is_element() && s.tag_name() == tag)
                        .collect();
                    if same.len() > 1 {
                        same.iter()
                            .position(|s| *s == c)
                            .map(|i| format!("[{}]", i + 1))
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                }
                None => String::new(),
            };
            parts.push(format!("{prefix}{}{idx}", tag.name()));
        }
        cur = c.parent();
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(decimal("10.50"), Some(Decimal::new(1050, 2)));
        assert_eq!(decimal(" -.5 "), Some(Decimal::new(-5, 1)));
        assert_eq!(decimal("+3."), Some(Decimal::new(3, 0)));
        assert_eq!(decimal("1e3"), None);
        assert_eq!(decimal("1,5"), None);
        assert_eq!(decimal(""), None);
        assert_eq!(decimal("."), None);
    }

    #[test]
    fn dates() {
        assert!(xs_date("2024-12-31").is_some());
        assert!(xs_date("2024-12-31Z").is_some());
        assert!(xs_date("2024-12-31+01:00").is_some());
        assert!(xs_date("2024-13-45").is_none());
        assert!(xs_date("31.12.2024").is_none());
        assert!(date_102("20241231").is_some());
        assert!(date_102("2024-12-31").is_none());
    }
}
