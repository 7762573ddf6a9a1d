-- A course's versions. Version 1 is what the image's course folder says,
-- written again at each start; later ones are published archives
-- (POST /api/courses/{c}/versions). A grader checks a published one (its
-- tests listed, every reference passes and every starter fails in the real
-- sandbox) before it goes live; courses.live_version is the one served.
CREATE TYPE course_version_status AS ENUM ('checking', 'live', 'rejected');

CREATE TABLE course_versions (
    course_id    integer NOT NULL REFERENCES courses (id),
    version      integer NOT NULL CHECK (version >= 1),
    status       course_version_status NOT NULL,
    -- What was wrong, each naming its file and field or its assignment;
    -- empty unless rejected.
    reasons      text[] NOT NULL DEFAULT '{}',
    -- The published .tar.gz; none for version 1 (the image's folder).
    archive      bytea,
    -- The course as checked (tests listed): what going live applies, and
    -- what making it live again applies without a new check.
    content      jsonb,
    published_by uuid REFERENCES staff (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    checked_at   timestamptz,
    -- A grader checking it holds it until then; past it another may take it.
    lease_until  timestamptz,
    attempts     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (course_id, version),
    CONSTRAINT only_the_image_has_no_archive CHECK ((version = 1) = (archive IS NULL)),
    CONSTRAINT live_has_content CHECK (status <> 'live' OR content IS NOT NULL)
);
CREATE INDEX course_versions_checking ON course_versions (created_at) WHERE status = 'checking';

-- The version served, and since when: a version whose check ends after
-- another was made live since it was published is kept, not served (the
-- later decision stands).
ALTER TABLE courses
    ADD COLUMN live_version integer NOT NULL DEFAULT 1,
    ADD COLUMN live_since   timestamptz NOT NULL DEFAULT now();
-- The course version an assignment's row holds now, and the one a
-- submission was graded against (none before versions, or not graded yet).
ALTER TABLE assignments ADD COLUMN course_version integer NOT NULL DEFAULT 1;
ALTER TABLE submissions ADD COLUMN course_version integer;
