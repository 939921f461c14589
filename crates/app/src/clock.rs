//! The one source of "now" and "today": the system clock in production, a fixed one in tests
//! (due dates, dunning, recurring invoices and retention all depend on the date).

use chrono::{DateTime, Local, NaiveDate, Utc};

/// Tells the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
    /// Today's date where the business is (the server's local time zone).
    fn today(&self) -> NaiveDate;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn today(&self) -> NaiveDate {
        Local::now().date_naive()
    }
}

/// A clock that stands still at the given instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// Noon UTC of `date`.
    pub fn on(date: NaiveDate) -> FixedClock {
        FixedClock(date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }

    fn today(&self) -> NaiveDate {
        self.0.date_naive()
    }
}
