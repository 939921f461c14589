//! Rendered PDFs checked from the outside: poppler's `pdftotext` for the text, `pdftoppm`
//! plus a QR decoder for the GiroCode. Page images of the samples land in `artifacts/pdf/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::PathBuf;
use std::process::Command;

use kontor_domain::{DocumentType, Language, LineKind, TaxMode};
use kontor_domain::{Draft, Issued as Document, Printable};
use kontor_pdf::{Extras, render, sample};
use rust_decimal::Decimal;

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/pdf");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

fn pdf_of(doc: &Document) -> Vec<u8> {
    render(doc.into(), &Extras::default()).expect("renders")
}

/// A draft previewed with the sample seller and buyer.
fn preview_of(draft: &Draft, extras: &Extras) -> Vec<u8> {
    let (seller, buyer) = (sample::seller(), sample::buyer());
    let doc = Printable::Preview {
        draft,
        seller: &seller,
        buyer: &buyer,
    };
    render(doc, extras).expect("renders")
}

/// Writes the PDF (and with `png`, page images) under artifacts/pdf and returns the text.
fn text_of(name: &str, pdf: &[u8], png: bool) -> String {
    let dir = artifacts();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write pdf");
    if png {
        let status = Command::new("pdftoppm")
            .args(["-r", "80", "-png"])
            .arg(&path)
            .arg(dir.join(name))
            .status()
            .expect("pdftoppm (Debian poppler-utils) is installed");
        assert!(status.success());
    }
    page_text(&path, None)
}

fn page_text(path: &std::path::Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-raw");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn legally_required_items_for_every_tax_mode() {
    for mode in TaxMode::ALL {
        let doc = sample::invoice(6, mode, Language::De);
        let text = squash(&text_of(
            &format!("invoice-{}", mode.as_str()),
            &pdf_of(&doc),
            true,
        ));
        for needed in [
            "Rechnung",
            "RE-2026-0042",
            "26.11.2026",
            "20.11.2026",
            "Müller & Söhne Werkzeugbau GmbH",
            "Hauptstraße 12",
            "Brauerei Weißbräu Straßberger KG",
            "Am Mühlbach 7",
            "93047 Regensburg",
            "DE123456789",
            "143/123/45678",
            "Amtsgericht München HRB 123456",
            "Anna Müller, Jürgen Groß",
            "Łukasz Peña",
            "DE89 3704 0044 0532 0130 00",
            "Seite 1 von 1",
            "Fräsarbeiten Gehäuse Typ A",
            "Aluminium, eloxiert, nach Zeichnung 4711-B",
        ] {
            assert!(
                text.contains(needed),
                "{mode:?}: {needed:?} missing in {text}"
            );
        }
        let gross = sample::invoice(6, mode, Language::De).totals.gross;
        let gross = kontor_pdf::format::money(gross, "EUR", false);
        assert!(text.contains(&gross), "{mode:?}: total {gross} missing");
        match mode {
            TaxMode::Standard => {
                // Two rates: net and VAT per rate.
                let t = &doc.totals;
                assert_eq!(t.vat_breakdown.len(), 2);
                for g in &t.vat_breakdown {
                    let rate = kontor_pdf::format::percent(g.rate, false);
                    let taxable = kontor_pdf::format::money(g.taxable, "EUR", false);
                    let vat = kontor_pdf::format::money(g.vat, "EUR", false);
                    let line = format!("zzgl. USt. {rate} auf {taxable} {vat}");
                    assert!(text.contains(&line), "{line:?} missing in {text}");
                    let net = format!("Nettobetrag {rate} USt. {taxable}");
                    assert!(text.contains(&net), "{net:?} missing");
                }
                assert!(
                    !text.contains("UStG"),
                    "no exemption note on a standard invoice"
                );
            }
            TaxMode::SmallBusiness => {
                assert!(text.contains("Gemäß § 19 UStG wird keine Umsatzsteuer berechnet"));
                assert!(!text.contains("USt."), "§ 14c: no VAT shown: {text}");
                assert!(!text.contains("19 %"), "§ 14c: no rate shown");
            }
            TaxMode::ReverseCharge => {
                assert!(
                    text.contains("Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)")
                );
                assert!(!text.contains("zzgl. USt."));
            }
            TaxMode::IntraEu => {
                assert!(text.contains("Steuerfreie innergemeinschaftliche Lieferung"));
            }
            TaxMode::Export => assert!(text.contains("Steuerfreie Ausfuhrlieferung")),
        }
    }
}

