//! Own document templates are compiled by a child process of the `kontor` binary (its hidden
//! `render-template` subcommand) under a time and memory budget: a template that loops for
//! ever or allocates without end is refused within the budget with a message naming the
//! limit, the server's own memory stays small, and a normal template still renders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::time::{Duration, Instant};

use kontor_domain::{Language, TaxMode};
use kontor_pdf::{Extras, Limits, PdfError, Renderer, Sandbox, sample};
use kontor_testkit::Kontor;
use serde_json::{Value, json};

/// Runs through `range` arrays of 100 000 each: 10^10 steps, never done (typst stops a `while`
/// after 10 000 rounds as "infinite", but not nested `for` loops).
const ENDLESS: &str =
    "#let n = 0\n#for i in range(100000) { for j in range(100000) { n += 1 } }\n#n\n";
/// Doubles a string until memory runs out.
const HUNGRY: &str = "#let s = \"x\"\n#for i in range(64) { s = s + s }\n#s.len()\n";
/// A plain template that reads the data model.
const PLAIN: &str = "#let data = json(\"/data.json\")\n#set text(font: data.font)\nEIGENES LAYOUT #data.title #data.number\n";

/// The time limit of the endless template (the memory is ample).
const SECONDS: u64 = 3;
/// The memory limit of the hungry template (the time is ample: doubling a string to the limit
/// takes about 2 s of CPU, far more on a busy test machine).
const MIB: u64 = 384;
const AMPLE_SECONDS: u64 = 60;
const AMPLE_MIB: u64 = 1024;

fn sandboxed(seconds: u64, memory_mib: u64) -> Renderer {
    Renderer::Sandboxed(Sandbox::program(
        env!("CARGO_BIN_EXE_kontor"),
        Limits {
            time: Duration::from_secs(seconds),
            memory_mib,
        },
    ))
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The largest resident memory a process had, in MiB (Linux: VmHWM).
fn peak_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM");
    kb / 1024
}

#[test]
fn the_child_process_refuses_endless_and_hungry_templates_and_renders_a_plain_one() {
    let renderer = sandboxed(AMPLE_SECONDS, MIB);
    // A plain template passes the check and renders a document with its data.
    renderer
        .check_template(PLAIN)
        .expect("a plain template passes");
    let doc = sample::invoice(3, TaxMode::Standard, Language::De);
    let extras = Extras {
        template: Some(PLAIN.into()),
        ..Extras::default()
    };
    let pdf = renderer.render((&doc).into(), &extras).expect("renders");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("EIGENES LAYOUT Rechnung RE-2026-0042"),
        "{text}"
    );
    // A template error still names its line.
    let err = renderer
        .check_template("#let data = json(\"/data.json\")\n#data.missing")
        .unwrap_err();
    assert!(
        matches!(&err, PdfError::Template(m) if m.contains("line 2")),
        "{err:?}"
    );

    // An endless template is stopped at the time limit, and the message names it.
    let renderer = sandboxed(SECONDS, AMPLE_MIB);
    let started = Instant::now();
    let err = renderer.check_template(ENDLESS).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, PdfError::TooSlow(_)), "{err:?}");
    assert!(
        took >= Duration::from_secs(SECONDS) && took < Duration::from_secs(SECONDS + 3),
        "stopped at the limit: {took:?}"
    );
    assert!(
        err.message(Language::De).contains("3 Sekunden"),
        "{}",
        err.message(Language::De)
    );
    assert!(
        err.message(Language::En).contains("3 seconds"),
        "{}",
        err.message(Language::En)
    );

    // A hungry template is stopped at the memory limit, before the time limit.
    let renderer = sandboxed(AMPLE_SECONDS, MIB);
    let err = renderer.check_template(HUNGRY).unwrap_err();
    assert!(matches!(err, PdfError::TooMuchMemory(MIB)), "{err:?}");
    assert!(
        err.message(Language::De).contains("384 MiB"),
        "{}",
        err.message(Language::De)
    );

    // At rendering time a template over its budget falls back to the default layout.
    let renderer = sandboxed(SECONDS, AMPLE_MIB);
    let extras = Extras {
        template: Some(ENDLESS.into()),
        ..Extras::default()
    };
    let text = pdf_text(&renderer.render((&doc).into(), &extras).expect("falls back"));
    assert!(text.contains("Seite 1 von 1"), "the default layout: {text}");
}

async fn api(
    client: &reqwest::Client,
    server: &kontor_testkit::Binary,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, server.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_server_refuses_templates_over_budget_and_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let (env, _) = Kontor::new(env!("CARGO_BIN_EXE_kontor")).fresh_database(dir.path());
    env.run(
        &["user", "add", "anna", "--role", "admin"],
        "a long enough passphrase\n",
    )
    .ok();
    let token = env
        .run(&["token", "create", "script"], "")
        .ok()
        .trim()
        .to_string();
    // Time enough for the hungry template to reach the memory limit on a busy machine.
    const SECONDS: u64 = 15;
    let seconds = SECONDS.to_string();
    let mib = MIB.to_string();
    let mut server = env
        .serve(&[
            "--template-seconds",
            &seconds,
            "--template-memory-mib",
            &mib,
        ])
        .await;
    let client = reqwest::Client::new();
    let put = |template: &str| {
        let body = json!({"template": template});
        api(
            &client,
            &server,
            &token,
            reqwest::Method::PUT,
            "/api/v1/settings/pdf",
            Some(body),
        )
    };

    let started = Instant::now();
    let (status, err) = put(ENDLESS).await;
    let took = started.elapsed();
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["field"], "template", "{err}");
    let message = err["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("15 seconds") && message.contains("time limit"),
        "{err}"
    );
    assert!(
        took < Duration::from_secs(SECONDS + 3),
        "answered within the budget: {took:?}"
    );

    let (status, err) = put(HUNGRY).await;
    assert_eq!(status, 422, "{err}");
    let message = err["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("384 MiB") && message.contains("memory limit"),
        "{err}"
    );
    // The hungry template grew its child, not the server.
    let peak = peak_mib(server.pid());
    assert!(peak < 300, "the server grew to {peak} MiB");
    let (_, look) = api(
        &client,
        &server,
        &token,
        reqwest::Method::GET,
        "/api/v1/settings/pdf",
        None,
    )
    .await;
    assert_eq!(look["template"], "", "nothing was stored");

    // A plain template is stored, and a draft's PDF is rendered with it by a child.
    let (status, look) = put(PLAIN).await;
    assert_eq!(status, 200, "{look}");
    let post = reqwest::Method::POST;
    let (status, _) = api(
        &client,
        &server,
        &token,
        reqwest::Method::PUT,
        "/api/v1/company",
        Some(kontor_testkit::fixtures::company_json()),
    )
    .await;
    assert_eq!(status, 200);
    let customer = kontor_testkit::fixtures::customer_json();
    let (status, contact) = api(
        &client,
        &server,
        &token,
        post.clone(),
        "/api/v1/contacts",
        Some(customer),
    )
    .await;
    assert_eq!(status, 201, "{contact}");
    let body =
        kontor_testkit::fixtures::simple_document("invoice", kontor_testkit::id(&contact), "100");
    let (status, draft) = api(
        &client,
        &server,
        &token,
        post,
        "/api/v1/documents",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{draft}");
    let pdf = client
        .get(server.url(&format!(
            "/api/v1/documents/{}/pdf",
            kontor_testkit::id(&draft)
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let text = pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains("EIGENES LAYOUT Rechnung"), "{text}");
    server.stop();
}
