//! The summary of a benchmark run: the JSON records of the subcommands (one per line)
//! turned into one table with the targets, and one JSON document.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::stats::fmt_ms;

/// The latency and throughput targets the load test is judged against.
pub const TARGET_CREATE_ISSUE_16_SQLITE: f64 = 200.0;
pub const TARGET_LIST_P99_MS: f64 = 20.0;
pub const TARGET_RSS_MB: f64 = 150.0;

pub fn targets_json() -> Value {
    json!({
        "create_issue_per_s_16_clients_sqlite_min": TARGET_CREATE_ISSUE_16_SQLITE,
        "list_p99_ms_max": TARGET_LIST_P99_MS,
        "rss_mb_max": TARGET_RSS_MB,
    })
}

/// Parses JSON lines, skipping blank ones.
pub fn parse_records(text: &str) -> anyhow::Result<Vec<Value>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1)))
        .collect()
}

fn backends(records: &[Value]) -> Vec<String> {
    let mut seen = Vec::new();
    for r in records {
        if let Some(b) = r["backend"].as_str()
            && !seen.iter().any(|s: &String| s == b)
        {
            seen.push(b.to_string());
        }
    }
    seen
}

/// All records of `kind` for `backend`, in order.
fn all<'a>(
    records: &'a [Value],
    backend: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a Value> {
    records
        .iter()
        .filter(move |r| r["backend"] == backend && r["kind"] == kind)
}

/// The last record of `kind` for `backend` that satisfies `pred`.
fn last<'a>(
    records: &'a [Value],
    backend: &str,
    kind: &str,
    pred: impl Fn(&Value) -> bool,
) -> Option<&'a Value> {
    records
        .iter()
        .rev()
        .find(|r| r["backend"] == backend && r["kind"] == kind && pred(r))
}

fn client_counts(records: &[Value], kind: &str) -> Vec<u64> {
    let set: BTreeSet<u64> = records
        .iter()
        .filter(|r| r["kind"] == kind)
        .filter_map(|r| r["clients"].as_u64())
        .collect();
    set.into_iter().collect()
}