#[test]
fn english_documents_use_english_words_and_formats() {
    let doc = sample::invoice(3, TaxMode::Standard, Language::En);
    let text = squash(&text_of("invoice-en", &pdf_of(&doc), true));
    for needed in [
        "Invoice",
        "Page 1 of 1",
        "26 November 2026",
        "Total gross",
        "plus VAT 19%",
    ] {
        assert!(text.contains(needed), "{needed:?} missing in {text}");
    }
    let gross = kontor_pdf::format::money(doc.totals.gross, "EUR", true);
    assert!(gross.starts_with('€') && text.contains(&gross));
}

#[test]
fn three_hundred_lines_break_into_numbered_pages_with_repeated_header_and_carry_over() {
    let doc = sample::invoice(300, TaxMode::Standard, Language::De);
    let pdf = pdf_of(&doc);
    let dir = artifacts();
    let path = dir.join("invoice-300.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let first = squash(&page_text(&path, Some(1)));
    let pages: usize = first
        .split("Seite 1 von ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'Seite 1 von N' on page 1: {first}"));
    assert!(pages >= 6, "300 lines on only {pages} pages");
    let texts: Vec<String> = (1..=pages)
        .map(|p| squash(&page_text(&path, Some(p))))
        .collect();
    let header = "Pos. Beschreibung Menge Einheit Einzelpreis USt. Gesamt";
    let has_rows = |p: usize| texts[p - 1].contains(header);
    for p in 1..pages {
        assert!(has_rows(p), "header row missing on page {p}");
    }
    for p in 1..=pages {
        let text = &texts[p - 1];
        assert!(
            text.contains(&format!("Seite {p} von {pages}")),
            "page {p}: {text}"
        );
        if p < pages && has_rows(p + 1) {
            assert!(
                text.contains("Zwischensumme (Übertrag)"),
                "no carry-over on page {p}"
            );
        }
        if p > 1 && has_rows(p) {
            assert!(text.contains("Übertrag:"), "no brought-forward on page {p}");
        }
    }
    // The last position is there once, and the totals come at the end.
    let all = squash(&page_text(&path, None));
    assert_eq!(all.matches("Gesamtbetrag brutto").count(), 1);
    let gross = kontor_pdf::format::money(doc.totals.gross, "EUR", false);
    assert!(squash(&page_text(&path, Some(pages))).contains(&gross));
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "2"])
        .arg(&path)
        .arg(dir.join("invoice-300"))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
}

/// Position numbers of the table rows on one page (`pdftotext -layout`: a row starts with its
/// number and ends with its line total).
fn positions_on_page(path: &std::path::Path, page: usize) -> Vec<usize> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter(|l| l.trim_end().ends_with('€'))
        .filter_map(|l| {
            let first = l.split_whitespace().next()?;
            (first.len() <= 3).then(|| first.parse().ok()).flatten()
        })
        .collect()
}

