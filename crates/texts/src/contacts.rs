//! Contacts pages.

macro_rules! contacts {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        ContactsSectionAddress "contacts.section.address" => "Anschrift und Kontakt", "Address and contact";
        ContactsSectionTax "contacts.section.tax" => "Steuer und E-Rechnung", "Tax and e-invoicing";
        ContactsSectionPayment "contacts.section.payment" => "Zahlung", "Payment";
        ContactsTitle "contacts.title" => "Kontakte", "Contacts";
        ContactsNew "contacts.new" => "Neuer Kontakt", "New contact";
        ContactsEdit "contacts.edit" => "Kontakt bearbeiten", "Edit contact";
        ContactsDocuments "contacts.documents" => "Dokumente", "Documents";
        ContactsOpenItems "contacts.open_items" => "Offene Posten", "Open items";
        ContactsArchive "contacts.archive" => "Archivieren", "Archive";
        ContactsUnarchive "contacts.unarchive" => "Wiederherstellen", "Restore";
    } };
}
