-- The job lane a submission waits in (common/src/jobs.rs: a hash of the
-- client's address), so the reconciler pushes a lost job back where it was.
ALTER TABLE submissions ADD COLUMN lane smallint NOT NULL DEFAULT 0;
