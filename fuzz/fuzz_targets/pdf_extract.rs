//! The PDF attachment extractor (lopdf, catalog only): no panic, no hang, no huge allocation
//! on any input. The result must also survive the JSON trip the worker process makes.
#![no_main]

use kontor_einvoice_in::pdf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let extracted = pdf::extract(data);
    if extracted.xml.is_some() {
        // The parent finishes the job: reading and checking the XML.
        let _ = pdf::check_extracted(extracted);
    }
});
