//! The PDF side of the e-invoice reader: every example PDF of `../shared/einvoice/examples`
//! gives the embedded XML the official wrapper (pypdf) extracts and the envelope findings it
//! reports; crafted PDFs (written here with lopdf) cover nesting, indirection, names, BOM, two
//! XMLs, loops, depth, a flate bomb, truncated and garbage files.

// The helpers below (outside `#[test]` functions) may fail loudly too (clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use kontor_einvoice_in::pdf::{self, Extracted, MAX_XML_BYTES};
use kontor_einvoice_in::{Finding, Format, Severity};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::{Digest, Sha256};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/einvoice/examples")
}

fn read(rel: &str) -> Vec<u8> {
    let p = examples().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn rules(findings: &[Finding]) -> Vec<(String, Severity)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.severity))
        .collect()
}

fn has(x: &Extracted, rule: &str) -> bool {
    x.findings.iter().any(|f| f.rule == rule)
}

const F: Severity = Severity::Fatal;
const W: Severity = Severity::Warning;

/// Where the expected XML comes from: a FeRD sample with identical bytes, or the length and
/// SHA-256 of what pypdf 7.1.1 extracts (for files whose XML is not a sample as is).
enum Xml {
    Sample(&'static str),
    Digest(usize, &'static str),
}

struct Case {
    file: &'static str,
    name: Option<&'static str>,
    xml: Option<Xml>,
    /// The envelope findings of the official wrapper (source "PDF"), in its order.
    findings: &'static [(&'static str, Severity)],
}

const EN16931: &str = "zugferd-2.3-ferd/zugferd_2p3_EN16931_Einfach.xml";

fn cases() -> Vec<Case> {
    use Xml::*;
    vec![
        Case {
            file: "facturx-pdf/akretion-factur-x-invoice_EN16931.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Digest(41914, "69aa8f0c8cd14efe")),
            findings: &[("PDFA-INFO-XMP", W), ("PDFA-INFO-XMP", W)],
        },
        Case {
            file: "facturx-pdf/facturx-basic.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample("zugferd-2.3-ferd/zugferd_2p3_BASIC_Einfach.xml")),
            findings: &[],
        },
        Case {
            file: "facturx-pdf/facturx-basicwl.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample("zugferd-2.3-ferd/zugferd_2p3_BASIC-WL_Einfach.xml")),
            findings: &[],
        },
        Case {
            file: "facturx-pdf/facturx-en16931.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[],
        },
        Case {
            file: "facturx-pdf/facturx-extended.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(
                "zugferd-2.3-ferd/zugferd_2p3_EXTENDED_Warenrechnung.xml",
            )),
            findings: &[],
        },
        Case {
            file: "facturx-pdf/facturx-minimum.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample("zugferd-2.3-ferd/zugferd_2p3_MINIMUM_Rechnung.xml")),
            findings: &[],
        },
        Case {
            file: "facturx-pdf/zugferd-xrechnung.pdf",
            name: Some("xrechnung.xml"),
            xml: Some(Sample("zugferd-2.3-ferd/zugferd_2p3_XRECHNUNG_Einfach.xml")),
            findings: &[],
        },
        Case {
            file: "negative/pdf-en16931-wrong-grand-total.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Digest(13397, "c430ad7208aca21b")),
            findings: &[],
        },
        Case {
            file: "negative/pdf-filename-mismatch.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-XMP-DOCUMENTFILENAME", F)],
        },
        Case {
            file: "negative/pdf-level-mismatch.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-XMP-CONFORMANCELEVEL", F)],
        },
        Case {
            file: "negative/pdf-minimum-afrel-alternative.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample("zugferd-2.3-ferd/zugferd_2p3_MINIMUM_Rechnung.xml")),
            findings: &[("FX-PDF-AFRELATIONSHIP", F)],
        },
        Case {
            file: "negative/pdf-no-afrelationship.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-PDF-AFRELATIONSHIP", F)],
        },
        Case {
            file: "negative/pdf-no-attachment.pdf",
            name: None,
            xml: None,
            findings: &[("FX-PDF-NO-ATTACHMENT", F)],
        },
        Case {
            file: "negative/pdf-no-extension-schema.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-XMP-EXTENSION-SCHEMA", F)],
        },
        Case {
            file: "negative/pdf-no-xmp.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-XMP-MISSING", F)],
        },
        Case {
            file: "negative/pdf-not-in-AF.pdf",
            name: Some("factur-x.xml"),
            xml: Some(Sample(EN16931)),
            findings: &[("FX-PDF-AF", F)],
        },
    ]
}

