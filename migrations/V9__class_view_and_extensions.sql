-- The live class view calls a learner stuck on an assignment after this many
-- failed submissions in a row there (course.toml's `stuck_after`).
ALTER TABLE courses ADD COLUMN stuck_after integer NOT NULL DEFAULT 3
    CHECK (stuck_after BETWEEN 1 AND 100);

-- An instructor's extension: one learner's own due date for one assignment,
-- in place of the assignment's for refusing and for marking late.
CREATE TABLE extensions (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id integer NOT NULL REFERENCES assignments (id),
    due_at        timestamptz NOT NULL,
    granted_by    uuid NOT NULL REFERENCES staff (id),
    granted_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, assignment_id)
);
