//! Backups of the database and every stored file (see `kontor backup`).
