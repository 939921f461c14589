//! The Factur-X / ZUGFeRD part of a hybrid invoice that typst cannot write itself: the XMP
//! metadata must declare the Factur-X extension schema (PDF/A-3 requires every non-standard
//! XMP property to be described) and the four fx: properties. typst (krilla) writes the
//! PDF/A-3b metadata; this adds the Factur-X descriptions before `</rdf:RDF>`.

use lopdf::{Document, Object};

/// The Factur-X 1.0 / ZUGFeRD 2.x namespace of the fx: properties.
const FX_NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

fn descriptions() -> String {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
             <pdfaProperty:valueType>Text</pdfaProperty:valueType>\
             <pdfaProperty:category>external</pdfaProperty:category>\
             <pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        )
    };
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FX_NAMESPACE}\">\
         <fx:DocumentType>INVOICE</fx:DocumentType>\
         <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>\
         <fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>\
         </rdf:Description>\
         <rdf:Description rdf:about=\"\" \
         xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
         xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
         xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\
         <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\
         <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>{FX_NAMESPACE}</pdfaSchema:namespaceURI>\
         <pdfaSchema:prefix>fx</pdfaSchema:prefix>\
         <pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property>\
         </rdf:li></rdf:Bag></pdfaExtension:schemas>\
         </rdf:Description>",
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
    )
}

/// Returns `pdf` with the Factur-X descriptions added to its XMP metadata: as an incremental
/// update (a new revision of the metadata object appended, the rest untouched) when the file
/// has the classic cross-reference table typst writes, else by rewriting it with lopdf.
pub(crate) fn add_xmp_extension(pdf: &[u8]) -> Result<Vec<u8>, String> {
    match append_revision(pdf) {
        Some(out) => Ok(out),
        None => rewrite(pdf),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn number_at(bytes: &[u8]) -> Option<usize> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&bytes[..digits]).ok()?.parse().ok()
}

/// The incremental update; `None` when the file is not laid out as expected.
fn append_revision(pdf: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    // The metadata object's number, from the catalog's `/Metadata N 0 R`.
    let at = find(pdf, b"/Metadata ")? + 10;
    let id = number_at(&pdf[at..])?;
    // The last cross-reference table and its trailer.
    let startxref = rfind(pdf, b"startxref")?;
    let prev = number_at(pdf[startxref + 9..].trim_ascii_start())?;
    let trailer_at = rfind(pdf, b"trailer")?;
    if trailer_at > startxref || !pdf.get(prev..)?.starts_with(b"xref\n0 ") {
        return None;
    }
    let trailer = std::str::from_utf8(&pdf[trailer_at + 7..startxref])
        .ok()?
        .trim();
    let trailer = trailer.strip_prefix("<<")?.strip_suffix(">>")?;
    if trailer.contains("/Prev") {
        return None;
    }
    // The object's offset from its 20-byte table entry.
    let first_line = find(&pdf[prev + 5..], b"\n")? + prev + 6;
    let entry = pdf.get(first_line + 20 * id..first_line + 20 * id + 20)?;
    let offset = number_at(entry)?;
    let object = pdf.get(offset..)?;
    if !object.starts_with(format!("{id} 0 obj").as_bytes()) {
        return None;
    }
    let data_at = find(object, b"stream\n")? + 7;
    if find(&object[..data_at], b"/Filter").is_some() {
        return None;
    }
    let data_end = find(&object[data_at..], b"\nendstream")? + data_at;
    let xmp = std::str::from_utf8(&object[data_at..data_end]).ok()?;
    let end = xmp.rfind("</rdf:RDF>")?;
    let patched = format!("{}{}{}", &xmp[..end], descriptions(), &xmp[end..]);

    let mut out = Vec::with_capacity(pdf.len() + patched.len() + 512);
    out.extend_from_slice(pdf);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let object_at = out.len();
    write!(
        out,
        "{id} 0 obj\n<</Length {}/Type/Metadata/Subtype/XML>>\nstream\n{patched}\nendstream\nendobj\n",
        patched.len()
    )
    .ok()?;
    let xref_at = out.len();
    write!(
        out,
        "xref\n0 1\n0000000000 65535 f \n{id} 1\n{object_at:010} 00000 n \ntrailer\n<<{trailer}/Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n"
    )
    .ok()?;
    Some(out)
}

/// The general way: read the whole file and write it again.
fn rewrite(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let mut doc = Document::load_mem(pdf).map_err(|e| format!("cannot read the PDF: {e}"))?;
    let metadata_id = doc
        .catalog()
        .and_then(|c| c.get(b"Metadata"))
        .and_then(Object::as_reference)
        .map_err(|e| format!("the PDF has no XMP metadata: {e}"))?;
    let stream = doc
        .get_object_mut(metadata_id)
        .and_then(Object::as_stream_mut)
        .map_err(|e| format!("the XMP metadata is not a stream: {e}"))?;
    let xmp = match stream.decompressed_content() {
        Ok(plain) => plain,
        Err(_) => stream.content.clone(),
    };
    let xmp = String::from_utf8(xmp).map_err(|_| "the XMP metadata is not UTF-8".to_string())?;
    let end = xmp
        .rfind("</rdf:RDF>")
        .ok_or_else(|| "the XMP metadata has no rdf:RDF element".to_string())?;
    let patched = format!("{}{}{}", &xmp[..end], descriptions(), &xmp[end..]);
    stream.set_plain_content(patched.into_bytes());
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_appended_revision_equals_the_rewritten_metadata() {
        let doc = crate::sample::invoice(
            2,
            kontor_domain::TaxMode::Standard,
            kontor_domain::Language::De,
        );
        let pdf = crate::render((&doc).into(), &crate::Extras::default()).expect("renders");
        let appended = append_revision(&pdf).expect("typst's layout is understood");
        assert!(
            appended.starts_with(&pdf),
            "the original bytes stay in front"
        );
        let rewritten = rewrite(&pdf).expect("rewrites");
        let xmp = |bytes: &[u8]| {
            let doc = Document::load_mem(bytes).expect("readable");
            let id = doc
                .catalog()
                .and_then(|c| c.get(b"Metadata"))
                .and_then(Object::as_reference)
                .unwrap();
            let stream = doc.get_object(id).and_then(Object::as_stream).unwrap();
            String::from_utf8(stream.content.clone()).unwrap()
        };
        let a = xmp(&appended);
        assert_eq!(a, xmp(&rewritten));
        assert!(a.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
        // Anything unexpected takes the general way.
        assert!(append_revision(b"%PDF-1.7\nnot a pdf").is_none());
    }
}
