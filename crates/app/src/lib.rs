//! Kontor's service layer: every business operation, whoever asks for it. The JSON API, the
//! web pages, the CLI and the scheduler hold an [`App`] and call its services; they parse
//! input and render output, and never reach past this crate into storage or the renderers
//! for an operation.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod clock;
pub mod company;
pub mod contacts;
pub mod documents;
pub mod error;
pub mod incoming;
pub mod logo;
pub mod messages;
pub mod model;
pub mod numbers;
pub mod rendering;
pub mod reports;
pub mod security;
pub mod settings;
pub mod users;

use std::sync::Arc;

use chrono::NaiveDate;
use kontor_storage::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, Result};
pub use kontor_domain::{ErrorCode, ErrorKind};
pub use rendering::{InstanceTurns, TemplateBudget};

/// One business's application: its store, the clock, and what `kontor serve` plugged in.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    backups: Option<Arc<dyn backups::BackupStatus>>,
    rendering: rendering::Rendering,
    pdf_reader: incoming::PdfReader,
    /// Held while the mailbox is read: one run at a time per business.
    mailbox_run: Arc<tokio::sync::Mutex<()>>,
}

impl App {
    /// The business's application. Own document templates are compiled in a child process of
    /// this program under the default [`TemplateBudget`] (see [`App::with_template_budget`]).
    pub fn new(store: Store) -> App {
        let budget = TemplateBudget::default();
        let turns = budget.instance_turns();
        App {
            store,
            clock: Arc::new(SystemClock),
            backups: None,
            rendering: rendering::Rendering::sandboxed(&budget, turns),
            pdf_reader: incoming::PdfReader::default(),
            mailbox_run: Arc::default(),
        }
    }

    /// Compiles own document templates under `budget`, taking instance-wide turns from
    /// `turns` (in the cloud, the same for every tenant).
    pub fn with_template_budget(mut self, budget: &TemplateBudget, turns: InstanceTurns) -> App {
        self.rendering = rendering::Rendering::sandboxed(budget, turns);
        self
    }

    /// Compiles own document templates in this process without a budget: only for tests that
    /// run without the `kontor` binary, whose hidden subcommand the child process is.
    pub fn with_templates_in_process(mut self) -> App {
        self.rendering = rendering::Rendering::in_process();
        self
    }

    /// Reads received PDFs with `reader` (tests without the `kontor` binary read them in
    /// process; by default a child process of this program does).
    pub fn with_pdf_reader(mut self, reader: incoming::PdfReader) -> App {
        self.pdf_reader = reader;
        self
    }

    /// Uses `clock` for "now" and "today" (tests set the date).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> App {
        self.clock = clock;
        self
    }

    /// Shows and starts backups through `backups` (see [`backups::BackupStatus`]).
    pub fn with_backups(mut self, backups: Arc<dyn backups::BackupStatus>) -> App {
        self.backups = Some(backups);
        self
    }

    /// The business's data. Faces use the services; this is for the services, the health
    /// checks and the operations that work on the database as a whole.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Today where the business is.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    pub fn documents(&self) -> documents::Documents<'_> {
        documents::Documents { app: self }
    }

    /// Received invoices (payables).
    pub fn incoming(&self) -> incoming::IncomingInvoices<'_> {
        incoming::IncomingInvoices { app: self }
    }

    pub fn backups(&self) -> backups::Backups<'_> {
        backups::Backups { app: self }
    }

    pub fn settings(&self) -> settings::Settings<'_> {
        settings::Settings { app: self }
    }

    pub fn contacts(&self) -> contacts::Contacts<'_> {
        contacts::Contacts { app: self }
    }

    pub fn articles(&self) -> articles::Articles<'_> {
        articles::Articles { app: self }
    }

    pub fn company(&self) -> company::Company<'_> {
        company::Company { app: self }
    }

    pub fn numbers(&self) -> numbers::Numbers<'_> {
        numbers::Numbers { app: self }
    }

    pub fn users(&self) -> users::Users<'_> {
        users::Users { app: self }
    }

    /// Logins, sessions, the own second factor and password, API tokens.
    pub fn auth(&self) -> auth::Auth<'_> {
        auth::Auth { app: self }
    }

    /// The security log, roles, other users' sessions and second factors, requiring 2FA.
    pub fn security(&self) -> security::Security<'_> {
        security::Security { app: self }
    }

    pub fn audit(&self) -> audit::Audit<'_> {
        audit::Audit { app: self }
    }

    /// The dashboard.
    pub fn reports(&self) -> reports::Reports<'_> {
        reports::Reports { app: self }
    }
}
