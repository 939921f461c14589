//! Second factor, my account and the admin's security page.

macro_rules! security {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        TwoFactorTitle "2fa.title" => "Zweiter Faktor", "Second factor";
        TwoFactorHeading "2fa.heading" => "Zwei-Faktor-Anmeldung", "Two-factor login";
        TwoFactorEnterCode "2fa.enter_code" =>
            "Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.",
            "Enter the 6-digit code from your authenticator app or a recovery code.";
        TwoFactorEnrolRequired "2fa.enrol_required" =>
            "Für dieses Unternehmen ist die Zwei-Faktor-Anmeldung Pflicht. Scannen Sie den QR-Code mit einer Authenticator-App und geben Sie den angezeigten Code ein.",
            "This business requires two-factor login. Scan the QR code with an authenticator app and enter the code it shows.";
        TwoFactorScan "2fa.scan" =>
            "Scannen Sie den QR-Code mit einer Authenticator-App und bestätigen Sie mit dem angezeigten Code.",
            "Scan the QR code with an authenticator app and confirm with the code it shows.";
        TwoFactorQrAlt "2fa.qr_alt" =>
            "QR-Code für die Authenticator-App",
            "QR code for the authenticator app";
        TwoFactorSecretText "2fa.secret_text" =>
            "Oder den Schlüssel von Hand eingeben:",
            "Or type in the key:";
        TwoFactorCode "2fa.code" => "Code", "Code";
        TwoFactorSubmit "2fa.submit" => "Bestätigen", "Confirm";
        TwoFactorConfirm "2fa.confirm" => "Aktivieren", "Turn on";
        TwoFactorBack "2fa.back" => "Zurück zur Anmeldung", "Back to login";
        TwoFactorWrong "2fa.wrong" =>
            "Der Code ist falsch oder abgelaufen.",
            "The code is wrong or has expired.";
        TwoFactorCodesTitle "2fa.codes_title" => "Wiederherstellungscodes", "Recovery codes";
        TwoFactorCodesIntro "2fa.codes_intro" =>
            "Bewahren Sie diese Codes sicher auf. Jeder Code gilt einmal, falls Ihr Telefon nicht zur Hand ist. Sie werden nur jetzt angezeigt.",
            "Keep these codes safe. Each works once when your phone is not at hand. They are shown only now.";
        TwoFactorCodesDone "2fa.codes_done" => "Gespeichert, weiter", "Saved, continue";
        TwoFactorCodesLeft "2fa.codes_left" =>
            "Wiederherstellungscodes übrig",
            "recovery codes left";
        TwoFactorOn "2fa.on" => "Aktiv", "On";
        TwoFactorOff "2fa.off" => "Nicht eingerichtet", "Not set up";
        TwoFactorStart "2fa.start" => "Zwei-Faktor-Anmeldung einrichten", "Set up two-factor login";
        TwoFactorDisable "2fa.disable" =>
            "Zwei-Faktor-Anmeldung ausschalten",
            "Turn off two-factor login";
        TwoFactorDisabled "2fa.disabled" =>
            "Die Zwei-Faktor-Anmeldung ist ausgeschaltet.",
            "Two-factor login is off.";
        AccountTitle "account.title" => "Mein Konto", "My account";
        AccountPassword "account.password" => "Passwort ändern", "Change password";
        AccountNewPassword "account.new_password" => "Neues Passwort", "New password";
        AccountChangePassword "account.change_password" => "Passwort ändern", "Change password";
        AccountSessions "account.sessions" => "Aktive Sitzungen", "Active sessions";
        AccountStarted "account.started" => "Begonnen", "Started";
        AccountLastSeen "account.last_seen" => "Zuletzt aktiv", "Last active";
        AccountAddress "account.address" => "Adresse", "Address";
        AccountBrowser "account.browser" => "Browser", "Browser";
        AccountThisSession "account.this_session" => "Diese Sitzung", "This session";
        AccountEndSession "account.end_session" => "Beenden", "End";
        AccountSessionEnded "account.session_ended" =>
            "Die Sitzung wurde beendet.",
            "The session was ended.";
        SecurityTitle "security.title" => "Sicherheit", "Security";
        SecurityRequire2fa "security.require_2fa" =>
            "Zwei-Faktor-Anmeldung für alle Benutzer verlangen",
            "Require two-factor login for every user";
        SecurityUsers "security.users" => "Benutzer", "Users";
        SecurityEndSessions "security.end_sessions" => "Alle Sitzungen beenden", "End all sessions";
        SecurityReset2fa "security.reset_2fa" => "2FA zurücksetzen", "Reset 2FA";
        SecurityLog "security.log" => "Sicherheitsprotokoll", "Security log";
        SecurityWhen "security.when" => "Zeitpunkt", "When";
        SecurityEvent "security.event" => "Ereignis", "Event";
        SecuritySubject "security.subject" => "Betrifft", "Subject";
        SecurityActor "security.actor" => "Von", "By";
        SecurityDetail "security.detail" => "Details", "Details";
    } };
}
