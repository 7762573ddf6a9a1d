-- An instructor's manual points for one learner on one assignment, with
-- the reason: it stands over what grading earned until it is removed,
-- which restores the completion it replaced (kept here). Setting and
-- removing one are recorded in point_changes, with who did it.
CREATE TABLE point_overrides (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id  integer NOT NULL REFERENCES assignments (id),
    points         integer NOT NULL CHECK (points BETWEEN 0 AND 100),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    set_by         uuid REFERENCES staff (id),
    set_at         timestamptz NOT NULL DEFAULT now(),
    -- The completion before the override, if there was one.
    was_points     integer,
    was_submission uuid,
    was_late       boolean,
    was_attempt    integer,
    PRIMARY KEY (user_id, assignment_id)
);

ALTER TABLE point_changes ADD COLUMN staff_id uuid REFERENCES staff (id);

-- A completion an override wrote (its points set by hand) is no pass by
-- itself: the learner passed only if a submission of theirs did.
ALTER TABLE completions ADD COLUMN manual boolean NOT NULL DEFAULT false;

-- Whether a completion stands for a pass: the one place the gradebook and
-- a learner's progress ask it.
CREATE FUNCTION completion_passed(c completions) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT c.manual OR EXISTS (
        SELECT 1 FROM submissions s
        WHERE s.user_id = c.user_id AND s.assignment_id = c.assignment_id
          AND s.status = 'passed');
$$;
