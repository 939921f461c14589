//! A process's memory from /proc/PID/status.

use anyhow::{Context, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (VmRSS), KiB.
    pub rss_kb: u64,
    /// Peak resident set size (VmHWM), KiB.
    pub hwm_kb: u64,
    pub threads: Option<u64>,
}

pub fn read(pid: u32) -> Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {path} (is the server running?)"))?;
    parse(&text).with_context(|| format!("no VmRSS/VmHWM in {path}"))
}

pub fn parse(status: &str) -> Option<Memory> {
    let field = |name: &str| {
        status.lines().find_map(|l| {
            l.strip_prefix(name)?
                .strip_prefix(':')?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
    };
    Some(Memory {
        rss_kb: field("VmRSS")?,
        hwm_kb: field("VmHWM")?,
        threads: field("Threads"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status() {
        let s = "Name:\tkontor\nVmPeak:\t  900000 kB\nVmHWM:\t   61234 kB\nVmRSS:\t   58000 kB\nThreads:\t5\n";
        assert_eq!(
            parse(s),
            Some(Memory {
                rss_kb: 58000,
                hwm_kb: 61234,
                threads: Some(5)
            })
        );
        assert_eq!(parse("Name:\tx\n"), None);
    }

    #[test]
    fn reads_own_process() {
        let m = read(std::process::id()).unwrap();
        assert!(m.rss_kb > 0 && m.hwm_kb >= m.rss_kb);
    }
}
