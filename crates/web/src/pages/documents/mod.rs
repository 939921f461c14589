//! Documents: the filtered list, the editor with live totals computed by the server, and the
//! actions on a document (issuing, deriving, cancelling, duplicating, payments).

mod actions;
mod editor;
mod form;
mod list;
mod view;

pub use actions::{
    add_payment, cancel, delete, derive, duplicate, issue, outcome, reverse_payment,
};
pub use editor::{create, live_totals, new_form, update};
pub use list::{bulk, list};
pub use view::show;
