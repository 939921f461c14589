//! Form field labels.

macro_rules! fields {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        FieldNumber "field.number" => "Nummer", "Number";
        FieldName "field.name" => "Name", "Name";
        FieldKind "field.kind" => "Art", "Kind";
        FieldKindCompany "field.kind.company" => "Firma", "Company";
        FieldKindPerson "field.kind.person" => "Person", "Person";
        FieldLegalForm "field.legal_form" => "Rechtsform", "Legal form";
        FieldStreet "field.street" => "Straße und Hausnummer", "Street";
        FieldPostalCode "field.postal_code" => "PLZ", "Postal code";
        FieldCity "field.city" => "Ort", "City";
        FieldCountry "field.country" => "Land (ISO-Code)", "Country (ISO code)";
        FieldDeliveryAddress "field.delivery_address" =>
            "Lieferadresse (falls abweichend)",
            "Delivery address (if different)";
        FieldVatId "field.vat_id" => "USt-IdNr.", "VAT ID";
        FieldTaxNumber "field.tax_number" => "Steuernummer", "Tax number";
        FieldRegistry "field.registry" => "Registereintrag", "Registry entry";
        FieldManagingDirectors "field.managing_directors" =>
            "Geschäftsführung",
            "Managing directors";
        FieldContactName "field.contact_name" => "Ansprechpartner", "Contact person";
        FieldContactPhone "field.contact_phone" => "Telefon", "Phone";
        FieldContactEmail "field.contact_email" => "E-Mail", "E-mail";
        FieldEmail "field.email" => "E-Mail", "E-mail";
        FieldPhone "field.phone" => "Telefon", "Phone";
        FieldIban "field.iban" => "IBAN", "IBAN";
        FieldBic "field.bic" => "BIC", "BIC";
        FieldBankName "field.bank_name" => "Bank", "Bank";
        FieldSmallBusiness "field.small_business" =>
            "Kleinunternehmer (§ 19 UStG)",
            "Small business (§ 19 UStG)";
        FieldPaymentTermsDays "field.payment_terms_days" =>
            "Zahlungsziel (Tage)",
            "Payment terms (days)";
        FieldBuyerReference "field.buyer_reference" =>
            "Käufer-Referenz / Leitweg-ID",
            "Buyer reference / Leitweg-ID";
        FieldEinvoiceFormat "field.einvoice_format" => "E-Rechnungsformat", "E-invoice format";
        FieldLanguage "field.language" => "Sprache", "Language";
        FieldCurrency "field.currency" => "Währung", "Currency";
        FieldTaxMode "field.tax_mode" => "Steuerart", "Tax mode";
        FieldIsCustomer "field.is_customer" => "Kunde", "Customer";
        FieldIsSupplier "field.is_supplier" => "Lieferant", "Supplier";
        FieldNotes "field.notes" => "Notizen", "Notes";
        FieldDescription "field.description" => "Beschreibung", "Description";
        FieldUnit "field.unit" => "Einheit", "Unit";
        FieldUnitPrice "field.unit_price" => "Einzelpreis (netto)", "Unit price (net)";
        FieldVatRate "field.vat_rate" => "USt-Satz %", "VAT rate %";
        FieldActive "field.active" => "Aktiv", "Active";
        FieldQuantity "field.quantity" => "Menge", "Quantity";
        FieldDiscountPercent "field.discount_percent" => "Rabatt %", "Discount %";
        FieldType "field.type" => "Typ", "Type";
        FieldStatus "field.status" => "Status", "Status";
        FieldContact "field.contact" => "Kontakt", "Contact";
        FieldDate "field.date" => "Datum", "Date";
        FieldDeliveryDate "field.delivery_date" => "Leistungsdatum", "Delivery date";
        FieldDueDate "field.due_date" => "Fällig am", "Due date";
        FieldDateFrom "field.date_from" => "Datum von", "Date from";
        FieldDateTo "field.date_to" => "Datum bis", "Date to";
        FieldSubject "field.subject" => "Betreff", "Subject";
        FieldIntroText "field.intro_text" => "Einleitungstext", "Intro text";
        FieldClosingText "field.closing_text" => "Schlusstext", "Closing text";
        FieldPrepaidAmount "field.prepaid_amount" =>
            "Bereits gezahlt (Anzahlungen)",
            "Already paid (down payments)";
        FieldSkonto1Days "field.skonto1_days" => "Skonto 1: Tage", "Cash discount 1: days";
        FieldSkonto1Percent "field.skonto1_percent" => "Skonto 1: %", "Cash discount 1: %";
        FieldSkonto2Days "field.skonto2_days" => "Skonto 2: Tage", "Cash discount 2: days";
        FieldSkonto2Percent "field.skonto2_percent" => "Skonto 2: %", "Cash discount 2: %";
        FieldSkonto "field.skonto" => "Skonto", "Cash discount";
        FieldContactSkonto "field.contact_skonto" =>
            "Skonto (Tage:%; leer = Standard, - = keins)",
            "Cash discount (days:%; empty = default, - = none)";
        FieldDefaultSkonto "field.default_skonto" =>
            "Standard-Skonto (Tage:%, z. B. 14:2)",
            "Default cash discount (days:%, e.g. 14:2)";
        FieldExchangeRate "field.exchange_rate" =>
            "Wechselkurs (Einheiten je 1 EUR)",
            "Exchange rate (units per 1 EUR)";
        FieldVatInEur "field.vat_in_eur" => "USt. in EUR", "VAT in EUR";
        FieldPaymentMethod "field.payment_method" => "Zahlungsweise", "Payment method";
        FieldSepaMandateReference "field.sepa_mandate_reference" =>
            "SEPA-Mandatsreferenz",
            "SEPA mandate reference";
        FieldSepaDebtorIban "field.sepa_debtor_iban" =>
            "IBAN für Lastschrift",
            "IBAN for direct debit";
        FieldCreditorId "field.creditor_id" => "Gläubiger-ID (SEPA)", "SEPA creditor ID";
        FieldDocDiscount "field.doc_discount" => "Gesamtrabatt %", "Document discount %";
        FieldAmount "field.amount" => "Betrag", "Amount";
        FieldMethod "field.method" => "Zahlungsart", "Method";
        FieldPattern "field.pattern" => "Muster", "Pattern";
        FieldReset "field.reset" => "Zurücksetzen", "Reset";
        FieldFirstCounter "field.first_counter" => "Startwert", "First counter";
        FieldNextPreview "field.next_preview" => "Nächste Nummer", "Next number";
        FieldRole "field.role" => "Rolle", "Role";
        FieldUsername "field.username" => "Benutzername", "User name";
        FieldPassword "field.password" => "Passwort", "Password";
        FieldArticle "field.article" => "Artikel", "Article";
        FieldLineKind "field.line_kind" => "Art", "Kind";
        FieldNet "field.net" => "Netto", "Net";
        FieldVat "field.vat" => "USt", "VAT";
        FieldGross "field.gross" => "Brutto", "Gross";
        FieldOpenAmount "field.open_amount" => "Offen", "Open";
        FieldPaid "field.paid" => "Bezahlt", "Paid";
        FieldAccent "field.accent" => "Akzentfarbe", "Accent colour";
        FieldFont "field.font" => "Schrift", "Font";
        FieldTagline "field.tagline" =>
            "Zeile unter dem Firmennamen",
            "Line under the company name";
        FieldColumns "field.columns" => "Spalten der Positionstabelle", "Columns of the line table";
        FieldTemplate "field.template" => "Eigene Vorlage", "Own template";
        ColumnPosition "column.position" => "Pos.", "Item no.";
        ColumnUnit "column.unit" => "Einheit", "Unit";
        ColumnUnitPrice "column.unit_price" => "Einzelpreis", "Unit price";
        ColumnVatRate "column.vat_rate" => "USt.-Satz", "VAT rate";
        FieldCurrentPassword "field.current_password" => "Aktuelles Passwort", "Current password";
        FieldReason "field.reason" => "Grund", "Reason";
        FieldCode "field.code" => "Code", "Code";
    } };
}
