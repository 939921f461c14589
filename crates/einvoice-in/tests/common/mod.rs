//! Shared helpers of the parity and negative tests: locating the official validator and
//! running it once over many files.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kontor_einvoice_in::{Severity, check_bytes};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `<repo>/../shared/einvoice`, from this crate's manifest directory.
pub fn einvoice_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest
        .parent()
        .and_then(Path::parent)
        .expect("crate lives in <repo>/crates/einvoice-in");
    repo.join("../shared/einvoice")
}

/// The official validator launcher; panics with a clear message when it is missing.
pub fn validator() -> PathBuf {
    let v = einvoice_dir().join("validate");
    assert!(
        v.is_file(),
        "the official validator is missing at {}: the parity tests need ../shared/einvoice/validate \
         (and python3 for its first run); they do not skip",
        v.display()
    );
    v
}

/// What one checker said about a file: valid or not, and its set of fatal rule ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub valid: bool,
    pub fatal: BTreeSet<String>,
}

/// Runs the official validator once over all files; returns the verdict per path (as given).
pub fn official(files: &[PathBuf]) -> BTreeMap<PathBuf, Verdict> {
    let out_dir = std::env::temp_dir().join(format!(
        "kontor-einvoice-parity-{}-{}",
        std::process::id(),
        files.len()
    ));
    std::fs::create_dir_all(&out_dir).unwrap();
    let json_path = out_dir.join("report.json");
    let status = Command::new(validator())
        .arg("--json")
        .arg(&json_path)
        .args(files)
        .output()
        .expect("run the official validator");
    // Exit code 1 only means that some file failed.
    assert!(
        matches!(status.status.code(), Some(0 | 1)),
        "the official validator failed: {}\n{}",
        status.status,
        String::from_utf8_lossy(&status.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let mut map = BTreeMap::new();
    let entries = report["files"].as_array().expect("files[] in the report");
    assert_eq!(entries.len(), files.len(), "one report entry per file");
    for (f, entry) in files.iter().zip(entries) {
        let fatal: BTreeSet<String> = entry["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["severity"] == "error")
            .map(|x| x["rule"].as_str().unwrap_or("").to_string())
            .collect();
        map.insert(
            f.clone(),
            Verdict {
                valid: entry["passed"].as_bool().unwrap(),
                fatal,
            },
        );
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    map
}

/// Kontor's verdict on bytes. A file that is not an e-invoice at all counts as the
/// validator's `SYNTAX` error.
pub fn ours(bytes: &[u8]) -> Verdict {
    match check_bytes(bytes) {
        Ok(c) => Verdict {
            valid: c.valid(),
            fatal: c
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Fatal)
                .map(|f| f.rule.clone())
                .collect(),
        },
        Err(_) => Verdict {
            valid: false,
            fatal: ["SYNTAX".to_string()].into(),
        },
    }
}

/// Every `.xml` and `.pdf` below a directory, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("xml" | "pdf")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
