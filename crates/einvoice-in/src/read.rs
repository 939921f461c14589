//! Readers from UBL and CII into [`crate::model::Invoice`].
