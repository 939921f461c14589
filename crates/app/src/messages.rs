//! The German and English texts of every error code. `{detail}` in a German text is replaced by
//! the error's detail (field names, numbers) where it helps to act on it.

use kontor_domain::{ErrorCode, Language};

/// (German, English) for a code. The English text is used when an error carries no detail of
/// its own.
pub fn texts(code: ErrorCode) -> (&'static str, &'static str) {
    use ErrorCode::*;
    match code {
        UnreadableBody => (
            "Die Anfrage konnte nicht gelesen werden.",
            "the request body could not be read",
        ),
        InvalidQuery => (
            "Die Adresse enthält ungültige Parameter.",
            "the query string is malformed",
        ),
        MalformedJson => (
            "Der Inhalt ist kein gültiges JSON: {detail}",
            "the body is not valid JSON",
        ),
        InvalidJson => (
            "Der Inhalt passt nicht zum erwarteten JSON: {detail}",
            "the body does not match the expected JSON",
        ),
        BodyTooLarge => (
            "Die Anfrage ist zu groß (höchstens 2 MiB).",
            "the request body exceeds 2 MiB",
        ),
        Unauthenticated => ("Bitte melden Sie sich an.", "authentication required"),
        Forbidden => ("Dafür fehlt Ihnen die Berechtigung.", "you may not do this"),
        Csrf => (
            "Das Formular ist abgelaufen oder kam von einer fremden Seite. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
            "The form has expired or came from another site. Please reload the page and try again.",
        ),
        NotFound => ("Nicht gefunden.", "not found"),
        MethodNotAllowed => (
            "Diese Methode ist hier nicht erlaubt.",
            "this method is not allowed here",
        ),
        Invalid => ("Ungültige Eingabe: {detail}", "invalid value"),
        Required => ("Pflichtangabe fehlt: {detail}", "is required"),
        UnknownField => ("Unbekanntes Feld: {detail}", "is not a known field"),
        InvalidType => ("Falscher Datentyp: {detail}", "has the wrong type"),
        UnknownValue => ("Unbekannter Wert: {detail}", "is not a known value"),
        OutOfRange => (
            "Wert außerhalb des erlaubten Bereichs: {detail}",
            "is out of range",
        ),
        TooMany => ("Zu viele Einträge: {detail}", "too many entries"),
        TooLong => ("Text zu lang: {detail}", "is too long"),
        TooManyDecimals => (
            "Zu viele Nachkommastellen: {detail}",
            "has too many decimal places",
        ),
        Immutable => ("Darf nicht geändert werden: {detail}", "cannot be changed"),
        UnknownVatRate => (
            "Unbekannter Steuersatz (erlaubt: 19, 7, 0): {detail}",
            "unknown VAT rate (allowed: 19, 7, 0)",
        ),
        UnknownUnit => ("Unbekannte Einheit: {detail}", "unknown unit"),
        UnknownCurrency => ("Unbekannte Währung: {detail}", "unknown currency"),
        UnknownCountry => ("Unbekanntes Land: {detail}", "unknown country"),
        InvalidVatId => ("Ungültige USt-IdNr.: {detail}", "is not a plausible VAT ID"),
        InvalidEmail => (
            "Ungültige E-Mail-Adresse: {detail}",
            "is not an e-mail address",
        ),
        InvalidIban => ("Ungültige IBAN: {detail}", "is not a valid IBAN"),
        InvalidBic => ("Ungültige BIC: {detail}", "is not a valid BIC"),
        InvalidCreditorId => (
            "Ungültige Gläubiger-ID: {detail}",
            "is not a valid SEPA creditor identifier",
        ),
        NotCreatable => (
            "Rechnungskorrekturen und Stornorechnungen entstehen aus einer Rechnung (Folgedokument bzw. Stornieren).",
            "credit notes and cancellations refer to an invoice",
        ),
        UnknownArticle => ("Unbekannter Artikel: {detail}", "unknown article"),
        LogoTooLarge => (
            "Das Logo ist größer als 512 KB.",
            "The logo is larger than 512 KB.",
        ),
        LogoUnknownType => (
            "Nur PNG, JPEG oder SVG sind erlaubt.",
            "Only PNG, JPEG or SVG are allowed.",
        ),
        LogoUnsafeSvg => (
            "Das SVG enthält Skripte oder externe Verweise.",
            "The SVG contains scripts or external references.",
        ),
        NotIssuable => (
            "Das Dokument kann noch nicht gestellt werden.",
            "the document cannot be issued yet; see problems",
        ),
        DocumentLocked => (
            "Das Dokument ist gestellt und kann nicht mehr geändert werden (GoBD). Korrekturen sind neue Dokumente.",
            "an issued document cannot be changed",
        ),
        VersionConflict => (
            "Das Dokument wurde inzwischen geändert. Bitte neu laden und noch einmal versuchen.",
            "the document was changed meanwhile; reload it and try again",
        ),
        DocumentReferenced => (
            "Aus diesem Entwurf wurden andere Dokumente abgeleitet; er kann nicht gelöscht werden.",
            "other documents were derived from this draft",
        ),
        NumberTaken => (
            "Die nächste Nummer ist schon vergeben. Bitte Muster oder Startwert des Nummernkreises ändern. ({detail})",
            "the next number is taken already",
        ),
        NotIssued => (
            "Das geht erst, wenn das Dokument gestellt ist.",
            "the document is not issued",
        ),
        AlreadyCancelled => (
            "Das Dokument ist bereits storniert.",
            "the document is already cancelled",
        ),
        NotCancellable => (
            "Dieses Dokument kann nicht storniert werden.",
            "this document cannot be cancelled",
        ),
        HasPayments => (
            "Zur Rechnung sind Zahlungen erfasst; stornieren geht nicht mehr. Erstellen Sie eine Rechnungskorrektur und erstatten Sie den Betrag.",
            "the invoice has payments; issue a credit note and refund instead",
        ),
        PaymentReversed => (
            "Diese Zahlung ist eine Stornobuchung oder wurde bereits storniert.",
            "the payment is a reversal or was reversed already",
        ),
        NotAQuote => (
            "Annehmen oder ablehnen lässt sich nur ein Angebot.",
            "only a quote can be accepted or declined",
        ),
        NotAnEinvoice => (
            "Die Datei ist keine E-Rechnung und kein PDF: {detail}",
            "the file is neither an e-invoice nor a PDF",
        ),
        FileEmpty => ("Die Datei ist leer.", "the file is empty"),
        FileTooLarge => ("Die Datei ist zu groß: {detail}", "the file is too large"),
        IncomingState => (
            "Das geht bei dieser Eingangsrechnung in ihrem Status nicht: {detail}",
            "not possible for this received invoice in its status",
        ),
        IncomingDuplicate => (
            "Diese Eingangsrechnung ist ein Duplikat und wird nicht gebucht: {detail}",
            "this received invoice is a duplicate and is not booked",
        ),
        NotPayable => (
            "Zahlungen werden nur zu gestellten, nicht stornierten Rechnungen erfasst.",
            "only issued invoices take payments",
        ),
        ContactInUse => (
            "Der Kontakt wird von Dokumenten verwendet und kann nicht gelöscht werden; archivieren Sie ihn stattdessen.",
            "the contact is used by documents and cannot be deleted; archive it instead",
        ),
        EinvoiceUnavailable => (
            "Für dieses Dokument gibt es keine XRechnung, weil Angaben fehlen: {detail}",
            "no XRechnung was produced for this document",
        ),
        TotpEnabled => (
            "Die Zwei-Faktor-Anmeldung ist bereits eingeschaltet; schalten Sie sie zuerst aus.",
            "two-factor login is already on; turn it off first",
        ),
        TotpNotPending => (
            "Bitte starten Sie zuerst die Einrichtung der Zwei-Faktor-Anmeldung.",
            "start the two-factor setup first",
        ),
        TwoFactorRequired => (
            "Die Zwei-Faktor-Anmeldung ist für dieses Unternehmen Pflicht.",
            "This business requires two-factor login.",
        ),
        ExceedsOpenAmount => (
            "Der Betrag ist höher als der noch offene Betrag der Rechnung.",
            "the amount exceeds the invoice's open amount",
        ),
        AmountNotPositive => (
            "Der Betrag muss größer als 0 sein.",
            "must be greater than 0",
        ),
        UnknownPaymentMethod => (
            "Bitte wählen Sie eine der angebotenen Zahlungsarten.",
            "is not a known payment method",
        ),
        UsernameInvalid => (
            "Der Benutzername muss 3 bis 64 Zeichen lang sein und darf nur Buchstaben, Ziffern und . - _ @ enthalten.",
            "must be 3 to 64 letters, digits or . - _ @",
        ),
        UsernameReserved => (
            "Diesen Benutzernamen (root, admin, administrator) probieren Angreifer zuerst; bitte wählen Sie einen persönlichen.",
            "is a well-known name that attackers try first; choose a personal one",
        ),
        UsernameTaken => (
            "Diesen Benutzernamen gibt es schon.",
            "the user name is taken",
        ),
        PasswordTooShort => (
            "Das Passwort muss mindestens 12 Zeichen lang sein.",
            "must be at least 12 characters long",
        ),
        PasswordMonotonous => (
            "Das Passwort darf nicht nur aus einem wiederholten Zeichen bestehen.",
            "must not repeat a single character",
        ),
        PasswordGuessable => (
            "Das Passwort ist leicht zu erraten (ein häufiges Passwort oder nah daran). Nehmen Sie besser einen längeren Satz aus mehreren Wörtern.",
            "is too easy to guess; use a longer passphrase",
        ),
        PasswordWrong => ("Das bisherige Passwort stimmt nicht.", "is not correct"),
        TwoFactorCodeWrong => (
            "Der Code stimmt nicht. Bitte prüfen Sie, ob die Uhrzeit Ihres Telefons stimmt.",
            "the code does not match; check the time on your phone",
        ),
        SetupCodeWrong => (
            "Das ist nicht der Einrichtungscode, den „kontor serve“ beim Start ausgegeben hat („kontor user setup-code“ zeigt ihn erneut).",
            "is not the setup code that \"kontor serve\" printed (\"kontor user setup-code\" shows it again)",
        ),
        BackupRunning => (
            "Es läuft bereits eine Sicherung; eine neue beginnt erst, wenn sie fertig ist ({detail}).",
            "a backup is still running",
        ),
        AlreadySetUp => (
            "Kontor ist bereits eingerichtet.",
            "Kontor is set up already",
        ),
        IdempotencyKeyInUse => (
            "Die erste Anfrage mit diesem Idempotency-Key läuft noch; bitte später erneut versuchen.",
            "the first request with this Idempotency-Key has not finished; retry later",
        ),
        TenantExists => (
            "Diesen Mandanten gibt es schon: {detail}",
            "the tenant exists already",
        ),
        TenantState => (
            "Der Mandant ist nicht im passenden Zustand: {detail}",
            "the tenant is not in the required state",
        ),
        NotExported => (
            "Der Mandant muss vor dem Löschen exportiert werden: {detail}",
            "export the tenant first",
        ),
        Hosted => (
            "Die Datensicherung dieser Installation übernimmt ihr Betreiber.",
            "the operator of this installation runs its backups",
        ),
        BackupsNotConfigured => (
            "Für diese Installation ist keine Datensicherung eingerichtet.",
            "backups are not set up for this installation (kontor serve --backup-recipient … --backup-target …)",
        ),
        MailboxNotConfigured => (
            "Es ist kein Postfach eingerichtet (Server, Benutzername und Passwort in den Einstellungen).",
            "no mailbox is set up",
        ),
        MailboxBusy => (
            "Das Postfach wird gerade abgerufen; der Bericht erscheint, sobald der Abruf fertig ist.",
            "the mailbox is being read right now",
        ),
        MailboxLoginFailed => (
            "Der Mailserver hat die Anmeldung abgelehnt; bitte Benutzername und Passwort prüfen ({detail}).",
            "the mail server refused the login",
        ),
        MailboxUnreachable => (
            "Der Mailserver ist nicht erreichbar ({detail}).",
            "the mail server cannot be reached",
        ),
        MailboxFailed => (
            "Beim Abruf des Postfachs ist ein Fehler aufgetreten ({detail}).",
            "reading the mailbox failed",
        ),
        Internal => ("Ein interner Fehler ist aufgetreten.", "internal error"),
        FileDamaged => (
            "Die gespeicherte Datei fehlt oder ist beschädigt.",
            "the stored file is missing or damaged in the file store",
        ),
        RenderFailed => (
            "Das Dokument konnte nicht erzeugt werden.",
            "the document could not be rendered",
        ),
        FileStoreUnavailable => (
            "Der Dateispeicher ist nicht erreichbar; bitte später erneut versuchen.",
            "the file store cannot be reached; try again later",
        ),
        DatabaseUnavailable => (
            "Die Datenbank ist nicht erreichbar; bitte später erneut versuchen.",
            "the database cannot be reached; try again later",
        ),
    }
}

