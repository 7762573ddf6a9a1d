-- Courses, each a folder courses/<slug>/ (common/src/courses.rs); staff who
-- sign in to one course; learners' optional names, seen only by staff.

CREATE TYPE course_join AS ENUM ('open', 'code');

CREATE TABLE courses (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,47}$'),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    term           text NOT NULL DEFAULT '' CHECK (length(term) <= 200),
    join_policy    course_join NOT NULL DEFAULT 'open',
    -- sha256 of the join code; only a 'code' course has one.
    join_code_hash text CHECK ((join_policy = 'code') = (join_code_hash IS NOT NULL)),
    -- false once the folder is gone: the course is hidden, its work kept.
    listed         boolean NOT NULL DEFAULT true
);

-- Every assignment so far was the one course the repository shipped, which
-- now lives in courses/intro/.
INSERT INTO courses (slug, title) VALUES ('intro', 'Introduction to Python');

ALTER TABLE assignments ADD COLUMN course_id integer REFERENCES courses (id);
UPDATE assignments SET course_id = (SELECT id FROM courses WHERE slug = 'intro');
ALTER TABLE assignments ALTER COLUMN course_id SET NOT NULL;
ALTER TABLE assignments DROP CONSTRAINT assignments_slug_key;
ALTER TABLE assignments ADD CONSTRAINT assignments_course_slug_key UNIQUE (course_id, slug);
ALTER TABLE assignments DROP CONSTRAINT assignments_position_key;
ALTER TABLE assignments ADD CONSTRAINT assignments_position_key
    UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED;

-- Which learners are in which course (joined, or submitted there).
CREATE TABLE enrolments (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id integer NOT NULL REFERENCES courses (id),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, course_id)
);
CREATE INDEX enrolments_by_course ON enrolments (course_id, user_id);
INSERT INTO enrolments (user_id, course_id, joined_at)
    SELECT id, (SELECT id FROM courses WHERE slug = 'intro'), created_at FROM users;

-- What a learner may tell their course's staff; anonymous by default.
ALTER TABLE users
    ADD COLUMN display_name text CHECK (length(display_name) BETWEEN 1 AND 80),
    ADD COLUMN student_number text CHECK (length(student_number) BETWEEN 1 AND 32);

CREATE TYPE staff_role AS ENUM ('instructor', 'tutor');

-- Staff of one course each; a person on two courses has two accounts.
CREATE TABLE staff (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    course_id     integer NOT NULL REFERENCES courses (id),
    role          staff_role NOT NULL,
    -- argon2id, PHC string format; never leaves the API.
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
