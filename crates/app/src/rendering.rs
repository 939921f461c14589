//! How a business's documents become PDFs. Kontor's default template renders in this process;
//! an administrator's own template can loop or allocate without end, so it is compiled in a
//! child process under a time and memory budget (`kontor_pdf::sandbox`), and only a few such
//! children run at once: at most [`TemplateBudget::per_tenant`] for one business (one tenant
//! in the cloud, whose `App` has its own turns) and [`TemplateBudget::instance_wide`] for the
//! whole instance (shared by every tenant). One tenant's template therefore costs the others
//! at most a turn of the budgeted time, and the instance at most the budgeted memory per turn.

use std::sync::Arc;

use kontor_domain::ErrorCode;
pub use kontor_pdf::Limits;
use kontor_pdf::{Renderer, Sandbox};
use tokio::sync::Semaphore;

use crate::{Error, Result};

/// The budget of own templates, set by `kontor serve` (its defaults are these).
#[derive(Debug, Clone)]
pub struct TemplateBudget {
    /// Time and memory of one compilation (a document, or the check at saving).
    pub limits: Limits,
    /// Own-template compilations at once for one business (a cloud tenant).
    pub per_tenant: usize,
    /// Own-template compilations at once in this instance, all tenants together.
    pub instance_wide: usize,
}

impl Default for TemplateBudget {
    fn default() -> Self {
        TemplateBudget {
            limits: Limits::default(),
            per_tenant: 1,
            instance_wide: 2,
        }
    }
}

/// The instance-wide turns, shared by the tenants' apps made from one budget.
#[derive(Clone)]
pub struct InstanceTurns(Arc<Semaphore>);

impl TemplateBudget {
    /// The instance's turns for this budget; hand the same to every tenant's app.
    pub fn instance_turns(&self) -> InstanceTurns {
        InstanceTurns(Arc::new(Semaphore::new(self.instance_wide.max(1))))
    }
}

/// One business's renderer and its turns for own templates.
#[derive(Clone)]
pub(crate) struct Rendering {
    renderer: Arc<Renderer>,
    tenant: Arc<Semaphore>,
    instance: InstanceTurns,
}

impl Rendering {
    /// Own templates in a child process of this program (the `kontor` binary) under `budget`,
    /// taking turns from `instance`.
    pub(crate) fn sandboxed(budget: &TemplateBudget, instance: InstanceTurns) -> Rendering {
        Rendering {
            renderer: Arc::new(Renderer::Sandboxed(Sandbox::this_program(budget.limits))),
            tenant: Arc::new(Semaphore::new(budget.per_tenant.max(1))),
            instance,
        }
    }

    /// Own templates in this process, without a budget (tests that run no `kontor` binary).
    pub(crate) fn in_process() -> Rendering {
        let budget = TemplateBudget::default();
        Rendering {
            renderer: Arc::new(Renderer::InProcess),
            tenant: Arc::new(Semaphore::new(budget.per_tenant)),
            instance: budget.instance_turns(),
        }
    }

    /// Runs `job` off the async workers. When it compiles an own template (`own_template`), it
    /// first waits for a turn of this business and one of the instance.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        own_template: bool,
        job: impl FnOnce(&Renderer) -> T + Send + 'static,
    ) -> Result<T> {
        let turns = if own_template {
            let closed = |e| Error::internal(ErrorCode::RenderFailed, e);
            let tenant = self.tenant.clone().acquire_owned().await.map_err(closed)?;
            let instance = self
                .instance
                .0
                .clone()
                .acquire_owned()
                .await
                .map_err(closed)?;
            Some((tenant, instance))
        } else {
            None
        };
        let renderer = self.renderer.clone();
        let result = tokio::task::spawn_blocking(move || job(&renderer))
            .await
            .map_err(|e| {
                Error::internal(ErrorCode::RenderFailed, format!("renderer stopped: {e}"))
            });
        drop(turns);
        result
    }
}

/// The child process's side, for the `kontor` binary's hidden subcommand.
pub use kontor_pdf::sandbox::{CHILD_COMMAND, child_main};
