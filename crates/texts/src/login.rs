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
        LoginThrottled "login.throttled" =>
            "Zu viele fehlgeschlagene Anmeldungen. Bitte in {s} Sekunden erneut versuchen.",
            "Too many failed logins. Please try again in {s} seconds.";
    } };
}
