-- Practice runs ("Run tests"): a learner's code against an assignment's
-- visible tests. Not submissions: no verdict of record, no points, no
-- attempt used. Kept here (not only in Redis) so an accepted run is never
-- lost to a Redis restart: the reconciler pushes queued ones again. Finished
-- runs are deleted a day later (runs::Runs::purge).
CREATE TABLE runs (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id integer NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    code          text NOT NULL,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'done')),
    verdict       text,
    feedback      jsonb,
    attempts      integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- NULL when the push to the stream failed: the reconciler pushes it.
    enqueued_at   timestamptz,
    finished_at   timestamptz
);

CREATE INDEX runs_unfinished ON runs (created_at) WHERE status <> 'done';
CREATE INDEX runs_finished ON runs (finished_at) WHERE status = 'done';
