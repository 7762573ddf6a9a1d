-- Which runner grades an assignment (common/src/runners.rs); every
-- assignment so far is Python's.
ALTER TABLE assignments ADD COLUMN runner text NOT NULL DEFAULT 'python';
