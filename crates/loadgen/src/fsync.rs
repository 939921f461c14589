//! How many durable writes per second the filesystem of a data folder takes,
//! and PostgreSQL's own `pg_test_fsync` for comparison.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One fsync measurement.
#[derive(Debug, Clone, Copy)]
pub struct FsyncRate {
    pub ops: u64,
    pub elapsed: Duration,
}

impl FsyncRate {
    pub fn per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn micros_per_op(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / (self.ops.max(1) as f64)
    }
}

/// How each write lands in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The same 4 KiB at offset 0 each time (what `pg_test_fsync` does; no size change).
    Overwrite,
    /// 4 KiB appended each time (the file grows, so metadata is flushed too).
    Append,
}

/// Writes 4 KiB and calls `sync_data` in a loop for `duration` (at most `max_ops` times)
/// in a scratch file in `dir`, which is removed afterwards.
pub fn measure(dir: &Path, mode: Mode, duration: Duration, max_ops: u64) -> Result<FsyncRate> {
    let path = scratch_path(dir, mode);
    let result = run(&path, mode, duration, max_ops);
    let _ = std::fs::remove_file(&path);
    result
}

fn scratch_path(dir: &Path, mode: Mode) -> PathBuf {
    dir.join(
        format!(
            ".kontor-loadgen-fsync-{}-{:?}.tmp",
            std::process::id(),
            mode
        )
        .to_lowercase(),
    )
}

fn run(path: &Path, mode: Mode, duration: Duration, max_ops: u64) -> Result<FsyncRate> {
    let mut file: File = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let block = [0x5au8; 4096];
    if mode == Mode::Overwrite {
        file.write_all(&block)?;
        file.sync_all()?;
    }
    let start = Instant::now();
    let mut ops = 0;
    while ops < max_ops && start.elapsed() < duration {
        match mode {
            Mode::Overwrite => file.write_all_at(&block, 0)?,
            Mode::Append => file.write_all(&block)?,
        }
        file.sync_data()?;
        ops += 1;
    }
    Ok(FsyncRate {
        ops,
        elapsed: start.elapsed(),
    })
}

/// The newest `/usr/lib/postgresql/N/bin/pg_test_fsync`, if installed.
pub fn find_pg_test_fsync() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin/pg_test_fsync");
            bin.is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// What `pg_test_fsync` said about fdatasync.
#[derive(Debug, Clone, PartialEq)]
pub struct PgTestFsync {
    pub binary: PathBuf,
    /// The first "fdatasync" line (one 8 kB write), as printed.
    pub line: String,
    pub ops_per_sec: Option<f64>,
}

/// Runs `pg_test_fsync -s SECS -f DIR/…` and picks its fdatasync line.
pub fn run_pg_test_fsync(binary: &Path, dir: &Path, secs: u32) -> Result<PgTestFsync> {
    let file = dir.join(format!(
        ".kontor-loadgen-pg_test_fsync-{}.tmp",
        std::process::id()
    ));
    let output = Command::new(binary)
        .arg("-s")
        .arg(secs.to_string())
        .arg("-f")
        .arg(&file)
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}{}",
            binary.display(),
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (line, ops_per_sec) = parse_fdatasync(&stdout).with_context(|| {
        format!(
            "no fdatasync line in the output of {}:\n{stdout}",
            binary.display()
        )
    })?;
    Ok(PgTestFsync {
        binary: binary.to_path_buf(),
        line,
        ops_per_sec,
    })
}

/// The first line that starts with "fdatasync", trimmed, and its ops/sec figure.
pub fn parse_fdatasync(output: &str) -> Option<(String, Option<f64>)> {
    let line = output
        .lines()
        .map(str::trim)
        .find(|l| l.split_whitespace().next() == Some("fdatasync"))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let ops = words
        .iter()
        .position(|w| *w == "ops/sec")
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| words[i].parse::<f64>().ok());
    Some((words.join(" "), ops))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
5 seconds per test
O_DIRECT supported on this platform for open_datasync and open_sync.

Compare file sync methods using one 8kB write:
(in \"wal_sync_method\" preference order, except fdatasync is Linux's default)
        open_datasync                      1434.611 ops/sec     697 usecs/op
        fdatasync                          1413.155 ops/sec     708 usecs/op
        fsync                               714.256 ops/sec    1400 usecs/op
        fsync_writethrough                              n/a
        open_sync                           726.389 ops/sec    1377 usecs/op

Compare file sync methods using two 8kB writes:
        fdatasync                          1100.000 ops/sec     909 usecs/op
";

    #[test]
    fn picks_the_first_fdatasync_line() {
        let (line, ops) = parse_fdatasync(SAMPLE).unwrap();
        assert_eq!(line, "fdatasync 1413.155 ops/sec 708 usecs/op");
        assert_eq!(ops, Some(1413.155));
        assert_eq!(parse_fdatasync("nothing here"), None);
        let (_, ops) = parse_fdatasync("  fdatasync   n/a\n").unwrap();
        assert_eq!(ops, None);
    }

    #[test]
    fn measures_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [Mode::Overwrite, Mode::Append] {
            let rate = measure(dir.path(), mode, Duration::from_secs(5), 20).unwrap();
            assert_eq!(rate.ops, 20, "bounded by the count");
            assert!(rate.per_second() > 0.0 && rate.micros_per_op() > 0.0);
        }
        let rate = measure(
            dir.path(),
            Mode::Overwrite,
            Duration::from_millis(50),
            u64::MAX,
        )
        .unwrap();
        assert!(rate.elapsed < Duration::from_secs(5), "bounded by the time");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "scratch files removed"
        );
    }
}
