//! The XML readers and checks (UBL, CII, Factur-X / ZUGFeRD as a bare XML): no panic on any
//! input, through the same entry point as a received file.
#![no_main]

use kontor_einvoice_in::check::{Container, check_xml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kontor_einvoice_in::check_bytes(data);
    // As an XML embedded in a PDF.
    let container = Container {
        embedded_name: "factur-x.xml".to_string(),
    };
    let _ = check_xml(data, Some(&container));
});
