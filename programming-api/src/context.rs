//! The one cloneable context every route gets.

use std::sync::Arc;

use deadpool_postgres::Pool;
use domain::work::{Hold, Submission};
use queue::cache::QueryCache;
use queue::events::EventPublisher;
use queue::jobs::JobQueue;
use queue::names::RedisNames;
use redis::aio::ConnectionManager;
use service::token::TokenSigner;
use store::work::practice_runs::PracticeRuns;
use store::work::submissions::Submissions;
use store::work::GradedWork;
use uuid::Uuid;

use crate::admission::Admission;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::metrics::Metrics;

/// What every route shares, behind one `Arc`: the route filters each hold a
/// copy, and warp clones the filter tree per request, so a copy must cost a
/// reference count, not this struct's strings and connections.
#[derive(Clone)]
pub struct AppContext(Arc<Shared>);

impl AppContext {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppContext {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub pool: Pool,
    pub redis: ConnectionManager,
    pub names: RedisNames,
    pub cache: QueryCache,
    pub jobs: JobQueue,
    /// Graded work's one life: what the reconciler pushes again.
    pub work: GradedWork,
    /// A submission's own writes (create, delete) go through here.
    pub submissions: Submissions,
    /// A practice run's own writes go through here.
    pub practice_runs: PracticeRuns,
    pub signer: TokenSigner,
    pub metrics: Arc<Metrics>,
    /// How often a client may act, and how much may wait.
    pub admission: Arc<Admission>,
    /// The courses served: loaded at start, and again whenever a course
    /// version goes live (`crate::versions`). Read through [`Shared::catalog`].
    pub catalog_now: arc_swap::ArcSwap<Catalog>,
    /// The LTI tool, when `LTI_PLATFORMS` is set.
    pub lti: Option<Arc<crate::lti::Lti>>,
    /// The systems that may submit through the signed integration API.
    pub integrations: Arc<crate::integrations::Integrations>,
    /// How long a staff sign-in lasts.
    pub staff_token_ttl: std::time::Duration,
    /// The time deadlines and expiry go by.
    pub clock: Clock,
    /// Tells the gateway of new submissions (the course's live class view).
    pub events: EventPublisher,
    /// Set on SIGTERM: `/readyz` answers 503 while requests are still served.
    pub drain: service::drain::Drain,
}

impl Shared {
    /// The courses served now: a request holds one catalog throughout.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog_now.load_full()
    }
}

impl AppContext {
    /// Publishes a new submission for its learner's other tabs and its
    /// course's staff, off the request's path: best effort, as the grader's
    /// events are (Postgres has it; the class view re-reads on reconnect).
    pub fn announce(
        &self,
        user_id: Uuid,
        course_id: i32,
        submission: &Submission,
        hold: Option<Hold>,
    ) {
        let (events, submission) = (self.events.clone(), submission.clone());
        tokio::spawn(async move { events.announce(user_id, course_id, &submission, hold).await });
    }

    /// What an assignment takes (code when this replica does not know it:
    /// the store then answers 404 for it).
    pub fn kind_of(&self, assignment_id: i32) -> Result<domain::course::Kind, ApiError> {
        // An assignment this replica's catalog does not know (its course came
        // after this start) is not served, as its page is not.
        self.catalog()
            .kind_of(assignment_id)
            .ok_or_else(|| ApiError::not_found("assignment"))
    }
}
