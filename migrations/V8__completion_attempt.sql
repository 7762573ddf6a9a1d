-- Which of the learner's attempts passed (1 = the first): the gradebook's
-- median attempts to a pass, which deleting submissions cannot change. NULL
-- for passes before this column.
ALTER TABLE completions ADD COLUMN attempt integer CHECK (attempt >= 1);
