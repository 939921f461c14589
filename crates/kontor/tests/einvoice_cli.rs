//! `kontor einvoice check` (no database) and `kontor incoming import`: exit codes, the rule
//! set's version, verdict parity with the official validator on every official example, and
//! the PDF reader's child process failing safely.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use kontor_testkit::Kontor;

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/einvoice");
    assert!(
        dir.join("validate").is_file(),
        "the official validator is missing at {} (../shared beside the repository); this test \
         needs it and does not skip",
        dir.display()
    );
    dir
}

fn example(path: &str) -> PathBuf {
    shared().join("examples").join(path)
}

const UBL: &str = "xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_ubl.xml";
const CII: &str =
    "xrechnung-testsuite-2026-01-31/business-cases/standard/01.01a-INVOICE_uncefact.xml";

fn kontor() -> Kontor {
    Kontor::new(env!("CARGO_BIN_EXE_kontor"))
}

#[test]
fn check_exit_codes_and_version() {
    let k = kontor();
    let out = k.run(&["einvoice", "check", "--version"], "");
    assert!(out.success(), "{}", out.stderr);
    assert!(out.stdout.contains("EN 16931"), "{}", out.stdout);
    assert!(out.stdout.contains("XRechnung"), "{}", out.stdout);

    let valid = example(UBL);
    let out = k.run(&["einvoice", "check", valid.to_str().unwrap()], "");
    assert_eq!(out.code(), Some(0), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("valid (ubl"), "{}", out.stdout);

    let broken = example("negative/ubl-wrong-payable-amount.xml");
    let out = k.run(
        &[
            "einvoice",
            "check",
            "--lang",
            "de",
            valid.to_str().unwrap(),
            broken.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.code(), Some(1), "{}", out.stdout);
    assert!(out.stdout.contains("[fatal] BR-CO-16"), "{}", out.stdout);

    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "no invoice").unwrap();
    let out = k.run(
        &[
            "einvoice",
            "check",
            broken.to_str().unwrap(),
            text.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.code(), Some(2), "unreadable wins: {}", out.stdout);
    assert!(out.stdout.contains("not an e-invoice"), "{}", out.stdout);
    let missing = dir.path().join("missing.xml");
    let out = k.run(&["einvoice", "check", missing.to_str().unwrap()], "");
    assert_eq!(out.code(), Some(2));
}

#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    valid: bool,
    fatal: BTreeSet<String>,
}

/// Every `.xml` and `.pdf` below `dir`, sorted.
fn files_below(dir: &Path) -> Vec<PathBuf> {
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

/// The acceptance test of the checker: every official example through `kontor einvoice check
/// --json` (its PDFs through the isolated reader) and through the official validator; for
/// each file the verdicts and the sets of fatal rule ids agree.
#[test]
fn verdicts_agree_with_the_official_validator_on_every_example() {
    let files = files_below(&shared().join("examples"));
    assert!(files.len() >= 140, "the full example set: {}", files.len());

    let mut args = vec!["einvoice".to_string(), "check".into(), "--json".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = kontor().run(&args, "");
    assert!(
        matches!(out.code(), Some(0..=2)),
        "the checker ran: {}",
        out.stderr
    );
    let mut ours = BTreeMap::new();
    for line in out.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per file");
        let file = PathBuf::from(v["file"].as_str().unwrap());
        let verdict = if v["readable"] == false {
            Verdict {
                valid: false,
                fatal: ["SYNTAX".to_string()].into(),
            }
        } else {
            Verdict {
                valid: v["valid"].as_bool().unwrap(),
                fatal: v["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["severity"] == "fatal")
                    .map(|f| f["rule"].as_str().unwrap().to_string())
                    .collect(),
            }
        };
        ours.insert(file, verdict);
    }
    assert_eq!(ours.len(), files.len(), "one line per file");

    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let official = Command::new(shared().join("validate"))
        .arg("--json")
        .arg(&report)
        .args(&files)
        .output()
        .expect("run the official validator");
    assert!(
        matches!(official.status.code(), Some(0 | 1)),
        "the official validator ran: {}",
        String::from_utf8_lossy(&official.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let entries = report["files"].as_array().unwrap();
    assert_eq!(entries.len(), files.len());
    let mut disagreements = Vec::new();
    for (file, entry) in files.iter().zip(entries) {
        let want = Verdict {
            valid: entry["passed"].as_bool().unwrap(),
            fatal: entry["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["severity"] == "error")
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect(),
        };
        let got = &ours[file];
        if *got != want {
            disagreements.push(format!(
                "{}: official valid={} {:?}, kontor valid={} {:?}",
                file.display(),
                want.valid,
                want.fatal,
                got.valid,
                got.fatal
            ));
        }
    }
    println!(
        "verdict parity: {} files, {} agreements",
        files.len(),
        files.len() - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreement(s):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn import_prints_one_json_line_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let (k, _) = kontor().fresh_database(dir.path());
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "junk").unwrap();
    let out = k.run(
        &[
            "incoming",
            "import",
            example(UBL).to_str().unwrap(),
            example(CII).to_str().unwrap(),
        ],
        "",
    );
    assert!(out.success(), "{}{}", out.stdout, out.stderr);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["format"], "ubl");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["source"], "cli");
    assert_eq!(lines[1]["format"], "cii");
    assert_eq!(
        lines[1]["duplicate_of"], lines[0]["id"],
        "the same invoice in CII is a duplicate"
    );
    let out = k.run(&["incoming", "import", junk.to_str().unwrap()], "");
    assert_eq!(out.code(), Some(1));
    let line: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(line["error"]["code"], "not_an_einvoice");
}

/// A PDF reader that cannot even start in its memory budget (or crashes) costs the caller
/// nothing but a fatal finding.
#[test]
fn a_reader_child_that_dies_gives_a_finding_not_a_crash() {
    use kontor_app::incoming::{PdfReader, ReaderLimits};
    let pdf = std::fs::read(example("facturx-pdf/facturx-en16931.pdf")).unwrap();
    let starved = PdfReader::Child {
        program: Some(env!("CARGO_BIN_EXE_kontor").into()),
        limits: ReaderLimits {
            time: std::time::Duration::from_secs(5),
            memory_mib: 1,
        },
    };
    let found = starved.extract(&pdf);
    assert!(found.xml.is_none());
    assert_eq!(found.findings.len(), 1, "{:?}", found.findings);
    assert_eq!(found.findings[0].rule, "PDF-UNREADABLE");

    let healthy = PdfReader::Child {
        program: Some(env!("CARGO_BIN_EXE_kontor").into()),
        limits: ReaderLimits::default(),
    };
    let found = healthy.extract(&pdf);
    assert!(
        found.findings.iter().all(|f| f.rule != "PDF-UNREADABLE"),
        "{:?}",
        found.findings
    );
}
