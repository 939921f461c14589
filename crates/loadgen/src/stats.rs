//! Latency samples and their percentiles (nearest rank over a sorted vector).

use serde_json::{Value, json};
use std::time::Duration;

/// Latencies of one kind of operation, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    micros: Vec<u64>,
    sorted: bool,
}

impl Samples {
    pub fn with_capacity(n: usize) -> Samples {
        Samples {
            micros: Vec::with_capacity(n),
            sorted: true,
        }
    }

    pub fn record(&mut self, d: Duration) {
        self.micros
            .push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        self.sorted = false;
    }

    pub fn merge(&mut self, other: Samples) {
        self.micros.extend(other.micros);
        self.sorted = false;
    }

    pub fn len(&self) -> usize {
        self.micros.len()
    }

    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.micros.sort_unstable();
            self.sorted = true;
        }
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 100) in microseconds; `None` without samples.
    pub fn percentile(&mut self, p: f64) -> Option<u64> {
        if self.micros.is_empty() {
            return None;
        }
        self.sort();
        let n = self.micros.len();
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.micros[rank.clamp(1, n) - 1])
    }

    pub fn max(&mut self) -> Option<u64> {
        self.sort();
        self.micros.last().copied()
    }

    pub fn mean(&self) -> Option<f64> {
        (!self.is_empty())
            .then(|| self.micros.iter().map(|&m| m as f64).sum::<f64>() / self.micros.len() as f64)
    }

    /// Summary in milliseconds, for the JSON record.
    pub fn summary_ms(&mut self) -> Value {
        let ms = |v: Option<u64>| v.map(|us| round3(us as f64 / 1000.0));
        json!({
            "count": self.len(),
            "p50": ms(self.percentile(50.0)),
            "p90": ms(self.percentile(90.0)),
            "p99": ms(self.percentile(99.0)),
            "max": ms(self.max()),
            "mean": self.mean().map(|us| round3(us / 1000.0)),
        })
    }
}

/// Rounds to three decimals (for readable JSON).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Formats an optional number of milliseconds for a table cell.
pub fn fmt_ms(v: Option<f64>) -> String {
    match v {
        Some(ms) if ms >= 100.0 => format!("{ms:.0} ms"),
        Some(ms) if ms >= 10.0 => format!("{ms:.1} ms"),
        Some(ms) => format!("{ms:.2} ms"),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for us in (1..=100).rev() {
            s.record(Duration::from_micros(us));
        }
        assert_eq!(s.percentile(50.0), Some(50));
        assert_eq!(s.percentile(99.0), Some(99));
        assert_eq!(s.percentile(100.0), Some(100));
        assert_eq!(s.percentile(0.1), Some(1));
        assert_eq!(s.max(), Some(100));
        assert_eq!(s.mean(), Some(50.5));
    }

    #[test]
    fn small_and_empty_sets() {
        let mut empty = Samples::default();
        assert_eq!(empty.percentile(50.0), None);
        assert_eq!(empty.summary_ms()["p99"], Value::Null);
        let mut one = Samples::default();
        one.record(Duration::from_micros(1500));
        assert_eq!(one.percentile(1.0), Some(1500));
        assert_eq!(one.percentile(99.0), Some(1500));
        assert_eq!(one.summary_ms()["p50"], json!(1.5));
    }

    #[test]
    fn merging_keeps_all_samples() {
        let mut a = Samples::default();
        let mut b = Samples::default();
        a.record(Duration::from_millis(3));
        b.record(Duration::from_millis(1));
        b.record(Duration::from_millis(2));
        a.merge(b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.percentile(50.0), Some(2000));
    }

    #[test]
    fn table_cells() {
        assert_eq!(fmt_ms(Some(1.234)), "1.23 ms");
        assert_eq!(fmt_ms(Some(12.34)), "12.3 ms");
        assert_eq!(fmt_ms(Some(123.4)), "123 ms");
        assert_eq!(fmt_ms(None), "—");
    }
}
