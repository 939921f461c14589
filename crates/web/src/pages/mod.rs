//! One module per area of the application.

pub mod account;
pub mod articles;
pub mod backups;
mod catalog;
pub mod contacts;
pub mod dashboard;
pub mod documents;
pub mod files;
pub mod incoming;
pub mod login;
pub mod logo;
pub mod mailbox;
pub mod pager;
pub mod security;
pub mod settings;
pub mod setup;
pub mod sorting;
pub mod two_factor;
