-- The system of record. Redis holds only what can be rebuilt from these tables.

CREATE TABLE users (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE,
    -- NULL once the folder is gone from assignments/: the course hides it, but the
    -- learners' submissions and completions stay. DEFERRABLE so a reordering of
    -- the course can be upserted in one transaction.
    position        integer,
    title           text NOT NULL,
    handout_md      text NOT NULL,
    starter_code    text NOT NULL,
    test_code       text NOT NULL,
    time_limit_ms   integer NOT NULL CHECK (time_limit_ms BETWEEN 100 AND 60000),
    memory_limit_mb integer NOT NULL CHECK (memory_limit_mb BETWEEN 16 AND 4096),
    -- sha256 over everything that can change a verdict; verdict reuse keys on it.
    content_hash    text NOT NULL,
    CONSTRAINT assignments_position_key UNIQUE (position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TYPE submission_status AS ENUM ('queued', 'grading', 'passed', 'failed', 'error');

CREATE TABLE submissions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id   integer NOT NULL REFERENCES assignments (id),
    code            text NOT NULL,
    code_hash       text NOT NULL,
    -- The assignment's content_hash the verdict was (or will be) reached against.
    assignment_hash text NOT NULL,
    status          submission_status NOT NULL DEFAULT 'queued',
    verdict         text,
    feedback        jsonb,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    graded_at       timestamptz,
    -- When the job was last pushed to the stream; NULL means the push failed and
    -- the reconciler must push it.
    enqueued_at     timestamptz
);

-- The rule "at most one submission in flight per learner", enforced under any race.
CREATE UNIQUE INDEX submissions_one_in_flight
    ON submissions (user_id) WHERE status IN ('queued', 'grading');

CREATE INDEX submissions_by_user_assignment
    ON submissions (user_id, assignment_id, created_at DESC);

-- Verdict reuse looks up earlier final verdicts of the same code.
CREATE INDEX submissions_reuse
    ON submissions (assignment_id, code_hash) WHERE status IN ('passed', 'failed');

-- The reconciler scans only what is waiting.
CREATE INDEX submissions_queued
    ON submissions (enqueued_at) WHERE status = 'queued';

CREATE TABLE completions (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id integer NOT NULL REFERENCES assignments (id),
    -- Kept when the learner deletes the passing submission: points stay earned.
    submission_id uuid REFERENCES submissions (id) ON DELETE SET NULL,
    completed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, assignment_id)
);
