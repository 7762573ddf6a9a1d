-- Regrades: staff re-judge an assignment's submissions in place against
-- the version served now. Each submission's earlier verdict is kept in its
-- history; every change of points is recorded with its reason, shown to
-- the learner, and reaches the LMS through the LTI outbox.
CREATE TYPE regrade_scope AS ENUM ('latest', 'all');
CREATE TYPE regrade_points AS ENUM ('keep_earned', 'recompute');

CREATE TABLE regrades (
    id             uuid PRIMARY KEY,
    course_id      integer NOT NULL REFERENCES courses (id),
    assignment_id  integer NOT NULL REFERENCES assignments (id),
    scope          regrade_scope NOT NULL,
    points         regrade_points NOT NULL,
    requested_by   uuid REFERENCES staff (id),
    -- The course version served when it was asked for.
    course_version integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX regrades_of_assignment ON regrades (assignment_id, created_at);

-- The regrade a submission was last queued by (its lane is then -1: the
-- regrade stream, read below learners' work).
ALTER TABLE submissions ADD COLUMN regrade_id uuid REFERENCES regrades (id);
CREATE INDEX submissions_regrade ON submissions (regrade_id) WHERE regrade_id IS NOT NULL;
-- "At most one submission of a learner's in flight" is about what they
-- hand in: a regrade may queue several of theirs at once, beside their own.
DROP INDEX submissions_one_in_flight;
CREATE UNIQUE INDEX submissions_one_in_flight
    ON submissions (user_id) WHERE status IN ('queued', 'grading') AND lane >= 0;

-- A submission's earlier verdicts, each as it stood before a regrade.
CREATE TABLE submission_history (
    submission_id   uuid NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    regrade_id      uuid NOT NULL REFERENCES regrades (id),
    status          submission_status NOT NULL,
    verdict         text,
    feedback        jsonb,
    hidden_details  jsonb,
    graded_at       timestamptz,
    course_version  integer,
    assignment_hash text NOT NULL,
    replaced_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, regrade_id)
);
CREATE INDEX submission_history_regrade ON submission_history (regrade_id);

-- Every change of a learner's points on an assignment that was not their
-- own pass: what it was, what it became, and why.
CREATE TABLE point_changes (
    id            bigserial PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id integer NOT NULL REFERENCES assignments (id),
    old_points    integer NOT NULL,
    new_points    integer NOT NULL,
    reason        text NOT NULL,
    regrade_id    uuid REFERENCES regrades (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX point_changes_of_learner ON point_changes (user_id, created_at);

-- A completion taken away (a regrade that recomputes points) sends the
-- LMS a 0 where it had been sent a score: the one owner of "the points
-- changed" sends 0 for a link with a score and no completion any more.
-- The regrade calls it after taking a completion away (a trigger on
-- delete would also fire for a learner's cascaded deletion).
CREATE OR REPLACE FUNCTION lti_score_changed(learner uuid, assignment integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO lti_scores (link_id, user_id, points, scored_at)
    SELECT l.id, ll.user_id, coalesce(c.points, 0), now()
    FROM lti_link_learners ll
    JOIN lti_links l ON l.id = ll.link_id
    LEFT JOIN completions c ON c.user_id = ll.user_id AND c.assignment_id = l.assignment_id
    WHERE ll.user_id = learner AND l.assignment_id = assignment
      -- Only links whose launch offered the grade service's scores.
      AND 'https://purl.imsglobal.org/spec/lti-ags/scope/score' = ANY (l.scopes)
      AND (l.lineitem_url IS NOT NULL OR l.lineitems_url IS NOT NULL)
      AND (c.points IS NOT NULL OR EXISTS (
          SELECT 1 FROM lti_scores s WHERE s.link_id = l.id AND s.user_id = ll.user_id))
    ON CONFLICT (link_id, user_id) DO UPDATE
        SET points = EXCLUDED.points, scored_at = EXCLUDED.scored_at,
            version = lti_scores.version + 1, attempts = 0,
            next_attempt_at = now(), last_error = NULL
        WHERE lti_scores.points IS DISTINCT FROM EXCLUDED.points;
$$;
