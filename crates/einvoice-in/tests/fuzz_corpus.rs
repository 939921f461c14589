//! Replays the fuzzers' committed inputs on the stable toolchain: every file under
//! `fuzz/corpus/*/` and `fuzz/crashes/` goes through `check_bytes` (and, for PDFs, the
//! extractor and the JSON trip to the parent process) without a panic.

use std::path::{Path, PathBuf};

use kontor_einvoice_in::pdf;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .file_name()
            .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
        {
            out.push(path);
        }
    }
}

#[test]
fn committed_fuzz_inputs_do_not_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut all = Vec::new();
    files(&fuzz.join("corpus"), &mut all);
    files(&fuzz.join("crashes"), &mut all);
    all.sort();
    assert!(
        !all.is_empty(),
        "no committed fuzz inputs under {}",
        fuzz.display()
    );
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        let _ = kontor_einvoice_in::check_bytes(&bytes);
        if pdf::looks_like_pdf(&bytes) {
            let extracted = pdf::extract(&bytes);
            let json = serde_json::to_string(&extracted).unwrap();
            let back: pdf::Extracted = serde_json::from_str(&json).unwrap();
            assert_eq!(back, extracted, "{}", path.display());
            let _ = pdf::check_extracted(back);
        }
    }
    println!("replayed {} fuzz inputs", all.len());
}