fn label(backend: &str) -> String {
    match backend {
        "sqlite" => "SQLite".into(),
        "postgres" => "PostgreSQL".into(),
        other => other.into(),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { " ok" } else { " MISS" }
}

/// One row: a name, one cell per backend, and the target text.
struct Row {
    name: String,
    cells: Vec<String>,
    target: String,
}

/// Builds the per-backend figures and the printable table.
pub fn summarize(records: &[Value]) -> (Value, String) {
    let backends = backends(records);
    let mut rows: Vec<Row> = Vec::new();
    let mut summary = serde_json::Map::new();
    for b in &backends {
        summary.insert(b.clone(), json!({}));
    }
    let mut put = |b: &str, key: &str, v: Value| {
        if let Some(obj) = summary.get_mut(b).and_then(Value::as_object_mut) {
            obj.insert(key.into(), v);
        }
    };

    // fsync rates
    let row = |name: &str, target: &str, cell: &mut dyn FnMut(&str) -> String| Row {
        name: name.into(),
        cells: backends.iter().map(|b| cell(b)).collect(),
        target: target.into(),
    };
    // Every fsync measurement of a backend (before and after the load), in order.
    for (name, field, key) in [
        (
            "fsync/s, 4 KiB overwrite + fdatasync",
            "overwrite_per_s",
            "fsync_per_s",
        ),
        (
            "fsync/s, 4 KiB append + fdatasync",
            "append_per_s",
            "fsync_append_per_s",
        ),
    ] {
        rows.push(row(name, "", &mut |b| {
            let values: Vec<f64> = all(records, b, "fsync")
                .filter_map(|r| r[field].as_f64())
                .collect();
            if values.is_empty() {
                return "—".into();
            }
            put(
                b,
                key,
                json!(values.iter().map(|v| v.round()).collect::<Vec<_>>()),
            );
            values
                .iter()
                .map(|v| format!("{v:.0}"))
                .collect::<Vec<_>>()
                .join(" / ")
        }));
    }
    rows.push(row(
        "pg_test_fsync fdatasync ops/s (8 kB)",
        "",
        &mut |b| match last(records, b, "fsync", |r| !r["pg_test_fsync"].is_null()) {
            Some(r) => {
                put(
                    b,
                    "pg_test_fsync_fdatasync",
                    r["pg_test_fsync"]["line"].clone(),
                );
                r["pg_test_fsync"]["ops_per_sec"]
                    .as_f64()
                    .map(|v| format!("{v:.0}"))
                    .unwrap_or_else(|| "n/a".into())
            }
            None => "—".into(),
        },
    ));

    for clients in client_counts(records, "create_issue") {
        let is_target = clients == 16;
        rows.push(row(
            &format!(
                "create+issue/s, {clients} client{}",
                if clients == 1 { "" } else { "s" }
            ),
            if is_target { "≥ 200/s (SQLite)" } else { "" },
            &mut |b| match last(records, b, "create_issue", |r| r["clients"] == clients) {
                Some(r) => {
                    let v = r["per_s"].as_f64().unwrap_or(0.0);
                    put(b, &format!("create_issue_per_s_{clients}"), json!(v));
                    put(
                        b,
                        &format!("create_issue_latency_ms_{clients}"),
                        r["latency_ms"].clone(),
                    );
                    let errors = r["errors"].as_u64().unwrap_or(0);
                    let mut cell = format!("{v:.1}");
                    if errors > 0 {
                        let _ = write!(cell, " ({errors} err)");
                    }
                    if is_target && b == "sqlite" {
                        let ok = v >= TARGET_CREATE_ISSUE_16_SQLITE && errors == 0;
                        cell.push_str(verdict(ok));
                    }
                    cell
                }
                None => "—".into(),
            },
        ));
        rows.push(row(
            &format!(
                "  latency p50 / p99, {clients} client{}",
                if clients == 1 { "" } else { "s" }
            ),
            "",
            &mut |b| match last(records, b, "create_issue", |r| r["clients"] == clients) {
                Some(r) => format!(
                    "{} / {}",
                    fmt_ms(r["latency_ms"]["p50"].as_f64()),
                    fmt_ms(r["latency_ms"]["p99"].as_f64())
                ),
                None => "—".into(),
            },
        ));
    }
    // How many fsyncs one create+issue could afford if a single client were bound by fsync alone.
    rows.push(row(
        "  mean fsync/s ÷ create+issue/s (1 client)",
        "",
        &mut |b| {
            let values: Vec<f64> = all(records, b, "fsync")
                .filter_map(|r| r["overwrite_per_s"].as_f64())
                .collect();
            let fsync =
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
            let ops = last(records, b, "create_issue", |r| r["clients"] == 1)
                .and_then(|r| r["per_s"].as_f64());
            match (fsync, ops) {
                (Some(f), Some(o)) if o > 0.0 => format!("{:.1}", f / o),
                _ => "—".into(),
            }
        },
    ));
    rows.push(row(
        "issued invoices in the database",
        "",
        &mut |b| match last(records, b, "seed", |_| true).and_then(|r| r["after"].as_i64()) {
            Some(n) => {
                put(b, "issued_invoices", json!(n));
                n.to_string()
            }
            None => "—".into(),
        },
    ));
    for clients in client_counts(records, "list") {
        let s = if clients == 1 { "" } else { "s" };
        rows.push(row(
            &format!("list 50: p50 / p99, {clients} client{s}"),
            "p99 < 20 ms",
            &mut |b| match last(records, b, "list", |r| r["clients"] == clients) {
                Some(r) => {
                    put(
                        b,
                        &format!("list_latency_ms_{clients}"),
                        r["latency_ms"].clone(),
                    );
                    put(b, &format!("list_per_s_{clients}"), r["per_s"].clone());
                    let p99 = r["latency_ms"]["p99"].as_f64();
                    let errors = r["errors"].as_u64().unwrap_or(0);
                    let mut cell = format!(
                        "{} / {}",
                        fmt_ms(r["latency_ms"]["p50"].as_f64()),
                        fmt_ms(p99)
                    );
                    if errors > 0 {
                        let _ = write!(cell, " ({errors} err)");
                    }
                    cell.push_str(verdict(
                        p99.is_some_and(|p| p < TARGET_LIST_P99_MS) && errors == 0,
                    ));
                    cell
                }
                None => "—".into(),
            },
        ));
        rows.push(row(
            &format!("  list requests/s, {clients} client{s}"),
            "",
            &mut |b| match last(records, b, "list", |r| r["clients"] == clients)
                .and_then(|r| r["per_s"].as_f64())
            {
                Some(v) => format!("{v:.0}"),
                None => "—".into(),
            },
        ));
    }
    for (probe_name, which) in [("first", "first"), ("last", "last")] {
        rows.push(row(
            &format!("  storage only: list p50, {probe_name} page"),
            "",
            &mut |b| match last(records, b, "store_list", |r| r["which"] == which) {
                Some(r) => {
                    put(
                        b,
                        &format!("store_list_{which}_page_ms"),
                        r["latency_ms"].clone(),
                    );
                    fmt_ms(r["latency_ms"]["p50"].as_f64())
                }
                None => "—".into(),
            },
        ));
    }
    rows.push(row(
        "server VmRSS / VmHWM",
        "VmRSS < 150 MB",
        &mut |b| match last(records, b, "rss", |_| true) {
            Some(r) => {
                let rss = r["vm_rss_kb"].as_f64().unwrap_or(0.0) / 1024.0;
                let hwm = r["vm_hwm_kb"].as_f64().unwrap_or(0.0) / 1024.0;
                put(b, "vm_rss_mb", json!((rss * 10.0).round() / 10.0));
                put(b, "vm_hwm_mb", json!((hwm * 10.0).round() / 10.0));
                format!("{rss:.1} / {hwm:.1} MB{}", verdict(rss < TARGET_RSS_MB))
            }
            None => "—".into(),
        },
    ));

    // Drop rows that have nothing for any backend.
    rows.retain(|r| r.cells.iter().any(|c| c != "—"));
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(10)
        .max(6);
    let cell_w: Vec<usize> = (0..backends.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.cells[i].chars().count())
                .max()
                .unwrap_or(0)
                .max(label(&backends[i]).chars().count())
        })
        .collect();
    let mut out = String::new();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let _ = write!(out, "{}", pad("", name_w));
    for (i, b) in backends.iter().enumerate() {
        let _ = write!(out, "  {}", pad(&label(b), cell_w[i]));
    }
    let _ = writeln!(out, "  target");
    for r in &rows {
        let _ = write!(out, "{}", pad(&r.name, name_w));
        for (i, c) in r.cells.iter().enumerate() {
            let _ = write!(out, "  {}", pad(c, cell_w[i]));
        }
        let _ = writeln!(out, "  {}", r.target);
    }
    for b in &backends {
        if let Some(r) = last(records, b, "fsync", |r| !r["pg_test_fsync"].is_null()) {
            let _ = writeln!(
                out,
                "\n{} pg_test_fsync -s 2 ({}): \"{}\"",
                label(b),
                r["pg_test_fsync"]["binary"].as_str().unwrap_or("?"),
                r["pg_test_fsync"]["line"].as_str().unwrap_or("?")
            );
        }
    }
    (Value::Object(summary), out)
}