/// The text of `code` in `lang`, with the error's own `detail` (English) where it belongs.
pub fn error_text(code: ErrorCode, lang: Language, detail: &str) -> String {
    let (de, en) = texts(code);
    match lang {
        Language::En if !detail.is_empty() => detail.to_string(),
        Language::En => en.to_string(),
        Language::De if de.contains("{detail}") => {
            if detail.is_empty() {
                de.replace(": {detail}", ".").replace(" ({detail})", "")
            } else {
                de.replace("{detail}", detail)
            }
        }
        Language::De => de.to_string(),
    }
}

/// A field as a person reads it, from the name the API uses: `method` → "Zahlungsart",
/// `lines[2].quantity` → "Position 3, Menge". Unknown names stay as they are.
pub fn field_label(field: &str, lang: Language) -> String {
    let german = lang == Language::De;
    if let Some((list, rest)) = field.split_once('[')
        && let Some((index, inner)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        let inner = inner.trim_start_matches('.');
        let (word, nth) = match (list, german) {
            ("lines", true) => ("Position", index + 1),
            ("lines", false) => ("Line", index + 1),
            ("skonto", true) => ("Skonto", index + 1),
            ("skonto", false) => ("Cash discount", index + 1),
            _ => return field.to_string(),
        };
        return if inner.is_empty() {
            format!("{word} {nth}")
        } else {
            format!("{word} {nth}, {}", field_label(inner, lang))
        };
    }
    let key = match field {
        "contact_id" => "contact",
        "article_id" => "article",
        "new_password" | "new_password2" | "password2" => "password",
        other => other,
    };
    kontor_texts::Msg::from_key(&format!("field.{key}"))
        .map_or_else(|| field.to_string(), |m| m.text(lang).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_in_words() {
        assert_eq!(field_label("method", Language::De), "Zahlungsart");
        assert_eq!(field_label("contact_id", Language::De), "Kontakt");
        assert_eq!(
            field_label("lines[0].description", Language::De),
            "Position 1, Beschreibung"
        );
        assert_eq!(
            field_label("lines[2].quantity", Language::En),
            "Line 3, Quantity"
        );
        assert_eq!(field_label("no_such_field", Language::De), "no_such_field");
    }

    #[test]
    fn the_password_length_in_the_text_is_the_rule() {
        let (de, _) = texts(ErrorCode::PasswordTooShort);
        assert!(de.contains(&format!(
            "mindestens {} Zeichen",
            kontor_storage::MIN_PASSWORD_LEN
        )));
    }

    #[test]
    fn every_code_has_a_german_and_an_english_text() {
        for code in ErrorCode::ALL {
            let (de, en) = texts(*code);
            assert!(!de.trim().is_empty(), "{code}: German text missing");
            assert!(!en.trim().is_empty(), "{code}: English text missing");
            assert_ne!(de, en, "{code}: German text is the English one");
            let plain = error_text(*code, Language::De, "");
            assert!(!plain.contains("{detail}"), "{code}: {plain}");
        }
    }
}