#[test]
fn example_pdfs_give_the_wrappers_xml_and_envelope_findings() {
    let cases = cases();
    // Every PDF in the two folders is covered.
    let mut on_disk: Vec<String> = ["facturx-pdf", "negative"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(examples().join(d))
                .unwrap()
                .map(move |e| format!("{d}/{}", e.unwrap().file_name().to_string_lossy()))
        })
        .filter(|p| p.ends_with(".pdf"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = cases.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);

    for case in &cases {
        let x = pdf::extract(&read(case.file));
        assert_eq!(x.embedded_name.as_deref(), case.name, "{}", case.file);
        match (&case.xml, &x.xml) {
            (None, None) => {}
            (Some(Xml::Sample(s)), Some(got)) => {
                assert!(got == &read(s), "{}: XML differs from {s}", case.file)
            }
            (Some(Xml::Digest(len, prefix)), Some(got)) => {
                assert_eq!(got.len(), *len, "{}", case.file);
                assert!(sha256(got).starts_with(prefix), "{}", case.file);
            }
            (want, got) => panic!(
                "{}: XML expected {}, got {:?}",
                case.file,
                want.is_some(),
                got.as_ref().map(Vec::len)
            ),
        }
        let want: Vec<(String, Severity)> = case
            .findings
            .iter()
            .map(|(r, s)| (r.to_string(), *s))
            .collect();
        assert_eq!(rules(&x.findings), want, "{}: {:#?}", case.file, x.findings);
        for f in &x.findings {
            assert!(!f.message_en.is_empty() && !f.message_de.is_empty());
        }
    }
}

#[test]
fn akretion_pdf_lists_its_other_attachment_without_opening_it() {
    let x = pdf::extract(&read("facturx-pdf/akretion-factur-x-invoice_EN16931.pdf"));
    let names: Vec<&str> = x.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Bon_de_livraison.pdf", "factur-x.xml"]);
    assert_eq!(x.files[0].mime.as_deref(), Some("application/pdf"));
    assert_eq!(x.files[0].size, Some(30382));
    assert_eq!(x.files[0].relationship.as_deref(), Some("Unspecified"));
    assert_eq!(x.files[1].relationship.as_deref(), Some("Source"));
    // Its XML starts with a BOM, kept as stored.
    assert!(x.xml.unwrap().starts_with(&[0xEF, 0xBB, 0xBF]));
}

#[test]
fn check_pdf_merges_envelope_and_xml_findings() {
    for case in cases() {
        let bytes = read(case.file);
        let checked = pdf::check_pdf(&bytes);
        for (rule, sev) in case.findings {
            assert!(
                checked
                    .findings
                    .iter()
                    .any(|f| f.rule == *rule && f.severity == *sev),
                "{}: {rule} missing",
                case.file
            );
        }
        if case.xml.is_some() {
            assert_eq!(checked.format, Format::Facturx, "{}", case.file);
            assert_eq!(checked.embedded_name.as_deref(), case.name);
            assert!(checked.xml.is_some());
        } else {
            assert_eq!(checked.format, Format::Pdf);
            assert!(checked.invoice.is_none() && checked.xml.is_none());
            assert_eq!(
                rules(&checked.findings),
                [("FX-PDF-NO-ATTACHMENT".to_string(), F)]
            );
            assert!(!checked.valid());
        }
        // check_bytes takes the PDF path.
        let via_bytes = kontor_einvoice_in::check_bytes(&bytes).unwrap();
        assert_eq!(via_bytes.findings, checked.findings);
    }
}

