//! The records the services hand to the faces (pages, API, CLI): kept by storage, named here
//! so that the faces depend on the service layer alone.

pub use kontor_storage::reports::Dashboard;
pub use kontor_storage::security::{SecurityEvent, ThrottlePolicy};
pub use kontor_storage::sessions::{SessionInfo, SessionPolicy};
pub use kontor_storage::two_factor::TotpState;
pub use kontor_storage::{
    Actor, ApiToken, Article, ArticleData, ArticleQuery, ArticleSort, AuditEntry, Contact,
    ContactQuery, ContactSort, DocState, Document, DocumentQuery, DocumentSort, DocumentSummary,
    IdempotencyKey, Incoming, IncomingHeader, IncomingPayment, IncomingQuery, IncomingStatus,
    IssuePreview, NumberRange, Once, Page, PageRequest, Payment, PaymentInput,
    Result as StoreResult, Role, Sort, SortKey, StatusFilter, StoreError, StoredResponse, User,
};
