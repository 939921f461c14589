//! Folder names as the IMAP server spells them: the settings separate levels with `/`, the
//! server may use another delimiter (`.` on many Maildir servers), and names travel in
//! modified UTF-7 (RFC 3501, 5.1.3), so that "Kontor/Geprüft" reaches any server.

/// `name` (levels separated by `/`) for a server whose hierarchy delimiter is `delimiter`.
pub(super) fn on_server(name: &str, delimiter: Option<&str>) -> String {
    let levels: Vec<String> = name.split('/').map(modified_utf7).collect();
    match delimiter {
        Some(d) if !d.is_empty() => levels.join(d),
        // A flat server: the name stays one level.
        _ => levels.join(&modified_utf7("/")),
    }
}

/// The parent folders of a server-side name, outermost first ("A.B.C" → "A", "A.B").
pub(super) fn parents(name: &str, delimiter: Option<&str>) -> Vec<String> {
    let Some(d) = delimiter.filter(|d| !d.is_empty()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(pos) = name[at..].find(d) {
        let end = at + pos;
        if end > 0 {
            found.push(name[..end].to_string());
        }
        at = end + d.len();
    }
    found
}

/// RFC 3501 modified UTF-7: printable ASCII as it is (`&` as `&-`), anything else as
/// `&` + base64 (with `,` for `/`, unpadded) of its UTF-16 + `-`.
pub(super) fn modified_utf7(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in s.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out.push('-');
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_rfc_3501_shows() {
        assert_eq!(modified_utf7("INBOX"), "INBOX");
        assert_eq!(modified_utf7("Ohne Rechnung"), "Ohne Rechnung");
        assert_eq!(modified_utf7("Geprüft"), "Gepr&APw-ft");
        assert_eq!(modified_utf7("A&B"), "A&-B");
        // RFC 3501's own example.
        assert_eq!(
            modified_utf7("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
    }

    #[test]
    fn levels_use_the_servers_delimiter() {
        assert_eq!(
            on_server("Kontor/Ohne Rechnung", Some(".")),
            "Kontor.Ohne Rechnung"
        );
        assert_eq!(
            on_server("Kontor/Importiert", Some("/")),
            "Kontor/Importiert"
        );
        assert_eq!(on_server("INBOX", Some(".")), "INBOX");
        assert_eq!(
            parents("INBOX.Kontor.Fehlerhaft", Some(".")),
            ["INBOX", "INBOX.Kontor"]
        );
        assert!(parents("Kontor", Some(".")).is_empty());
        assert!(parents("Kontor/Importiert", None).is_empty());
    }
}