#[test]
fn extracted_crosses_a_process_boundary_as_json() {
    for case in cases() {
        let bytes = read(case.file);
        let x = pdf::extract(&bytes);
        let json = serde_json::to_string(&x).unwrap();
        let back: Extracted = serde_json::from_str(&json).unwrap();
        assert_eq!(back, x);
        let (a, b) = (pdf::check_extracted(back), pdf::check_pdf(&bytes));
        assert_eq!(
            (a.format, a.xml, a.embedded_name, a.findings),
            (b.format, b.xml, b.embedded_name, b.findings)
        );
    }
    let json = serde_json::to_value(pdf::extract(&read("negative/pdf-no-attachment.pdf"))).unwrap();
    assert_eq!(json["xml"], serde_json::Value::Null);
    let json =
        serde_json::to_value(pdf::extract(&read("facturx-pdf/facturx-minimum.pdf"))).unwrap();
    assert!(json["xml"].as_str().unwrap().starts_with("PD94bWwg")); // "<?xml "
}

// ------------------------------------------------------------------ crafted PDFs

const XMP: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>
<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>{NAME}</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>{LEVEL}</fx:ConformanceLevel></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name></rdf:li>
</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#;

const ZF1: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"><rsm:HeaderExchangedDocument/></rsm:CrossIndustryDocument>"#;

fn en16931() -> Vec<u8> {
    read(EN16931)
}

/// A one-page PDF with a catalog, an XMP stream (unless `xmp` is `None`), an output intent
/// and a trailer `/ID`, so that only the crafted parts raise findings.
struct Pdf {
    doc: Document,
    catalog: ObjectId,
}

impl Pdf {
    fn new(xmp: Option<(&str, &str)>) -> Pdf {
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()]});
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1},
            ),
        );
        let icc = doc.add_object(Stream::new(dictionary! {"N" => 3}, vec![0; 16]));
        let oi =
            dictionary! {"Type" => "OutputIntent", "S" => "GTS_PDFA1", "DestOutputProfile" => icc};
        let mut catalog =
            dictionary! {"Type" => "Catalog", "Pages" => pages, "OutputIntents" => vec![oi.into()]};
        if let Some((name, level)) = xmp {
            let text = XMP.replace("{NAME}", name).replace("{LEVEL}", level);
            let meta = doc.add_object(Stream::new(
                dictionary! {"Type" => "Metadata", "Subtype" => "XML"},
                text.into_bytes(),
            ));
            catalog.set("Metadata", meta);
        }
        let catalog = doc.add_object(catalog);
        doc.trailer.set("Root", catalog);
        let id = Object::String(b"0123456789abcdef".to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("ID", vec![id.clone(), id]);
        Pdf { doc, catalog }
    }

    fn catalog(&mut self) -> &mut Dictionary {
        self.doc.get_dictionary_mut(self.catalog).unwrap()
    }

    /// A complete file specification (/F, /UF, /AFRelationship, /EF /F stream with /Subtype
    /// and /Params /ModDate); the stream compressed with FlateDecode.
    fn file_spec(&mut self, name: &str, content: &[u8], mime: &str) -> ObjectId {
        let mut stream = Stream::new(
            dictionary! {"Type" => "EmbeddedFile", "Subtype" => mime, "Params" => dictionary! {"ModDate" => Object::string_literal("D:20260101000000Z"), "Size" => content.len() as i64}},
            content.to_vec(),
        );
        stream.compress().unwrap();
        let ef = self.doc.add_object(stream);
        self.doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(name),
            "UF" => Object::string_literal(name),
            "AFRelationship" => "Alternative",
            "EF" => dictionary! {"F" => ef},
        })
    }

    /// A flat name tree with these (name, spec) leaves, all of them also in /AF.
    fn attach(&mut self, specs: &[(&str, ObjectId)]) {
        let names: Vec<Object> = specs
            .iter()
            .flat_map(|(n, id)| [Object::string_literal(*n), (*id).into()])
            .collect();
        let af: Vec<Object> = specs.iter().map(|(_, id)| (*id).into()).collect();
        let tree = self.doc.add_object(dictionary! {"Names" => names});
        self.catalog()
            .set("Names", dictionary! {"EmbeddedFiles" => tree});
        self.catalog().set("AF", af);
    }

    fn bytes(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.doc.save_to(&mut out).unwrap();
        out
    }
}