/// What this machine is, for the record.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|s| s.trim().to_string())
    });
    let mem_kb = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string());
    json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "memory_mb": mem_kb.map(|k| k / 1024),
        "kernel": kernel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Value> {
        vec![
            json!({"kind": "fsync", "backend": "sqlite", "overwrite_per_s": 1500.4, "append_per_s": 900.0, "pg_test_fsync": null}),
            json!({"kind": "fsync", "backend": "sqlite", "overwrite_per_s": 1499.6, "append_per_s": 901.0, "pg_test_fsync": null}),
            json!({"kind": "create_issue", "backend": "sqlite", "clients": 1, "per_s": 150.0, "errors": 0, "latency_ms": {"p50": 6.5, "p99": 9.0}}),
            json!({"kind": "create_issue", "backend": "sqlite", "clients": 16, "per_s": 250.0, "errors": 0, "latency_ms": {"p50": 60.0, "p99": 90.0}}),
            json!({"kind": "seed", "backend": "sqlite", "after": 100000}),
            json!({"kind": "list", "backend": "sqlite", "clients": 1, "per_s": 300.0, "errors": 0, "latency_ms": {"p50": 3.0, "p99": 25.0}}),
            json!({"kind": "rss", "backend": "sqlite", "vm_rss_kb": 51200, "vm_hwm_kb": 61440}),
            json!({"kind": "fsync", "backend": "postgres", "overwrite_per_s": 1400.0, "append_per_s": 800.0,
                   "pg_test_fsync": {"binary": "/usr/lib/postgresql/17/bin/pg_test_fsync", "line": "fdatasync 1413.155 ops/sec 708 usecs/op", "ops_per_sec": 1413.155}}),
            json!({"kind": "create_issue", "backend": "postgres", "clients": 16, "per_s": 180.0, "errors": 2, "latency_ms": {"p50": 80.0, "p99": 120.0}}),
        ]
    }

    #[test]
    fn table_has_figures_and_verdicts() {
        let (summary, table) = summarize(&sample());
        assert!(table.contains("SQLite") && table.contains("PostgreSQL"));
        assert!(table.contains("250.0 ok"), "{table}");
        assert!(
            table.contains("180.0 (2 err)"),
            "no verdict for postgres: {table}"
        );
        assert!(table.contains("3.00 ms / 25.0 ms MISS"), "{table}");
        assert!(table.contains("50.0 / 60.0 MB ok"), "{table}");
        assert!(table.contains("fdatasync 1413.155 ops/sec"), "{table}");
        assert!(table.contains("1413"), "{table}");
        assert!(table.contains("10.0"), "fsync budget per op: {table}");
        assert_eq!(summary["sqlite"]["create_issue_per_s_16"], json!(250.0));
        assert_eq!(summary["sqlite"]["vm_rss_mb"], json!(50.0));
        assert_eq!(summary["sqlite"]["fsync_per_s"], json!([1500.0, 1500.0]));
        assert!(table.contains("1500 / 1500"), "{table}");
        assert_eq!(
            summary["postgres"]["pg_test_fsync_fdatasync"],
            json!("fdatasync 1413.155 ops/sec 708 usecs/op")
        );
        assert!(
            !table.contains("storage only"),
            "rows without figures are dropped"
        );
    }

    #[test]
    fn parses_json_lines() {
        let recs = parse_records("{\"kind\":\"rss\"}\n\n{\"kind\":\"seed\"}\n").unwrap();
        assert_eq!(recs.len(), 2);
        assert!(parse_records("{\"kind\":").is_err());
    }

    #[test]
    fn machine_info() {
        assert!(machine()["cores"].as_u64().unwrap() >= 1);
    }
}