#[test]
fn carried_over_subtotals_are_the_running_totals_of_the_rows_above() {
    let mut doc = sample::invoice(300, TaxMode::Standard, Language::De);
    // Uneven amounts, so that a subtotal from the wrong row would show.
    for (i, line) in doc.content.lines.iter_mut().enumerate() {
        line.quantity = Decimal::new((i as i64 * 37) % 1000 + 25, 2);
    }
    doc.totals = kontor_domain::totals::compute(&doc.content);
    let pdf = pdf_of(&doc);
    let path = artifacts().join("invoice-300-carry.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let mut running = Vec::new();
    let mut sum = Decimal::ZERO;
    for line in &doc.content.lines {
        sum += kontor_domain::totals::line_amounts(line).net;
        running.push(kontor_pdf::format::money(sum, "EUR", false));
    }
    let count: usize = squash(&page_text(&path, Some(1)))
        .split("Seite 1 von ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("'Seite 1 von N' on page 1");
    let pages: Vec<Vec<usize>> = (1..=count).map(|p| positions_on_page(&path, p)).collect();
    // Every row exactly once, in order, across the page breaks.
    let all: Vec<usize> = pages.iter().flatten().copied().collect();
    assert_eq!(all, (1..=300).collect::<Vec<_>>(), "rows across pages");
    let table_pages = pages.iter().filter(|p| !p.is_empty()).count();
    assert!(table_pages >= 6, "only {table_pages} pages with rows");
    for p in 1..table_pages {
        let last = *pages[p - 1].last().expect("rows on the page");
        let carry = &running[last - 1];
        let here = squash(&page_text(&path, Some(p)));
        assert!(
            here.contains(&format!("Zwischensumme (Übertrag): {carry}")),
            "page {p} ends with row {last}, carry {carry}: {here}"
        );
        let next = squash(&page_text(&path, Some(p + 1)));
        assert!(
            next.contains(&format!("Übertrag: {carry}")),
            "page {} starts after row {last}, brought forward {carry}: {next}",
            p + 1
        );
    }
    // No carry-over under the last rows, none brought forward onto the first page.
    let last_rows = squash(&page_text(&path, Some(table_pages)));
    assert!(
        !last_rows.contains("Zwischensumme (Übertrag)"),
        "{last_rows}"
    );
    let first = squash(&page_text(&path, Some(1)));
    assert!(!first.contains("Übertrag:"), "{first}");
}

#[test]
fn girocode_decodes_to_the_epc_payload() {
    let doc = sample::invoice(6, TaxMode::Standard, Language::De);
    let pdf = pdf_of(&doc);
    let dir = artifacts();
    let path = dir.join("qr.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let status = Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(dir.join("qr-page"))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let img = image::open(dir.join("qr-page.png"))
        .expect("png")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let decoded: Vec<String> = prepared
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, content)| content))
        .collect();
    assert_eq!(decoded.len(), 1, "exactly one readable QR code on the page");
    let content = &decoded[0];
    let lines: Vec<&str> = content.split('\n').collect();
    assert_eq!(&lines[..4], ["BCD", "002", "1", "SCT"]);
    assert_eq!(lines[4], "COBADEFFXXX");
    assert_eq!(lines[5], "Müller & Söhne Werkzeugbau GmbH");
    assert_eq!(lines[6], "DE89370400440532013000");
    assert_eq!(lines[7], format!("EUR{:.2}", doc.totals.due));
    assert_eq!(lines[10], "Rechnung RE-2026-0042");

    // No code without an amount due, on quotes, or in other currencies.
    for change in [
        |d: &mut Document| d.content.doc_type = DocumentType::Quote,
        |d: &mut Document| d.content.currency = kontor_domain::CurrencyCode::parse("CHF").unwrap(),
        |d: &mut Document| d.totals.due = Decimal::ZERO,
    ] {
        let mut other = doc.clone();
        change(&mut other);
        let (data, qr) = kontor_pdf::data::build((&other).into(), &Extras::default());
        assert!(qr.is_none() && !data.qr);
    }
}