fn extract(bytes: &[u8]) -> Extracted {
    pdf::extract(bytes)
}

#[test]
fn crafted_baseline_is_clean() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    p.attach(&[("factur-x.xml", spec)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("factur-x.xml"));
    assert_eq!(x.xml, Some(en16931()));
    let serious: Vec<_> = rules(&x.findings)
        .into_iter()
        .filter(|(r, _)| r != "PDFA-BINARY-COMMENT")
        .collect();
    assert!(serious.is_empty(), "{:#?}", x.findings);
}

#[test]
fn nested_name_tree_with_several_leaves_and_indirect_everything() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let png = p.file_spec("logo.png", b"\x89PNG....", "image/png");
    let xml = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    let txt = p.file_spec("readme.txt", b"hello", "text/plain");
    // The factur-x spec is reached through a reference to a reference; its /EF dictionary and
    // the leaf's /Names array are indirect objects too.
    let xml_ref = p.doc.add_object(Object::Reference(xml));
    let ef_dict = p
        .doc
        .get_dictionary(xml)
        .unwrap()
        .get(b"EF")
        .unwrap()
        .clone();
    let ef_id = p.doc.add_object(ef_dict);
    p.doc.get_dictionary_mut(xml).unwrap().set("EF", ef_id);
    let leaf1 = p.doc.add_object(dictionary! {"Names" => vec![Object::string_literal("logo.png"), png.into()], "Limits" => vec![Object::string_literal("a"), Object::string_literal("l")]});
    let names3 = p.doc.add_object(vec![
        Object::string_literal("factur-x.xml"),
        xml_ref.into(),
        Object::string_literal("readme.txt"),
        txt.into(),
    ]);
    let leaf3 = p.doc.add_object(dictionary! {"Names" => names3});
    let kids2 = p.doc.add_object(vec![Object::from(leaf3)]);
    let mid = p.doc.add_object(dictionary! {"Kids" => kids2});
    let root = p
        .doc
        .add_object(dictionary! {"Kids" => vec![leaf1.into(), mid.into()]});
    let names = p.doc.add_object(dictionary! {"EmbeddedFiles" => root});
    p.catalog().set("Names", names);
    p.catalog()
        .set("AF", vec![png.into(), xml.into(), txt.into()]);
    let x = extract(&p.bytes());
    let names: Vec<&str> = x.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["logo.png", "factur-x.xml", "readme.txt"]);
    assert_eq!(x.files[0].mime.as_deref(), Some("image/png"));
    assert_eq!(x.files[2].size, Some(5));
    assert_eq!(x.embedded_name.as_deref(), Some("factur-x.xml"));
    assert_eq!(x.xml, Some(en16931()));
    for rule in [
        "FX-PDF-AF",
        "FX-PDF-NAMETREE",
        "FX-PDF-EF",
        "KONTOR-PDF-LIMIT",
    ] {
        assert!(!has(&x, rule), "{rule}: {:#?}", x.findings);
    }
}

