-- Learner accounts: a learner who keeps their progress gives it a username
-- and a password (argon2id, as staff), and signs in with them on any
-- browser or in the terminal client. Both or neither. An LMS's or an
-- integration's learner (external_learners) has neither: they sign in
-- through their system alone.
ALTER TABLE users
    ADD COLUMN username      text UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    ADD COLUMN password_hash text,
    ADD COLUMN account_at    timestamptz,
    ADD CONSTRAINT account_whole CHECK ((username IS NULL) = (password_hash IS NULL));
