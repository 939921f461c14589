//! `kontor einvoice check FILE…` (no database: reads and checks received e-invoices),
//! `kontor incoming import FILE…` (stores them as received invoices) and `kontor incoming
//! poll` (reads the mailbox once).

use anyhow::Result;
use kontor_app::App;
use kontor_app::incoming::summary::{FindingOut, IncomingOut};
use kontor_app::incoming::{PdfReader, Received, check_file};
use kontor_app::model::Actor;
use kontor_einvoice_in::{Checked, Severity};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{EinvoiceCheckArgs, GlobalArgs, IncomingImportArgs};

/// What one checked file printed as JSON.
#[derive(serde::Serialize)]
struct CheckedOut<'a> {
    file: &'a str,
    format: &'static str,
    valid: bool,
    embedded_name: Option<&'a str>,
    findings: Vec<FindingOut>,
}

/// Exit 0 when every file is valid, 1 when any has a fatal finding, 2 when any cannot be read
/// as an e-invoice at all.
pub async fn check(args: &EinvoiceCheckArgs) -> Result<ExitCode> {
    if args.version {
        println!(
            "kontor {}; rules: {}",
            env!("CARGO_PKG_VERSION"),
            kontor_einvoice_in::RULESET_VERSION
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.files.is_empty() {
        eprintln!("kontor einvoice check: name at least one file");
        return Ok(ExitCode::from(2));
    }
    let german = args.lang.as_deref() == Some("de");
    let (mut invalid, mut unreadable) = (0, 0);
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                unreadable += 1;
                report_unreadable(args.json, &name, &format!("cannot read the file: {e}"));
                continue;
            }
        };
        match check_file(PdfReader::default(), bytes).await {
            Ok(checked) => {
                if !checked.valid() {
                    invalid += 1;
                }
                report(args.json, &name, &checked, german);
            }
            Err(e) => {
                unreadable += 1;
                report_unreadable(args.json, &name, &e.to_string());
            }
        }
    }
    if !args.json {
        println!(
            "{} file(s): {} valid, {} invalid, {} unreadable",
            args.files.len(),
            args.files.len() - invalid - unreadable,
            invalid,
            unreadable
        );
    }
    Ok(if unreadable > 0 {
        ExitCode::from(2)
    } else if invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn report(json: bool, name: &str, checked: &Checked, german: bool) {
    let findings: Vec<FindingOut> = checked
        .findings
        .iter()
        .map(|f| FindingOut::new(f, german))
        .collect();
    if json {
        let out = CheckedOut {
            file: name,
            format: checked.format.as_str(),
            valid: checked.valid(),
            embedded_name: checked.embedded_name.as_deref(),
            findings,
        };
        println!("{}", serde_json::to_string(&out).unwrap_or_default());
        return;
    }
    let fatal = checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Fatal)
        .count();
    println!(
        "{name}: {} ({}, {} fatal, {} other finding(s))",
        if checked.valid() { "valid" } else { "INVALID" },
        checked.format.as_str(),
        fatal,
        checked.findings.len() - fatal
    );
    for f in findings {
        let at = if f.location.is_empty() {
            String::new()
        } else {
            format!(" at {}", f.location)
        };
        println!("  [{}] {}{at}: {}", f.severity, f.rule, f.message);
    }
}

fn report_unreadable(json: bool, name: &str, why: &str) {
    if json {
        let out = serde_json::json!({"file": name, "readable": false, "error": why});
        println!("{out}");
    } else {
        println!("{name}: not an e-invoice: {why}");
    }
}

/// Imports each file as a received invoice; one JSON line per file. Exit 1 when any file was
/// refused.
pub async fn import(global: &GlobalArgs, args: &IncomingImportArgs) -> Result<ExitCode> {
    let store = super::open(global).await?;
    let app = App::new(store);
    let german = args.lang.as_deref() == Some("de");
    let mut failed = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let line = match std::fs::read(path) {
            Err(e) => {
                failed += 1;
                serde_json::json!({"file": name, "error": {"code": "unreadable_file", "message": e.to_string()}})
            }
            Ok(bytes) => {
                let file = Received {
                    bytes,
                    name: file_name(path),
                    source: "cli",
                    source_ref: String::new(),
                };
                match app.incoming().import(&Actor::cli(), file).await {
                    Ok(imported) => {
                        let out = IncomingOut::new(&imported.incoming, &imported.findings, german);
                        let mut value = serde_json::to_value(out)?;
                        value["file"] = name.into();
                        value
                    }
                    Err(e) => {
                        failed += 1;
                        serde_json::json!({"file": name, "error": {"code": e.code().as_str(), "message": e.to_string()}})
                    }
                }
            }
        };
        println!("{line}");
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads the mailbox once and prints the report as JSON. Exit 1 when the run failed (the
/// reason on stderr) or a mail could not be handled.
pub async fn poll(global: &GlobalArgs) -> Result<ExitCode> {
    let store = super::open(global).await?;
    let app = App::new(store);
    match app.incoming().mailbox().poll(&Actor::cli()).await {
        Ok(report) => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Err(e) => {
            eprintln!("kontor incoming poll: {} ({})", e, e.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