#[test]
fn attachment_name_with_path_prefix() {
    let name = "c//Users/x/AppData/Local/Temp/factur-x.xml";
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec(name, &en16931(), "text/xml");
    p.attach(&[(name, spec)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("factur-x.xml"));
    assert_eq!(x.xml, Some(en16931()));
    assert_eq!(x.files[0].name, name);
    let f = x
        .findings
        .iter()
        .find(|f| f.rule == "FX-PDF-FILENAME")
        .unwrap();
    assert_eq!(f.severity, W);
    assert!(!has(&x, "FX-XMP-DOCUMENTFILENAME"));
}

#[test]
fn upper_case_name_and_xml_with_bom() {
    let mut xml = vec![0xEF, 0xBB, 0xBF];
    xml.extend(en16931());
    // The XMP claims BASIC; the XML (behind its BOM) is EN 16931.
    let mut p = Pdf::new(Some(("FACTUR-X.XML", "BASIC")));
    let spec = p.file_spec("FACTUR-X.XML", &xml, "text/xml");
    p.attach(&[("FACTUR-X.XML", spec)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("FACTUR-X.XML"));
    assert_eq!(x.xml.as_deref(), Some(xml.as_slice()));
    assert!(has(&x, "FX-XMP-CONFORMANCELEVEL"), "{:#?}", x.findings);
}

#[test]
fn two_xmls_prefer_factur_x_over_zugferd1() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let zf1 = p.file_spec("ZUGFeRD-invoice.xml", ZF1, "text/xml");
    let zf2 = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    p.attach(&[("ZUGFeRD-invoice.xml", zf1), ("factur-x.xml", zf2)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("factur-x.xml"));
    assert_eq!(x.xml, Some(en16931()));
    assert_eq!(x.files.len(), 2);
}

#[test]
fn two_zugferd_invoice_xmls_prefer_the_zugferd2_content() {
    // ZUGFeRD 1 (`ZUGFeRD-invoice.xml`) and ZUGFeRD 2.0 (`zugferd-invoice.xml`) differ in case
    // only; ZUGFeRD 1 comes first.
    let mut p = Pdf::new(Some(("zugferd-invoice.xml", "EN 16931")));
    let zf1 = p.file_spec("ZUGFeRD-invoice.xml", ZF1, "text/xml");
    let zf2 = p.file_spec("zugferd-invoice.xml", &en16931(), "text/xml");
    p.attach(&[("ZUGFeRD-invoice.xml", zf1), ("zugferd-invoice.xml", zf2)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("zugferd-invoice.xml"));
    assert_eq!(x.xml, Some(en16931()));
    // The legacy name is a warning, as in the official wrapper.
    assert!(
        x.findings
            .iter()
            .any(|f| f.rule == "FX-PDF-FILENAME" && f.severity == W)
    );
    // ZUGFeRD 1 alone is still extracted (the checker then rejects its syntax).
    let mut p = Pdf::new(None);
    let zf1 = p.file_spec("ZUGFeRD-invoice.xml", ZF1, "text/xml");
    p.attach(&[("ZUGFeRD-invoice.xml", zf1)]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml.as_deref(), Some(ZF1));
    assert!(has(&x, "FX-XMP-MISSING"));
}

#[test]
fn other_xml_name_is_the_wrappers_fallback_and_no_xml_is_reported() {
    let mut p = Pdf::new(Some(("invoice.xml", "EN 16931")));
    let img = p.file_spec("scan.jpg", b"\xff\xd8\xff", "image/jpeg");
    let xml = p.file_spec("invoice.xml", &en16931(), "text/xml");
    p.attach(&[("scan.jpg", img), ("invoice.xml", xml)]);
    let x = extract(&p.bytes());
    assert_eq!(x.embedded_name.as_deref(), Some("invoice.xml"));
    assert!(
        x.findings
            .iter()
            .any(|f| f.rule == "FX-PDF-FILENAME" && f.severity == F)
    );

    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let img = p.file_spec("scan.jpg", b"\xff\xd8\xff", "image/jpeg");
    p.attach(&[("scan.jpg", img)]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml, None);
    assert_eq!(
        rules(&x.findings).iter().filter(|(_, s)| *s == F).count(),
        1
    );
    assert!(has(&x, "FX-PDF-NO-XML"));
    assert_eq!(x.files.len(), 1);
    let checked = pdf::check_extracted(x);
    assert_eq!(checked.format, Format::Pdf);
}

#[test]
fn file_only_in_af_and_direct_file_specs() {
    // Reachable only through /AF: found, but FX-PDF-NAMETREE.
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    p.catalog().set("AF", vec![spec.into()]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml, Some(en16931()));
    assert!(has(&x, "FX-PDF-NAMETREE"));
    assert!(!has(&x, "FX-PDF-AF"));

    // A direct file specification in the name tree, not in /AF.
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    let dict = p.doc.get_dictionary(spec).unwrap().clone();
    let tree = p.doc.add_object(
        dictionary! {"Names" => vec![Object::string_literal("factur-x.xml"), dict.into()]},
    );
    p.catalog()
        .set("Names", dictionary! {"EmbeddedFiles" => tree});
    let x = extract(&p.bytes());
    assert_eq!(x.xml, Some(en16931()));
    assert!(has(&x, "FX-PDF-AF"));
}

#[test]
fn loop_in_kids_is_cut() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    let root = p.doc.new_object_id();
    let kid = p.doc.new_object_id();
    p.doc.objects.insert(kid, Object::Dictionary(dictionary! {"Kids" => vec![root.into(), kid.into()], "Names" => vec![Object::string_literal("factur-x.xml"), spec.into()]}));
    p.doc.objects.insert(
        root,
        Object::Dictionary(dictionary! {"Kids" => vec![kid.into(), root.into()]}),
    );
    p.catalog()
        .set("Names", dictionary! {"EmbeddedFiles" => root});
    p.catalog().set("AF", vec![spec.into()]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml, Some(en16931()));
    assert_eq!(x.files.len(), 1);
    assert!(has(&x, "KONTOR-PDF-LIMIT"));
}

#[test]
fn huge_kids_depth_is_cut_without_recursion() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    let mut node = p.doc.add_object(
        dictionary! {"Names" => vec![Object::string_literal("factur-x.xml"), spec.into()]},
    );
    for _ in 0..50_000 {
        node = p.doc.add_object(dictionary! {"Kids" => vec![node.into()]});
    }
    p.catalog()
        .set("Names", dictionary! {"EmbeddedFiles" => node});
    let x = extract(&p.bytes());
    // The leaf is far below the depth limit: as if there were no attachment, with a warning.
    assert!(has(&x, "KONTOR-PDF-LIMIT"));
    assert!(has(&x, "FX-PDF-NO-ATTACHMENT"));
    assert_eq!(x.xml, None);
    // Just within the limit it is found.
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    let mut node = p.doc.add_object(
        dictionary! {"Names" => vec![Object::string_literal("factur-x.xml"), spec.into()]},
    );
    for _ in 0..pdf::MAX_TREE_DEPTH {
        node = p.doc.add_object(dictionary! {"Kids" => vec![node.into()]});
    }
    p.catalog()
        .set("Names", dictionary! {"EmbeddedFiles" => node});
    p.catalog().set("AF", vec![spec.into()]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml, Some(en16931()));
    assert!(!has(&x, "KONTOR-PDF-LIMIT"));
}

#[test]
fn flate_bomb_over_the_cap() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    let mut bomb = en16931();
    bomb.resize(MAX_XML_BYTES + 1024, b' ');
    let spec = p.file_spec("factur-x.xml", &bomb, "text/xml");
    p.attach(&[("factur-x.xml", spec)]);
    let bytes = p.bytes();
    assert!(bytes.len() < 100_000, "the bomb is small: {}", bytes.len());
    let x = extract(&bytes);
    assert_eq!(x.xml, None);
    let f = x.findings.iter().find(|f| f.rule == "FX-PDF-EF").unwrap();
    assert_eq!(f.severity, F);
    assert!(f.message_en.contains("more than"), "{}", f.message_en);
    // Within the cap it is read.
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    bomb.truncate(MAX_XML_BYTES);
    let spec = p.file_spec("factur-x.xml", &bomb, "text/xml");
    p.attach(&[("factur-x.xml", spec)]);
    assert_eq!(
        extract(&p.bytes()).xml.map(|x| x.len()),
        Some(MAX_XML_BYTES)
    );
}

