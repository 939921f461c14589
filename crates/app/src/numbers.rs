//! Number ranges: the patterns documents, contacts and articles are numbered by.

use kontor_domain::numbering::ResetRule;
use kontor_storage::{Actor, NumberRange};

use crate::{App, Result};

/// The number-range operations of one business.
pub struct Numbers<'a> {
    pub(crate) app: &'a App,
}

impl Numbers<'_> {
    /// Every range with the number each would hand out next today.
    pub async fn list(&self) -> Result<Vec<NumberRange>> {
        Ok(self.app.store.number_ranges(self.app.today()).await?)
    }

    /// Changes a range's pattern, reset rule and first counter. Numbers already handed out
    /// stay; a pattern that could repeat a taken number is refused.
    pub async fn update(
        &self,
        actor: &Actor,
        key: &str,
        pattern: &str,
        reset: ResetRule,
        first_counter: i64,
    ) -> Result<NumberRange> {
        Ok(self
            .app
            .store
            .update_number_range(
                actor,
                key,
                pattern.trim(),
                reset,
                first_counter,
                self.app.today(),
            )
            .await?)
    }
}
