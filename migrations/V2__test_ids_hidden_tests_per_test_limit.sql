-- What the grader must know of an assignment's tests before it believes a
-- report: which tests exist (from a trusted run of unittest's loader when the
-- course loads), which of them are hidden from the learner, and how long one
-- test may take. Filled in by the course upsert at the next start.

ALTER TABLE assignments
    ADD COLUMN test_ids text[] NOT NULL DEFAULT '{}',
    ADD COLUMN hidden_tests text[] NOT NULL DEFAULT '{}',
    ADD COLUMN test_time_limit_ms integer NOT NULL DEFAULT 1000
        CHECK (test_time_limit_ms BETWEEN 50 AND 60000);