#[test]
fn xmp_with_doctype_is_refused() {
    let mut p = Pdf::new(None);
    let meta = p.doc.add_object(Stream::new(
        dictionary! {"Type" => "Metadata", "Subtype" => "XML"},
        b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaa\">]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">&a;</x:xmpmeta>".to_vec(),
    ));
    p.catalog().set("Metadata", meta);
    let spec = p.file_spec("factur-x.xml", &en16931(), "text/xml");
    p.attach(&[("factur-x.xml", spec)]);
    let x = extract(&p.bytes());
    assert!(has(&x, "FX-XMP-PARSE"));
    assert_eq!(x.xml, Some(en16931()));
}

#[test]
fn broken_file_specs_do_not_stop_the_reader() {
    let mut p = Pdf::new(Some(("factur-x.xml", "EN 16931")));
    // /EF /F is not a stream; /F is a number and /UF is missing (the name tree key names it);
    // the spec of the second file is dangling.
    let bad = p
        .doc
        .add_object(dictionary! {"F" => 7, "EF" => dictionary! {"F" => 3}});
    p.attach(&[("factur-x.xml", bad), ("other.xml", (9999, 0))]);
    let x = extract(&p.bytes());
    assert_eq!(x.xml, None, "{:#?}", x.findings);
    assert!(has(&x, "FX-PDF-EF"));
    assert!(has(&x, "PDFA-FILESPEC-F-UF"));
    assert!(has(&x, "FX-PDF-AFRELATIONSHIP"));
    assert_eq!(x.embedded_name.as_deref(), Some("factur-x.xml"));
    assert_eq!(x.files.len(), 2);
}