#[test]
fn untrusted_text_stays_text() {
    let attacks = [
        r#"#read("/etc/passwd")"#,
        r#"#image("http://evil.example/x.png")"#,
        "] [ $ x^2 $ *bold* _emph_ `raw` <label> @ref",
        "https://evil.example/?q=1 // not a comment",
        r#"#let x = 1; #x \ #{ panic("boom") }"#,
    ];
    let mut doc = sample::invoice(0, TaxMode::Standard, Language::De);
    for (i, a) in attacks.iter().enumerate() {
        doc.content.lines.push(kontor_domain::Line {
            kind: if i == 4 {
                LineKind::Text
            } else {
                LineKind::Item
            },
            article_id: None,
            description: (*a).to_string(),
            quantity: Decimal::ONE,
            unit: kontor_domain::UnitCode::parse("H87").unwrap(),
            unit_price: Decimal::TEN,
            vat_rate: kontor_domain::VatRate::STANDARD,
            discount_percent: Decimal::ZERO,
        });
    }
    doc.totals = kontor_domain::totals::compute(&doc.content);
    doc.texts.subject = attacks[0].into();
    doc.texts.intro = attacks[1].into();
    doc.texts.closing = attacks[2].into();
    let mut buyer = sample::buyer();
    buyer.name = attacks[3].into();
    buyer.street = attacks[4].into();
    buyer.buyer_reference = "#sys.inputs".into();
    doc.buyer = buyer;
    let mut seller = sample::seller();
    seller.name = r#"#image("/etc/hostname") GmbH"#.into();
    doc.seller = seller;
    let mut extras = Extras::default();
    extras.apply_look(
        &serde_json::from_value(
            serde_json::json!({"accent": "red); #read(\"/x\")", "tagline": "#eval(\"1+1\")"}),
        )
        .expect("a look"),
    );
    assert_eq!(
        extras.accent,
        kontor_pdf::DEFAULT_ACCENT,
        "a bad colour keeps the default"
    );
    let pdf = render((&doc).into(), &extras).expect("renders");
    let text = squash(&text_of("injection", &pdf, true));
    for a in attacks.iter().chain(&[
        r#"#image("/etc/hostname") GmbH"#,
        "#sys.inputs",
        "#eval(\"1+1\")",
    ]) {
        assert!(
            text.contains(&squash(a)),
            "{a:?} not shown literally in {text}"
        );
    }
    assert!(!text.contains("root:"), "no file content leaked");
}

#[test]
fn drafts_carry_a_watermark_and_delivery_notes_no_prices() {
    let draft = sample::draft(sample::invoice(4, TaxMode::Standard, Language::De));
    let text = squash(&text_of(
        "draft",
        &preview_of(&draft, &Extras::default()),
        true,
    ));
    // The watermark is rotated, so pdftotext may split it: compare without spaces.
    let compact: String = text.split_whitespace().collect();
    assert!(compact.contains("ENTWURF/DRAFT"), "no watermark: {text}");
    assert!(
        !text.contains("Mit Banking-App scannen"),
        "no payable code on a draft"
    );
    let issued = squash(&text_of(
        "issued",
        &pdf_of(&sample::invoice(4, TaxMode::Standard, Language::De)),
        false,
    ));
    let compact: String = issued.split_whitespace().collect();
    assert!(!compact.contains("ENTWURF/DRAFT"));

    let mut note = sample::invoice(4, TaxMode::Standard, Language::De);
    note.content.doc_type = DocumentType::DeliveryNote;
    let text = squash(&text_of("delivery-note", &pdf_of(&note), true));
    assert!(text.contains("Lieferschein"));
    assert!(
        !text.contains('€') && !text.contains("Einzelpreis"),
        "prices on a delivery note: {text}"
    );
}

#[test]
fn rendering_is_deterministic_and_columns_follow_settings() {
    let doc = sample::invoice(12, TaxMode::Standard, Language::De);
    assert_eq!(pdf_of(&doc), pdf_of(&doc), "same data, same bytes");
    let mut extras = Extras::default();
    extras.apply_look(
        &serde_json::from_value(
            serde_json::json!({"accent": "#8B0000", "columns": {"unit": false, "position": false}}),
        )
        .expect("a look"),
    );
    assert_eq!(extras.accent, "#8b0000");
    let pdf = render((&doc).into(), &extras).expect("renders");
    let text = squash(&text_of("columns", &pdf, true));
    assert!(
        text.contains("Beschreibung Menge Einzelpreis USt. Gesamt"),
        "{text}"
    );
    assert!(!text.contains("Einheit") && !text.contains("Pos."));
}

