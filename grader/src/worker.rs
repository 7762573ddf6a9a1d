//! The grading pipeline of one replica: read jobs from the streams, grade
//! each in the sandbox, commit the outcome, ack, publish.
//! [`Grader::process_one`] is one job, whatever its kind, on one path:
//! claim → grade → settle; the kind decides which tests run (a practice run,
//! the visible ones alone) and what is stored (`store::work`).
//! [`Grader::run`] loops it with several jobs in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use domain::runners::Runner;
use domain::verdict::Verdict;
use domain::work::{Feedback, TestOutcome, WorkItem, WorkKind};
use queue::cache::QueryCache;
use queue::events::EventPublisher;
use queue::jobs::{Job, JobQueue, JobReader};
use redis::aio::ConnectionManager;
use store::work::{Claimed, Finished, GradedWork, Judged};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::judge::{hidden_details, judge};
use crate::metrics::Metrics;
use crate::sandbox::{
    new_nonce, ExecutionOutcome, ExecutionSpec, Limits, Sandbox, Task, TestSuite,
};
use crate::suites;

/// What became of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Graded(Verdict),
    /// Already final, deleted, or being graded by another delivery: acked.
    Skipped,
    /// Out of deliveries: ended as `error`.
    GaveUp,
    /// Not a job naming work of its stream's kind: acked and dropped.
    Malformed,
    /// The sandbox or a store failed: left pending, to be delivered again.
    Retry,
}

pub struct Grader {
    pub pool: Pool,
    /// The shared Redis connection, for readiness.
    redis: ConnectionManager,
    pub jobs: JobQueue,
    pub events: EventPublisher,
    /// Claim, finish and give up: graded work's transitions.
    pub work: GradedWork,
    pub sandbox: Sandbox,
    pub metrics: Arc<Metrics>,
    pub config: Config,
    /// Tests by assignment content hash: they never change under a hash.
    tests: Mutex<HashMap<String, Arc<TestSuite>>>,
}

