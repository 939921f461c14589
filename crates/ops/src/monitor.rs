//! Health checks, metrics and alerts (see `kontor check`).
