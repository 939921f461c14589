//! Navigation and the frame around every page.

macro_rules! nav {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        AppTitle "app.title" => "Kontor", "Kontor";
        NavDashboard "nav.dashboard" => "Übersicht", "Dashboard";
        NavContacts "nav.contacts" => "Kontakte", "Contacts";
        NavArticles "nav.articles" => "Artikel", "Articles";
        NavDocuments "nav.documents" => "Dokumente", "Documents";
        NavIncoming "nav.incoming" => "Eingangsrechnungen", "Received invoices";
        NavSettings "nav.settings" => "Einstellungen", "Settings";
        NavLogout "nav.logout" => "Abmelden", "Log out";
        NavLanguage "nav.language" => "English", "Deutsch";
        NavSkip "nav.skip" => "Zum Inhalt springen", "Skip to content";
    } };
}
