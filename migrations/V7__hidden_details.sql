-- What staff alone see of a submission's hidden tests (their names and
-- messages); the learner's feedback says only "Hidden test N" and its class.
-- Never selected by a learner's route.
ALTER TABLE submissions ADD COLUMN hidden_details jsonb;
