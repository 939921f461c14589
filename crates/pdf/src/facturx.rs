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

/// Returns `pdf` with the Factur-X descriptions added to its XMP metadata.
pub(crate) fn add_xmp_extension(pdf: &[u8]) -> Result<Vec<u8>, String> {
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
