//! Operations: consistent backups to several targets with retention, restore, and the
//! watchdog that checks the installation and alerts someone when something is wrong.

pub mod backup;
pub mod monitor;