#[test]
fn issued_invoices_are_pdf_a_3_hybrids_with_the_cii_embedded() {
    use lopdf::{Document as Pdf, Object};
    let sample = kontor_einvoice::sample::invoice(3);
    let cii = kontor_einvoice::write(&sample.invoice(), kontor_einvoice::Syntax::Cii)
        .expect("the sample CII is complete");
    let doc = sample::invoice(3, TaxMode::Standard, Language::De);
    let extras = Extras {
        facturx_xml: Some(cii.clone()),
        ..Extras::default()
    };
    let bytes = render((&doc).into(), &extras).expect("renders");
    std::fs::write(artifacts().join("hybrid.pdf"), &bytes).expect("write");
    let pdf = Pdf::load_mem(&bytes).expect("lopdf reads the hybrid");
    let catalog = pdf.catalog().expect("catalog");

    // The embedded file: named factur-x.xml, text/xml, relationship Alternative, in /AF.
    let af = catalog
        .get(b"AF")
        .and_then(Object::as_array)
        .expect("catalog /AF");
    assert_eq!(af.len(), 1, "one associated file");
    let spec = pdf
        .dereference(&af[0])
        .and_then(|(_, o)| o.as_dict())
        .expect("file specification");
    let name = spec
        .get(b"UF")
        .or_else(|_| spec.get(b"F"))
        .expect("file name");
    assert_eq!(lopdf::decode_text_string(name).unwrap(), "factur-x.xml");
    assert_eq!(
        spec.get(b"AFRelationship")
            .and_then(Object::as_name)
            .unwrap(),
        b"Alternative"
    );
    let ef = spec
        .get(b"EF")
        .and_then(Object::as_dict)
        .and_then(|d| d.get(b"F"))
        .and_then(|o| pdf.dereference(o))
        .and_then(|(_, o)| o.as_stream())
        .expect("embedded file stream");
    let subtype = ef.dict.get(b"Subtype").and_then(Object::as_name).unwrap();
    assert_eq!(subtype, b"text/xml");
    let embedded = ef
        .decompressed_content()
        .unwrap_or_else(|_| ef.content.clone());
    assert_eq!(
        embedded, cii,
        "the embedded XML is the CII invoice byte for byte"
    );

    // XMP: PDF/A-3b plus the Factur-X extension schema and its four properties.
    let xmp_ref = catalog
        .get(b"Metadata")
        .and_then(Object::as_reference)
        .unwrap();
    let xmp = pdf.get_object(xmp_ref).and_then(Object::as_stream).unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).expect("plain XMP");
    for needle in [
        "<pdfaid:part>3</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<fx:DocumentType>INVOICE</fx:DocumentType>",
        "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
        "<fx:Version>1.0</fx:Version>",
        "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>",
    ] {
        assert!(xmp.contains(needle), "XMP lacks {needle}:\n{xmp}");
    }
    // Still the same invoice to read.
    let text = squash(&text_of("hybrid", &bytes, false));
    assert!(text.contains("RE-2026-"), "{text}");

    // Drafts are never hybrids (no number, not a document of record).
    let draft = sample::draft(doc.clone());
    let plain = preview_of(&draft, &extras);
    let plain = Pdf::load_mem(&plain).unwrap();
    assert!(
        plain.catalog().unwrap().get(b"AF").is_err(),
        "no /AF on a draft"
    );
}