// ------------------------------------------------------------------ broken files

fn unreadable_or_sensible(bytes: &[u8]) {
    let x = extract(bytes);
    // Either a readable PDF's findings or a fatal PDF-PARSE; never an XML without a name.
    assert!(x.xml.is_none() || x.embedded_name.is_some());
    if x.xml.is_none() {
        assert!(
            x.findings.iter().any(|f| f.severity == F),
            "{:#?}",
            x.findings
        );
    }
    let checked = pdf::check_extracted(x);
    assert!(!checked.findings.is_empty() || checked.xml.is_some());
}

#[test]
fn truncated_example_pdfs() {
    for file in [
        "facturx-pdf/facturx-en16931.pdf",
        "facturx-pdf/akretion-factur-x-invoice_EN16931.pdf",
    ] {
        let bytes = read(file);
        let step = (bytes.len() / 150).max(1);
        for len in (0..bytes.len()).step_by(step) {
            unreadable_or_sensible(&bytes[..len]);
        }
    }
    let x = extract(b"%PDF-1.7\n");
    assert_eq!(rules(&x.findings), [("PDF-PARSE".to_string(), F)]);
    assert!(x.findings[0].message_en.starts_with("cannot parse PDF"));
}

#[test]
fn garbage_and_mutated_files() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for len in [0usize, 1, 5, 64, 4096, 100_000] {
        let mut g: Vec<u8> = b"%PDF-1.4\n".to_vec();
        g.extend((0..len).map(|_| next() as u8));
        unreadable_or_sensible(&g);
    }
    unreadable_or_sensible(&[0u8; 2048]);
    unreadable_or_sensible(
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    );
    unreadable_or_sensible(
        b"%PDF-1.7\ntrailer << /Root 1 0 R /Size 99999999999 >>\nstartxref\n0\n%%EOF",
    );
    // Byte flips in a real file.
    let good = read("facturx-pdf/facturx-minimum.pdf");
    for _ in 0..300 {
        let mut m = good.clone();
        for _ in 0..(next() % 8 + 1) {
            let i = (next() as usize) % m.len();
            m[i] = next() as u8;
        }
        unreadable_or_sensible(&m);
    }
}

#[test]
fn deeply_nested_objects() {
    for depth in [50usize, 99, 100, 101, 5_000, 100_000] {
        for (open, close) in [("[", "]"), ("<< /A ", " >>")] {
            let mut pdf = String::from(
                "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Names << /EmbeddedFiles << /Names [(factur-x.xml) ",
            );
            pdf.push_str(&open.repeat(depth));
            pdf.push_str(&close.repeat(depth));
            pdf.push_str("] >> >> >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
            unreadable_or_sensible(pdf.as_bytes());
        }
    }
}
