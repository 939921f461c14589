//! Verdict parity with the official validator (`../shared/einvoice/validate`) on every example
//! in `../shared/einvoice/examples`: same verdict (valid / invalid) and the same set of fatal
//! rule ids per file. The validator runs once for all files. XML and PDF files are compared
//! in separate tests, because the PDF extractor is developed separately.

// Test helpers outside #[test] functions stop loudly too (see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Verdict, einvoice_dir, files_below, official, ours};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The official verdicts of all examples, computed once per test binary.
fn official_all() -> &'static BTreeMap<PathBuf, Verdict> {
    static CELL: OnceLock<BTreeMap<PathBuf, Verdict>> = OnceLock::new();
    CELL.get_or_init(|| {
        let files = files_below(&einvoice_dir().join("examples"));
        assert!(
            files.len() >= 140,
            "expected the full example set, found {}",
            files.len()
        );
        official(&files)
    })
}

fn compare(ext: &str) {
    let all = official_all();
    let mut checked = 0;
    let mut diffs = Vec::new();
    for (path, want) in all
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == ext))
    {
        checked += 1;
        let got = ours(&std::fs::read(path).unwrap());
        if got != *want {
            diffs.push(format!(
                "{}\n    official: valid={} fatal={:?}\n    kontor:   valid={} fatal={:?}",
                path.strip_prefix(einvoice_dir()).unwrap_or(path).display(),
                want.valid,
                want.fatal,
                got.valid,
                got.fatal
            ));
        }
    }
    println!("{ext}: {} of {checked} files agree", checked - diffs.len());
    assert!(
        diffs.is_empty(),
        "{} of {checked} {ext} files disagree with the official validator:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn parity_xml_examples() {
    compare("xml");
}

/// Needs the PDF extractor (`pdf::check_pdf`); fails until it is merged.
#[test]
fn parity_pdf_examples() {
    compare("pdf");
}
