-- Release control: an assignment released after its due date holds each
-- learner's verdicts, feedback and points until their own due date (the
-- assignment's, or their extension's). Staff see everything at once.
ALTER TABLE assignments
    ADD COLUMN release text NOT NULL DEFAULT 'immediately'
        CHECK (release IN ('immediately', 'after_due')),
    -- What a learner sees of a held submission: `received` only, or the
    -- visible tests' results too.
    ADD COLUMN before_release text NOT NULL DEFAULT 'received'
        CHECK (before_release IN ('received', 'visible_tests')),
    ADD CONSTRAINT release_needs_due CHECK (release = 'immediately' OR due_at IS NOT NULL);

-- The one owner of "is this learner's result on this assignment held at
-- `at`": the time it is released, or NULL when it is not held (released
-- at once, or already).
CREATE FUNCTION held_until(learner uuid, assignment integer, at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT due FROM (
        SELECT coalesce(e.due_at, a.due_at) AS due
        FROM assignments a
        LEFT JOIN extensions e ON e.user_id = learner AND e.assignment_id = a.id
        WHERE a.id = assignment AND a.release = 'after_due'
    ) d
    WHERE due > at;
$$;

-- The LMS hears a held score at its release: the outbox row waits until then.
CREATE OR REPLACE FUNCTION lti_score_changed(learner uuid, assignment integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO lti_scores (link_id, user_id, points, scored_at, next_attempt_at)
    SELECT l.id, ll.user_id, coalesce(c.points, 0), now(),
           coalesce(held_until(learner, assignment, now()), now())
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
            next_attempt_at = EXCLUDED.next_attempt_at, last_error = NULL
        WHERE lti_scores.points IS DISTINCT FROM EXCLUDED.points;
$$;

-- A learner's due date moved (an extension given or taken back): an unsent
-- score waits for the new release, or goes now if it is past.
CREATE FUNCTION lti_release_moved(learner uuid, assignment integer) RETURNS void
LANGUAGE sql AS $$
    UPDATE lti_scores s
    SET next_attempt_at = coalesce(held_until(learner, assignment, now()), now())
    FROM lti_links l
    WHERE s.link_id = l.id AND l.assignment_id = assignment AND s.user_id = learner
      AND s.sent_version < s.version;
$$;
