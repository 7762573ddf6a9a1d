-- Deadlines, late policies and submission limits (assignment.toml), the
-- lateness of each submission, and points by policy.

CREATE TYPE late_policy AS ENUM ('refuse', 'mark', 'penalty');

ALTER TABLE assignments
    ADD COLUMN opens_at timestamptz,
    ADD COLUMN due_at timestamptz,
    ADD COLUMN late_policy late_policy NOT NULL DEFAULT 'refuse',
    -- Points taken off a late pass under 'penalty', in percent.
    ADD COLUMN late_penalty_pct smallint
        CHECK ((late_policy = 'penalty') = (late_penalty_pct IS NOT NULL)
               AND (late_penalty_pct IS NULL OR late_penalty_pct BETWEEN 1 AND 100)),
    ADD COLUMN max_submissions integer CHECK (max_submissions BETWEEN 1 AND 10000),
    ADD CONSTRAINT assignments_opens_before_due CHECK (opens_at < due_at);

-- Sent after the due date (under 'mark' or 'penalty').
ALTER TABLE submissions ADD COLUMN late boolean NOT NULL DEFAULT false;

-- What a pass earned: 100 on time, or what the late policy leaves.
ALTER TABLE completions
    ADD COLUMN points integer NOT NULL DEFAULT 100 CHECK (points BETWEEN 0 AND 100),
    ADD COLUMN late boolean NOT NULL DEFAULT false;

-- Submissions each learner has made to each assignment, deleted ones
-- included (deleting does not give an attempt back). The check makes the
-- limit hold under concurrent submits: the one that would pass it fails.
CREATE TABLE attempts (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id integer NOT NULL REFERENCES assignments (id),
    used          integer NOT NULL,
    max_allowed   integer,
    PRIMARY KEY (user_id, assignment_id),
    CONSTRAINT attempts_within_limit CHECK (max_allowed IS NULL OR used <= max_allowed)
);
INSERT INTO attempts (user_id, assignment_id, used)
    SELECT user_id, assignment_id, count(*) FROM submissions GROUP BY user_id, assignment_id;

-- What a pass earns: the one place the late policy becomes points.
CREATE FUNCTION pass_points(late boolean, policy late_policy, penalty_pct smallint)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN late AND policy = 'penalty' THEN 100 - penalty_pct ELSE 100 END
$$;
