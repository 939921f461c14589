//! Login, tenant choice and first setup.

macro_rules! login {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        LoginTitle "login.title" => "Anmelden", "Log in";
        LoginUsername "login.username" => "Benutzername", "User name";
        LoginPassword "login.password" => "Passwort", "Password";
        LoginSubmit "login.submit" => "Anmelden", "Log in";
        TenantField "tenant.field" => "Mandant", "Tenant";
        LoginFailed "login.failed" =>
            "Benutzername oder Passwort ist falsch.",
            "User name or password is wrong.";
        SetupTitle "setup.title" => "Kontor einrichten", "Set up Kontor";
        SetupIntro "setup.intro" =>
            "Willkommen! Legen Sie Ihr Unternehmen und den ersten Administrator an.",
            "Welcome! Enter your company and the first administrator.";
        SetupCompany "setup.company" => "Unternehmen", "Company";
        SetupAdmin "setup.admin" => "Administrator", "Administrator";
        SetupPasswordRepeat "setup.password_repeat" => "Passwort wiederholen", "Repeat password";
        SetupPasswordMismatch "setup.password_mismatch" =>
            "Die Passwörter stimmen nicht überein.",
            "The passwords do not match.";
        SetupSubmit "setup.submit" => "Einrichten und anmelden", "Set up and log in";
        SetupCode "setup.code" => "Einrichtungscode", "Setup code";
        SetupCodeHint "setup.code_hint" =>
            "Kontor hat ihn beim Start ausgegeben (Konsole oder Protokoll); „kontor user setup-code“ zeigt ihn erneut.",
            "Kontor printed it when it started (console or log); \"kontor user setup-code\" shows it again.";
        SetupLegal "setup.legal" =>
            "Pflichtangaben und Bankverbindung (können später in den Einstellungen ergänzt werden)",
            "Legal details and bank account (can be completed later in the settings)";
        SetupLegalHint "setup.legal_hint" =>
            "Rechnungen und Geschäftsbriefe einer GmbH nennen Registergericht, Registernummer und Geschäftsführung (§ 35a GmbHG, § 37a HGB); ohne IBAN fehlen Bankverbindung und GiroCode auf der Rechnung.",
            "Invoices and business letters of a company name its register court, register number and managing directors (§ 35a GmbHG, § 37a HGB); without an IBAN the invoice has no bank account and no payment QR code.";
        LoginThrottled "login.throttled" =>
            "Zu viele fehlgeschlagene Anmeldungen. Bitte in {s} Sekunden erneut versuchen.",
            "Too many failed logins. Please try again in {s} seconds.";
    } };
}
