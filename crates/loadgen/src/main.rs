//! `kontor-loadgen`: measures a running Kontor server on this machine (127.0.0.1 only).
//!
//! Each measuring subcommand prints a small table and, with `--json FILE`, appends one JSON
//! line with its figures; `report` turns those lines into the summary with the targets.
//! `bench/api-load.sh` runs the whole benchmark.

mod fsync;
mod http;
mod invoice;
mod report;
mod rss;
mod seed;
mod stats;
mod target;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use kontor_storage::{ConnectOptions, Store};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::http::{Api, Bounds, RunResult};
use crate::stats::{fmt_ms, round3};

/// Load generator and measuring helpers for Kontor (targets 127.0.0.1 only).
#[derive(Debug, Parser)]
#[command(name = "kontor-loadgen", version, about)]
struct Cli {
    /// Worker threads of the load generator (1: a single-threaded runtime, leaving the cores to the server).
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct ServerArgs {
    /// Base URL of the server; only http://127.0.0.1:PORT is accepted.
    #[arg(long)]
    url: String,
}

#[derive(Debug, Args)]
struct AuthArgs {
    /// API token (Authorization: Bearer …).
    #[arg(long, env = "KONTOR_LOADGEN_TOKEN", hide_env_values = true)]
    token: String,
}

#[derive(Debug, Args)]
struct Output {
    /// Label of the database backend in the records (sqlite, postgres).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Append the figures as one JSON line to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database URL (sqlite:… or postgres://… on this machine).
    #[arg(long, conflicts_with = "data_dir")]
    database: Option<String>,
    /// Kontor data folder (its SQLite database).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// PostgreSQL schema of the business.
    #[arg(long, default_value = "kontor")]
    schema: String,
}

impl DbArgs {
    async fn open(&self) -> Result<Store> {
        let url = match (&self.database, &self.data_dir) {
            (Some(url), _) => url.clone(),
            (None, Some(dir)) => kontor_storage::db::sqlite_url_for_dir(dir),
            (None, None) => bail!("give --database URL or --data-dir DIR"),
        };
        target::check_database_url(&url)?;
        let options = ConnectOptions {
            schema: Some(self.schema.clone()),
            max_connections: 2,
        };
        Store::connect(&url, options)
            .await
            .with_context(|| format!("cannot open {}", kontor_storage::db::redact_url(&url)))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a free TCP port on 127.0.0.1.
    FreePort,
    /// Wait until the server answers 200 on a health path.
    WaitReady {
        #[command(flatten)]
        server: ServerArgs,
        #[arg(long, default_value = "/healthz")]
        path: String,
        #[arg(long, default_value_t = 30)]
        timeout_seconds: u64,
    },
    /// Save a complete company profile and create one customer through the API; prints the contact id.
    Setup {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Upload received-invoice files (POST /api/v1/incoming) from a folder, round robin, with
    /// N clients; reports files per second and, with --pid, the server's peak RSS.
    Incoming {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        out: Output,
        /// Folder whose .xml and .pdf files (recursively) are uploaded.
        #[arg(long)]
        dir: PathBuf,
        /// Files to upload in all.
        #[arg(long, default_value_t = 1000)]
        files: u64,
        #[arg(long, default_value_t = 1)]
        clients: usize,
        /// Stop after this long at the latest.
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        /// The server's process id, for its peak RSS (VmHWM) after the run.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Create and issue invoices (POST /api/v1/documents, then POST …/{id}/issue) with N clients.
    CreateIssue {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        out: Output,
        #[arg(long)]
        contact_id: i64,
        #[arg(long, default_value_t = 1)]
        clients: usize,
        /// Run for this long …
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// … or until this many create+issue pairs were started.
        #[arg(long, default_value_t = 100_000)]
        max_ops: u64,
        /// Lines per invoice.
        #[arg(long, default_value_t = 10)]
        lines: usize,
        /// Stop after this many failed operations.
        #[arg(long, default_value_t = 50)]
        max_errors: u64,
    },
    /// Fetch random pages of the document list with N clients.
    List {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        out: Output,
        #[arg(long, default_value_t = 1)]
        clients: usize,
        /// Requests in total (across clients) …
        #[arg(long, default_value_t = 2000)]
        requests: u64,
        /// … or at most this long.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 50)]
        per_page: u64,
        #[arg(long = "type", default_value = "invoice")]
        doc_type: String,
        /// Unmeasured requests first.
        #[arg(long, default_value_t = 20)]
        warmup: u64,
        /// Seed of the random page choice.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 50)]
        max_errors: u64,
    },
    /// Insert issued invoices directly into the database until there are --target of them.
    Seed {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        out: Output,
        #[arg(long, default_value_t = 100_000)]
        target: u64,
        /// Rows per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: u64,
        /// Rows per INSERT statement.
        #[arg(long, default_value_t = 50)]
        rows_per_insert: usize,
        #[arg(long, default_value_t = 10)]
        lines: usize,
    },
    /// Time the document list in storage alone (no HTTP), on the first and the last page.
    StoreList {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        out: Output,
        #[arg(long, default_value_t = 50)]
        per_page: i64,
        #[arg(long, default_value_t = 50)]
        repeat: usize,
    },
    /// Measure fsyncs per second in a folder's filesystem (4 KiB write + fdatasync in a loop).
    Fsync {
        #[command(flatten)]
        out: Output,
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1_000_000)]
        max_ops: u64,
        /// Also run PostgreSQL's pg_test_fsync (if installed) in the same folder.
        #[arg(long)]
        pg_test_fsync: bool,
        #[arg(long, default_value_t = 2)]
        pg_test_fsync_seconds: u32,
        /// When this measurement was taken, for the record (e.g. before, after).
        #[arg(long, default_value = "")]
        phase: String,
    },
    /// Read a process's VmRSS and VmHWM.
    Rss {
        #[command(flatten)]
        out: Output,
        #[arg(long)]
        pid: u32,
    },
    /// Summarize the JSON lines of a run: a table with the targets, and one JSON document.
    Report {
        /// The JSON lines written by the other subcommands.
        #[arg(long)]
        input: PathBuf,
        /// Write the combined JSON document here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Extra KEY=VALUE facts for the JSON document (command, commit, …).
        #[arg(long = "meta", value_parser = parse_meta)]
        meta: Vec<(String, String)>,
    },
}

fn parse_meta(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

fn append_json(path: Option<&Path>, record: &Value) -> Result<()> {
    if let Some(path) = path {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        writeln!(f, "{record}")?;
    }
    Ok(())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The 1, 5 and 15 minute load averages: other work on the machine skews the figures.
fn loadavg() -> Value {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .map_or(Value::Null, Value::String)
}

fn print_run(title: &str, unit: &str, r: &mut RunResult) {
    println!("{title}");
    println!("  {:<22} {}", "completed", r.ok);
    println!("  {:<22} {}", "errors", r.errors);
    println!("  {:<22} {:.2} s", "elapsed", r.elapsed.as_secs_f64());
    println!("  {:<22} {:.1}", format!("{unit}/s"), r.per_second());
    println!(
        "  {:<22} p50 {}  p90 {}  p99 {}  max {}",
        "latency",
        fmt_ms(r.total.percentile(50.0).map(|v| v as f64 / 1000.0)),
        fmt_ms(r.total.percentile(90.0).map(|v| v as f64 / 1000.0)),
        fmt_ms(r.total.percentile(99.0).map(|v| v as f64 / 1000.0)),
        fmt_ms(r.total.max().map(|v| v as f64 / 1000.0)),
    );
    for (k, v) in &r.failures {
        println!("  failure {k}: {v}");
    }
    for s in &r.error_samples {
        println!("  e.g. {s}");
    }
}

fn run_record(kind: &str, backend: &str, clients: usize, r: &mut RunResult) -> Value {
    json!({
        "kind": kind,
        "backend": backend,
        "at": now_rfc3339(),
        "loadavg": loadavg(),
        "clients": clients,
        "ok": r.ok,
        "errors": r.errors,
        "failures": r.failures,
        "error_samples": r.error_samples,
        "elapsed_s": round3(r.elapsed.as_secs_f64()),
        "per_s": round3(r.per_second()),
        "latency_ms": r.total.summary_ms(),
    })
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::FreePort => {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            println!("{}", l.local_addr()?.port());
        }
        Command::WaitReady {
            server,
            path,
            timeout_seconds,
        } => {
            let api = Api::new(target::loopback_base(&server.url)?, None)?;
            let took = http::wait_ready(&api, &path, Duration::from_secs(timeout_seconds)).await?;
            eprintln!("server ready after {:.1} s", took.as_secs_f64());
        }
        Command::Setup { server, auth } => {
            let api = Api::new(target::loopback_base(&server.url)?, Some(&auth.token))?;
            println!("{}", http::setup(&api).await?);
        }
        Command::Incoming {
            server,
            auth,
            out,
            dir,
            files,
            clients,
            seconds,
            pid,
        } => {
            let api = Api::new(target::loopback_base(&server.url)?, Some(&auth.token))?;
            let found = upload_files(&dir)?;
            let kinds = found.len();
            let bounds = Bounds {
                clients,
                duration: Duration::from_secs(seconds),
                max_ops: files,
                max_errors: files.max(1),
            };
            let mut r = http::upload_incoming(&api, std::sync::Arc::new(found), bounds).await?;
            print_run(
                &format!(
                    "upload of {files} received-invoice files ({kinds} distinct, round robin), {clients} client(s), {}",
                    out.backend
                ),
                "files",
                &mut r,
            );
            let mut record = run_record("incoming_import", &out.backend, clients, &mut r);
            record["distinct_files"] = json!(kinds);
            if let Some(pid) = pid {
                let m = rss::read(pid)?;
                println!(
                    "  {:<22} VmRSS {:.1} MB, VmHWM {:.1} MB",
                    "server memory",
                    m.rss_kb as f64 / 1024.0,
                    m.hwm_kb as f64 / 1024.0
                );
                record["vm_rss_kb"] = json!(m.rss_kb);
                record["vm_hwm_kb"] = json!(m.hwm_kb);
            }
            append_json(out.json.as_deref(), &record)?;
        }
        Command::CreateIssue {
            server,
            auth,
            out,
            contact_id,
            clients,
            seconds,
            max_ops,
            lines,
            max_errors,
        } => {
            let api = Api::new(target::loopback_base(&server.url)?, Some(&auth.token))?;
            let bounds = Bounds {
                clients,
                duration: Duration::from_secs(seconds),
                max_ops,
                max_errors,
            };
            let mut r = http::create_issue(&api, contact_id, lines, bounds).await?;
            print_run(
                &format!(
                    "create+issue of {lines}-line invoices, {clients} client(s), {} [{seconds} s / ≤ {max_ops}]",
                    out.backend
                ),
                "create+issue",
                &mut r,
            );
            println!(
                "  {:<22} create p50 {} p99 {} | issue p50 {} p99 {}",
                "per request",
                fmt_ms(r.first.percentile(50.0).map(|v| v as f64 / 1000.0)),
                fmt_ms(r.first.percentile(99.0).map(|v| v as f64 / 1000.0)),
                fmt_ms(r.second.percentile(50.0).map(|v| v as f64 / 1000.0)),
                fmt_ms(r.second.percentile(99.0).map(|v| v as f64 / 1000.0)),
            );
            let mut record = run_record("create_issue", &out.backend, clients, &mut r);
            record["lines"] = json!(lines);
            record["seconds_limit"] = json!(seconds);
            record["max_ops"] = json!(max_ops);
            record["create_ms"] = r.first.summary_ms();
            record["issue_ms"] = r.second.summary_ms();
            append_json(out.json.as_deref(), &record)?;
            if r.ok == 0 {
                bail!("no invoice was created and issued");
            }
        }
        Command::List {
            server,
            auth,
            out,
            clients,
            requests,
            seconds,
            per_page,
            doc_type,
            warmup,
            seed,
            max_errors,
        } => {
            let api = Api::new(target::loopback_base(&server.url)?, Some(&auth.token))?;
            let plan = http::list_plan(&api, &doc_type, per_page).await?;
            let bounds = Bounds {
                clients,
                duration: Duration::from_secs(seconds),
                max_ops: requests,
                max_errors,
            };
            let mut r = http::list(&api, &doc_type, per_page, &plan, warmup, seed, bounds).await?;
            print_run(
                &format!(
                    "list {per_page} {doc_type}s of {} ({} pages), random page, {clients} client(s), {} [{requests} requests / ≤ {seconds} s]",
                    plan.total, plan.pages, out.backend
                ),
                "requests",
                &mut r,
            );
            let mut record = run_record("list", &out.backend, clients, &mut r);
            record["per_page"] = json!(per_page);
            record["documents"] = json!(plan.total);
            record["pages"] = json!(plan.pages);
            record["requests_limit"] = json!(requests);
            append_json(out.json.as_deref(), &record)?;
            if r.ok == 0 {
                bail!("no list request succeeded");
            }
        }
        Command::Seed {
            db,
            out,
            target,
            batch,
            rows_per_insert,
            lines,
        } => {
            let store = db.open().await?;
            let opts = seed::SeedOptions {
                target,
                batch,
                rows_per_insert,
                lines,
            };
            let mut last_report = std::time::Instant::now();
            let outcome = seed::seed(&store, &opts, |n| {
                if last_report.elapsed() > Duration::from_secs(5) {
                    eprintln!("  seeded {n} …");
                    last_report = std::time::Instant::now();
                }
            })
            .await?;
            if outcome.inserted > 0 {
                seed::verify_sample(&store).await?;
            }
            let secs = outcome.elapsed.as_secs_f64();
            println!("seed issued invoices ({})", out.backend);
            println!("  {:<22} {}", "before", outcome.before);
            println!("  {:<22} {}", "inserted", outcome.inserted);
            println!("  {:<22} {}", "after", outcome.after);
            println!(
                "  {:<22} {:.1} s ({:.0} rows/s)",
                "took",
                secs,
                outcome.inserted as f64 / secs.max(1e-9)
            );
            let record = json!({
                "kind": "seed", "backend": out.backend, "at": now_rfc3339(),
                "before": outcome.before, "inserted": outcome.inserted, "after": outcome.after,
                "contact_id": outcome.contact_id, "seconds": round3(secs),
                "batch": batch, "rows_per_insert": rows_per_insert, "lines": lines,
            });
            append_json(out.json.as_deref(), &record)?;
            store.close().await;
        }
        Command::StoreList {
            db,
            out,
            per_page,
            repeat,
        } => {
            let store = db.open().await?;
            let (_, total) = seed::probe_list(&store, 1, per_page, 1).await?;
            let last_page = ((total + per_page - 1) / per_page).max(1);
            println!(
                "storage-only list of {per_page} invoices out of {total} ({}; {repeat} calls each)",
                out.backend
            );
            for (which, page) in [("first", 1), ("last", last_page)] {
                let (mut s, _) = seed::probe_list(&store, page, per_page, repeat).await?;
                println!(
                    "  {which:<5} page {page:>6}: p50 {}  p99 {}",
                    fmt_ms(s.percentile(50.0).map(|v| v as f64 / 1000.0)),
                    fmt_ms(s.percentile(99.0).map(|v| v as f64 / 1000.0))
                );
                let record = json!({
                    "kind": "store_list", "backend": out.backend, "at": now_rfc3339(),
                    "which": which, "page": page, "per_page": per_page, "documents": total, "latency_ms": s.summary_ms(),
                });
                append_json(out.json.as_deref(), &record)?;
            }
            store.close().await;
        }
        Command::Fsync {
            out,
            dir,
            seconds,
            max_ops,
            pg_test_fsync,
            pg_test_fsync_seconds,
            phase,
        } => {
            let duration = Duration::from_secs_f64(seconds.clamp(0.1, 60.0));
            let over = fsync::measure(&dir, fsync::Mode::Overwrite, duration, max_ops)?;
            let app = fsync::measure(&dir, fsync::Mode::Append, duration, max_ops)?;
            println!(
                "fsync rate in {} ({}{}{})",
                dir.display(),
                out.backend,
                if phase.is_empty() { "" } else { ", " },
                phase
            );
            println!(
                "  {:<30} {:>8.0} /s  ({:.0} µs each)",
                "4 KiB overwrite + fdatasync",
                over.per_second(),
                over.micros_per_op()
            );
            println!(
                "  {:<30} {:>8.0} /s  ({:.0} µs each)",
                "4 KiB append + fdatasync",
                app.per_second(),
                app.micros_per_op()
            );
            let mut pg = Value::Null;
            if pg_test_fsync {
                match fsync::find_pg_test_fsync() {
                    Some(bin) => {
                        let r = fsync::run_pg_test_fsync(&bin, &dir, pg_test_fsync_seconds)?;
                        println!("  pg_test_fsync -s {pg_test_fsync_seconds}: {}", r.line);
                        pg = json!({"binary": r.binary, "line": r.line, "ops_per_sec": r.ops_per_sec, "seconds": pg_test_fsync_seconds});
                    }
                    None => println!("  pg_test_fsync: not installed (/usr/lib/postgresql/*/bin)"),
                }
            }
            let record = json!({
                "kind": "fsync", "backend": out.backend, "at": now_rfc3339(), "dir": dir, "phase": phase, "loadavg": loadavg(),
                "overwrite_per_s": round3(over.per_second()), "overwrite_ops": over.ops,
                "append_per_s": round3(app.per_second()), "append_ops": app.ops,
                "seconds": round3(duration.as_secs_f64()), "pg_test_fsync": pg,
            });
            append_json(out.json.as_deref(), &record)?;
        }
        Command::Rss { out, pid } => {
            let m = rss::read(pid)?;
            println!(
                "server pid {pid} ({}): VmRSS {:.1} MB, VmHWM {:.1} MB",
                out.backend,
                m.rss_kb as f64 / 1024.0,
                m.hwm_kb as f64 / 1024.0
            );
            let record = json!({
                "kind": "rss", "backend": out.backend, "at": now_rfc3339(), "pid": pid,
                "vm_rss_kb": m.rss_kb, "vm_hwm_kb": m.hwm_kb, "threads": m.threads,
            });
            append_json(out.json.as_deref(), &record)?;
        }
        Command::Report { input, out, meta } => {
            let text = std::fs::read_to_string(&input)
                .with_context(|| format!("cannot read {}", input.display()))?;
            let records = report::parse_records(&text)?;
            let (summary, table) = report::summarize(&records);
            print!("{table}");
            if let Some(path) = out {
                let meta: serde_json::Map<String, Value> = meta
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                let doc = json!({
                    "benchmark": "api-load",
                    "date": now_rfc3339(),
                    "machine": report::machine(),
                    "meta": meta,
                    "targets": report::targets_json(),
                    "summary": summary,
                    "records": records,
                });
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kontor-loadgen: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kontor-loadgen: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Every .xml and .pdf file below `dir`, with its content type, sorted by path.
fn upload_files(dir: &Path) -> Result<Vec<http::UploadFile>> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("xml" | "pdf")
            ) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let pdf = path.extension().is_some_and(|e| e == "pdf");
            Ok(http::UploadFile {
                name: path
                    .file_name()
                    .map(|n| {
                        n.to_string_lossy()
                            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_")
                    })
                    .unwrap_or_default(),
                content_type: if pdf {
                    "application/pdf"
                } else {
                    "application/xml"
                },
                bytes: std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            })
        })
        .collect()
}
