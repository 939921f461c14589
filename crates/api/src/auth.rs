//! Bearer-token authentication and the role each route requires.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kontor_app::model::{Actor, ApiToken, Role, User};

use crate::error::ApiError;
use kontor_app::App;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every authenticated user, auditors included.
    Read,
    /// Users with at least this role.
    AtLeast(Role),
    /// Administrators and auditors (checking the audit log is an auditor's job).
    AdminOrAuditor,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Read => true,
            Access::AtLeast(min) => role >= min,
            Access::AdminOrAuditor => matches!(role, Role::Admin | Role::Auditor),
        }
    }

    /// How the OpenAPI document describes it.
    pub fn describe(self) -> &'static str {
        match self {
            Access::Read => "any",
            Access::AtLeast(Role::Sales) => "sales",
            Access::AtLeast(Role::Accountant) => "accountant",
            Access::AtLeast(Role::Admin) => "admin",
            Access::AtLeast(Role::Auditor) => "any",
            Access::AdminOrAuditor => "admin_or_auditor",
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub token: ApiToken,
}

impl Auth {
    /// The effective role: the token's, never more than the user's.
    pub fn role(&self) -> Role {
        self.token.role.min(self.user.role)
    }

    /// The name written into the audit log.
    pub fn actor(&self) -> Actor {
        Actor::token(&self.user.username, &self.token.name)
    }
}

/// Handlers take `Auth`; it exists only when [`require`] let the request through,
/// so a route that somehow skipped the check still fails closed.
impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or_else(|| ApiError::unauthenticated("authentication required"))
    }
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Middleware on every API route: authenticates the bearer token and checks the route's access.
pub async fn require(
    State((state, access)): State<(App, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = bearer(&request) else {
        return ApiError::unauthenticated("missing bearer token (Authorization: Bearer TOKEN)")
            .into_response();
    };
    let (user, token) = match state.auth().authenticate_token(token).await {
        Ok(Some(found)) => found,
        Ok(None) => return ApiError::unauthenticated("invalid or revoked token").into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let auth = Auth { user, token };
    if !access.allows(auth.role()) {
        let message = format!(
            "your role ({}) may not do this; required: {}",
            auth.role().as_str(),
            access.describe()
        );
        return ApiError::forbidden(message).into_response();
    }
    request.extensions_mut().insert(auth);
    next.run(request).await
}
