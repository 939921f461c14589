//! Free space of the file system that holds a folder, and when it counts as "full".

use std::path::Path;

/// Space on one file system, as an unprivileged process may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskUsage {
    /// Bytes this process may still write (blocks reserved for root not counted).
    pub free_bytes: u64,
    pub total_bytes: u64,
}

impl DiskUsage {
    pub fn free_percent(&self) -> f64 {
        if self.total_bytes == 0 {
            return 0.0;
        }
        self.free_bytes as f64 * 100.0 / self.total_bytes as f64
    }
}

/// Measures the file system that holds `path`.
pub fn usage(path: &Path) -> std::io::Result<DiskUsage> {
    let stat = rustix::fs::statvfs(path)?;
    let block = stat.f_frsize.max(1);
    Ok(DiskUsage {
        free_bytes: stat.f_bavail.saturating_mul(block),
        total_bytes: stat.f_blocks.saturating_mul(block),
    })
}

/// When a file system counts as full: less than `min_free_percent` of it free, or less than
/// `min_free_bytes` (whichever is hit first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiskThreshold {
    pub min_free_percent: f64,
    pub min_free_bytes: u64,
}

impl Default for DiskThreshold {
    fn default() -> Self {
        DiskThreshold {
            min_free_percent: 5.0,
            min_free_bytes: 512 * 1024 * 1024,
        }
    }
}

impl DiskThreshold {
    /// Why `usage` is below the threshold, or `None` when there is enough space.
    pub fn shortfall(&self, usage: &DiskUsage) -> Option<String> {
        let percent = usage.free_percent();
        if percent < self.min_free_percent || usage.free_bytes < self.min_free_bytes {
            Some(format!(
                "{} free ({percent:.1} %), below the minimum of {} / {:.1} %",
                human_bytes(usage.free_bytes),
                human_bytes(self.min_free_bytes),
                self.min_free_percent
            ))
        } else {
            None
        }
    }

    /// Measures `path` and records it for `/metrics`; `Err` says why it is not fit to write to.
    pub fn check(&self, path: &Path) -> Result<DiskUsage, String> {
        let usage = usage(path).map_err(|e| format!("cannot measure {}: {e}", path.display()))?;
        record(path, &usage);
        match self.shortfall(&usage) {
            Some(why) => Err(format!("disk of {} nearly full: {why}", path.display())),
            None => Ok(usage),
        }
    }
}

/// Sets the `kontor_disk_*` gauges for `path`.
pub fn record(path: &Path, usage: &DiskUsage) {
    let label = path.display().to_string();
    metrics::gauge!("kontor_disk_free_bytes", "path" => label.clone()).set(usage.free_bytes as f64);
    metrics::gauge!("kontor_disk_size_bytes", "path" => label).set(usage.total_bytes as f64);
}

/// `1.5 GiB`, `300 MiB`: sizes for people.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_real_folder() {
        let dir = tempfile::tempdir().unwrap();
        let u = usage(dir.path()).unwrap();
        assert!(u.total_bytes > 0 && u.free_bytes <= u.total_bytes, "{u:?}");
    }

    #[test]
    fn threshold_by_percent_and_by_bytes() {
        let u = DiskUsage {
            free_bytes: 10 * 1024 * 1024 * 1024,
            total_bytes: 100 * 1024 * 1024 * 1024,
        };
        let by_percent = DiskThreshold {
            min_free_percent: 15.0,
            min_free_bytes: 0,
        };
        assert!(by_percent.shortfall(&u).unwrap().contains("10.0 GiB free"));
        let by_bytes = DiskThreshold {
            min_free_percent: 1.0,
            min_free_bytes: 20 * 1024 * 1024 * 1024,
        };
        assert!(by_bytes.shortfall(&u).is_some());
        assert_eq!(DiskThreshold::default().shortfall(&u), None);
    }

    #[test]
    fn missing_folder_is_named() {
        let e = DiskThreshold::default()
            .check(Path::new("/nonexistent/kontor-test"))
            .unwrap_err();
        assert!(e.contains("/nonexistent/kontor-test"), "{e}");
    }
}