#[test]
fn a_custom_template_is_checked_with_line_numbers_and_falls_back_when_it_fails() {
    use kontor_pdf::check_template;
    // A small valid template that reads the data model.
    let good = "#let data = json(\"/data.json\")\n#set text(font: data.font)\n= #data.title #data.number\n#for l in data.lines [#l.title: #l.values.at(\"total\", default: \"\") \\ ]\n";
    check_template(good).expect("a valid custom template passes");
    let bad = "#let data = json(\"/data.json\")\n\n#data.no_such_field\n";
    let err = check_template(bad)
        .expect_err("an unknown field is an error")
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    let syntax = "#let data = json(\"/data.json\")\n#if data.draft {\n";
    let err = check_template(syntax)
        .expect_err("a syntax error")
        .to_string();
    assert!(err.contains("line"), "{err}");
    // Reading files outside the sandbox fails like any other error.
    let escape = "#read(\"/etc/passwd\")\n";
    assert!(check_template(escape).is_err());

    // Rendering with the custom template uses it …
    let doc = sample::invoice(3, TaxMode::Standard, Language::De);
    let custom = Extras {
        template: Some(good.into()),
        ..Extras::default()
    };
    let pdf = render((&doc).into(), &custom).expect("renders");
    let text = squash(&text_of("custom-template", &pdf, false));
    assert!(
        !text.contains("Seite 1 von 1"),
        "the custom layout has no page footer: {text}"
    );
    // … and a broken one falls back to the default layout instead of failing.
    let broken = Extras {
        template: Some(bad.into()),
        ..Extras::default()
    };
    let pdf = render((&doc).into(), &broken).expect("falls back");
    let text = squash(&text_of("fallback-template", &pdf, false));
    assert!(text.contains("Seite 1 von 1"), "default layout: {text}");
}

#[test]
fn every_shipped_font_family_renders_and_is_embedded() {
    for family in kontor_pdf::FontFamily::ALL {
        let mut doc = sample::invoice(2, TaxMode::Standard, Language::De);
        doc.content.lines[0].description = "Łódź Müller ß é ñ".into();
        let extras = Extras {
            font: family,
            ..Extras::default()
        };
        let pdf = render((&doc).into(), &extras).expect("renders");
        let name = format!("font-{}", family.key());
        let text = squash(&text_of(&name, &pdf, false));
        let out = Command::new("pdffonts")
            .arg(artifacts().join(format!("{name}.pdf")))
            .output()
            .expect("pdffonts (poppler-utils)");
        let fonts = String::from_utf8_lossy(&out.stdout);
        let compact = family.name().replace(' ', "");
        assert!(
            fonts.contains(&compact),
            "{} embedded:\n{fonts}",
            family.name()
        );
        assert!(
            fonts.lines().skip(2).all(|l| l.contains(" yes ")),
            "every font embedded:\n{fonts}"
        );
        assert!(
            text.contains("Łódź Müller ß é ñ"),
            "{}: {text}",
            family.name()
        );
    }
}

#[test]
fn unit_prices_keep_their_decimals_and_the_legal_form_is_printed_once() {
    let mut doc = sample::invoice(2, TaxMode::Standard, Language::De);
    doc.seller.name = "Holzwerk Sommer GmbH".into();
    doc.seller.legal_form = "GmbH".into();
    doc.content.lines[0].quantity = Decimal::from(1000);
    doc.content.lines[0].unit_price = Decimal::new(1234, 4);
    doc.content.lines[1].quantity = Decimal::from(3);
    doc.content.lines[1].unit_price = Decimal::new(335, 3);
    doc.totals = kontor_domain::totals::compute(&doc.content);
    let text = squash(&text_of("unit-prices", &pdf_of(&doc), false));
    for needed in ["0,1234 €", "123,40 €", "0,335 €", "Holzwerk Sommer GmbH"] {
        assert!(text.contains(needed), "{needed:?} missing in {text}");
    }
    assert!(!text.contains("GmbH GmbH"), "legal form doubled in {text}");
    assert!(!text.contains("0,12 €"), "unit price rounded in {text}");
}