impl Grader {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Pool,
        redis: ConnectionManager,
        jobs: JobQueue,
        events: EventPublisher,
        cache: QueryCache,
        sandbox: Sandbox,
        metrics: Arc<Metrics>,
        config: Config,
    ) -> Self {
        Self {
            work: GradedWork::new(pool.clone(), cache, jobs.clone()),
            pool,
            redis,
            jobs,
            events,
            sandbox,
            metrics,
            config,
            tests: Mutex::new(HashMap::new()),
        }
    }

    /// One job: claim → grade (prepare and run in the sandbox, judge) →
    /// settle (commit, ack, announce). A job past its deliveries settles as
    /// given up instead.
    #[tracing::instrument(skip_all, fields(work = ?job.work, stream = ?job.stream, deliveries = job.deliveries))]
    pub async fn process_one(&self, job: Job) -> Outcome {
        let Some(work) = job.work else {
            tracing::warn!(entry = %job.entry_id, "malformed job dropped");
            self.ack(&job).await;
            return Outcome::Malformed;
        };
        if job.deliveries > self.config.max_deliveries {
            tracing::error!("out of deliveries; the work ends as our fault");
            let ended = self.work.give_up(work, job.deliveries - 1).await;
            return self.settle(&job, ended, Outcome::GaveUp, None).await;
        }
        let claimed = match self.work.claim(work, job.deliveries > 1).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                self.ack(&job).await;
                return Outcome::Skipped;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim; will retry");
                return Outcome::Retry;
            }
        };
        if let Some(why) = self.refused_runner(&claimed.runner) {
            let ended = self.work.end_as_ours(work, &why).await;
            return self.settle(&job, ended, Outcome::GaveUp, None).await;
        }
        let started = Instant::now();
        // Its learner (and a submission's staff) see it taken up.
        if let WorkItem::Submission(submission) = &claimed.item {
            self.events
                .announce(claimed.user_id, claimed.course_id, submission, None)
                .await;
        }
        let Some((verdict, feedback, hidden)) = self.grade(&job, &claimed).await else {
            return Outcome::Retry;
        };
        let judged = Judged {
            verdict,
            feedback: &feedback,
            hidden: &hidden,
        };
        let ended = self.work.finish(&claimed, &judged).await;
        self.settle(&job, ended, Outcome::Graded(verdict), Some(started))
            .await
    }

    /// Runs a claimed piece of work against its assignment's tests (a
    /// practice run, the visible ones alone) and judges it: the verdict,
    /// the learner's feedback and what staff alone see of the hidden tests.
    /// None when it cannot be graded now (the tests changed meanwhile, the
    /// sandbox failed): the job is delivered again.
    async fn grade(
        &self,
        job: &Job,
        claimed: &Claimed,
    ) -> Option<(Verdict, Feedback, Vec<TestOutcome>)> {
        let limits = Limits::new(
            claimed.time_limit_ms as u64,
            claimed.test_time_limit_ms as u64,
            claimed.memory_limit_mb as u32,
        );
        let assignment_id = claimed.item.assignment_id();
        let mut tests = self.tests_for(assignment_id, &claimed.content_hash).await?;
        if claimed.work.kind == WorkKind::PracticeRun {
            tests = Arc::new(tests.visible_only());
        }
        let Some(runner) = domain::runners::by_name(&claimed.runner) else {
            tracing::error!(runner = %claimed.runner, "no such runner in this grader; a newer one may know it");
            return None;
        };
        let (outcome, nonce) = self.execute(job, claimed, runner, &tests, limits).await?;
        let (verdict, feedback) = judge(&outcome, &nonce, &tests, runner, &limits);
        let hidden = match claimed.work.kind {
            WorkKind::Submission => hidden_details(&outcome, &nonce, &tests, &limits),
            WorkKind::PracticeRun => Vec::new(),
        };
        tracing::info!(
            verdict = verdict.as_str(),
            wall_ms = outcome.wall.as_millis() as u64,
            "graded"
        );
        Some((verdict, feedback, hidden))
    }

    /// Why this grader will not run `runner`'s image (the operator has not
    /// allowed it), or None when it may.
    fn refused_runner(&self, runner: &str) -> Option<String> {
        if self.config.allowed_runners.contains(&runner) {
            return None;
        }
        tracing::error!(%runner, "a job for a runner this grader is not allowed to use");
        Some(format!(
            "This assignment needs the {runner:?} runner, which this platform's graders are not \
             allowed to use (GRADER_ALLOWED_RUNNERS). Nothing of your code ran; tell your \
             teacher, whose operator can allow it."
        ))
    }

    /// Runs the claimed code against `tests` in `runner`'s sandbox, keeping
    /// the job's claim meanwhile. None when the sandbox failed.
    async fn execute(
        &self,
        job: &Job,
        claimed: &Claimed,
        runner: &'static Runner,
        tests: &TestSuite,
        limits: Limits,
    ) -> Option<(ExecutionOutcome, String)> {
        let spec = ExecutionSpec {
            job_id: claimed.work.id,
            runner,
            task: Task::Grade {
                solution: &claimed.code,
                tests,
            },
            limits,
        };
        let nonce = new_nonce();
        // While it runs, the job stays ours however long it takes.
        let run = tokio::select! {
            run = self.sandbox.execute(&spec, &nonce) => run,
            never = self.keep_claim(job) => match never {},
        };
        match run {
            Ok(outcome) => Some((outcome, nonce)),
            Err(e) => {
                tracing::error!(error = %e, "sandbox failed; the job will be delivered again");
                None
            }
        }
    }

    /// The one ending of a job whose work was to reach its end: counted,
    /// acked and announced when it did (`done`); acked when another
    /// delivery ended it first; left pending when the write failed.
    async fn settle(
        &self,
        job: &Job,
        ended: Result<Option<Finished>, store::Error>,
        done: Outcome,
        started: Option<Instant>,
    ) -> Outcome {
        match ended {
            Ok(Some(finished)) => {
                let verdict = finished.item.verdict().unwrap_or(Verdict::InternalError);
                let counter = match finished.item {
                    WorkItem::Submission(_) => &self.metrics.graded,
                    WorkItem::PracticeRun(_) => &self.metrics.runs,
                };
                counter.with_label_values(&[verdict.as_str()]).inc();
                if let (Some(started), WorkItem::Submission(_)) = (started, &finished.item) {
                    self.metrics
                        .grading_seconds
                        .observe(started.elapsed().as_secs_f64());
                }
                self.ack(job).await;
                self.events
                    .announce_work(
                        finished.user_id,
                        finished.course_id,
                        &finished.item,
                        finished.hold,
                    )
                    .await;
                done
            }
            Ok(None) => {
                self.ack(job).await;
                Outcome::Skipped
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot write the outcome; will retry");
                Outcome::Retry
            }
        }
    }

    async fn tests_for(&self, assignment_id: i32, hash: &str) -> Option<Arc<TestSuite>> {
        if let Some(t) = self.tests.lock().expect("tests cache").get(hash) {
            return Some(t.clone());
        }
        match suites::tests_of(&self.pool, assignment_id, hash).await {
            Ok(Some(suite)) => {
                let suite = Arc::new(suite);
                self.tests
                    .lock()
                    .expect("tests cache")
                    .insert(hash.to_owned(), suite.clone());
                Some(suite)
            }
            Ok(None) => {
                tracing::warn!("the assignment changed while grading; will retry");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the tests; will retry");
                None
            }
        }
    }

    /// Renews this replica's claim on `job` every third of the visibility
    /// timeout, for as long as it is polled: only a job whose grader died
    /// (or hangs past the timeout) is taken over by another replica.
    async fn keep_claim(&self, job: &Job) -> std::convert::Infallible {
        let every = self.config.visibility / 3;
        loop {
            tokio::time::sleep(every).await;
            match self
                .jobs
                .keep_job(&self.config.consumer, job, every / 2)
                .await
            {
                Ok(true) => {}
                Ok(false) => tracing::warn!("another grader holds this job now"),
                Err(e) => tracing::warn!(error = %e, "could not renew the claim on a job"),
            }
        }
    }

    /// Serves `/healthz`, `/readyz` and `/metrics` on `listener` until
    /// `shutdown` resolves.
    pub async fn serve_admin(
        self: Arc<Self>,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let limits = self.config.admin;
        service::admin::serve_admin(listener, limits, self, shutdown).await;
    }

    async fn ack(&self, job: &Job) {
        if let Err(e) = self.jobs.ack_job(job).await {
            // Harmless: a redelivery finds the submission final and acks it then.
            tracing::warn!(error = %e, "ack failed");
        }
    }

    /// Reads and grades until `shutdown` resolves, then stops reading, lets
    /// the jobs in hand finish within the drain period, and returns. Jobs
    /// not finished stay pending and are taken over by another replica.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let slots = Arc::new(Semaphore::new(self.config.concurrency));
        // Published course versions are checked beside the jobs, taking
        // the same slots.
        let (stop_checks, checks_stopped) = tokio::sync::oneshot::channel::<()>();
        let checks = tokio::spawn(crate::versions::run(self.clone(), slots.clone(), async {
            let _ = checks_stopped.await;
        }));
        let mut tasks = JoinSet::new();
        let mut reader: Option<JobReader> = None;
        let mut last_claim = Instant::now() - self.config.visibility;
        let mut backoff = Duration::from_millis(100);
        loop {
            // Shutdown first: a free slot is almost always ready too, and a
            // random pick could keep reading for a while after SIGTERM.
            let first = tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
                permit = slots.clone().acquire_owned() => permit.expect("semaphore open"),
            };
            let mut permits = vec![first];
            while let Ok(p) = slots.clone().try_acquire_owned() {
                permits.push(p);
            }
            match self
                .fetch(&mut reader, &mut last_claim, permits.len())
                .await
            {
                Ok(jobs) => {
                    backoff = Duration::from_millis(100);
                    for (job, permit) in jobs.into_iter().zip(permits) {
                        let grader = self.clone();
                        grader.metrics.in_flight.inc();
                        tasks.spawn(async move {
                            let outcome = grader.process_one(job).await;
                            grader.metrics.in_flight.dec();
                            drop(permit);
                            outcome
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read jobs; retrying");
                    // A lost connection, or a Redis that lost the group.
                    reader = None;
                    let _ = self.jobs.ensure_group().await;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
        let _ = stop_checks.send(());
        let _ = checks.await;
        self.drain(tasks).await;
    }

    /// Up to `count` jobs: every half visibility timeout, those a dead
    /// replica left pending (with the housekeeping that goes with that);
    /// otherwise new ones, lane by lane in turn (`JobReader`), waiting up to
    /// a second for the first.
    async fn fetch(
        &self,
        reader: &mut Option<JobReader>,
        last_claim: &mut Instant,
        count: usize,
    ) -> Result<Vec<Job>, queue::Error> {
        if last_claim.elapsed() >= self.config.visibility / 2 {
            *last_claim = Instant::now();
            self.refresh_queue_metrics().await;
            if let Sandbox::Docker(d) = &self.sandbox {
                // Containers of graders that died mid-run.
                let _ = d.sweep(None, crate::sandbox::ABANDONED_AFTER).await;
            }
            return self
                .jobs
                .claim_stale_jobs(&self.config.consumer, self.config.visibility, count)
                .await;
        }
        if reader.is_none() {
            let mut connected = JobReader::connect(&self.jobs, &self.config.redis).await?;
            // One slot of several is kept for learners while regrades run.
            connected.keep_free_of_regrades(usize::from(self.config.concurrency > 1));
            *reader = Some(connected);
        }
        let reader = reader.as_mut().expect("just made");
        reader
            .read(&self.config.consumer, count, Duration::from_secs(1))
            .await
    }

    /// Lets the jobs in hand finish within the drain period; what does not
    /// finish is aborted (its containers removed) and stays pending.
    async fn drain(&self, mut tasks: JoinSet<Outcome>) {
        tracing::info!(in_flight = tasks.len(), "draining");
        let drained = tokio::time::timeout(self.config.drain, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("drain period over; unfinished jobs stay pending for another replica");
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
            if let Sandbox::Docker(d) = &self.sandbox {
                let _ = d.sweep(Some(d.consumer()), Duration::ZERO).await;
            }
        }
        if let Sandbox::Pool(p) = &self.sandbox {
            p.close().await;
        }
    }

    async fn refresh_queue_metrics(&self) {
        if let Ok(stats) = self.jobs.queue_stats().await {
            self.metrics.queue_length.set(stats.length as i64);
            self.metrics.pending.set(stats.pending as i64);
        }
    }
}

/// What the admin port says of this replica: its metrics, and whether
/// Postgres and Redis answer.
impl service::admin::Probes for Grader {
    fn metrics(&self) -> String {
        self.metrics.registry.render()
    }

    async fn readiness(&self) -> Vec<(&'static str, bool)> {
        store::ready(&self.pool, &self.redis, service::admin::PROBE_TIMEOUT).await
    }
}
