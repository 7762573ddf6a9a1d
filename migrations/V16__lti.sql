-- LTI 1.3: codeplatform as a tool inside an LMS (programming-api/src/lti/).

-- A login in progress: what the launch that answers it must carry. Used
-- once: the launch deletes it. `browser` is the SHA-256 of the secret in
-- the state cookie, so the row alone cannot complete a launch.
CREATE TABLE lti_logins (
    state      text PRIMARY KEY,
    nonce      text NOT NULL,
    issuer     text NOT NULL,
    client_id  text NOT NULL,
    browser    bytea NOT NULL,
    -- What a new window needs to begin the same login again, where the
    -- LMS's frame could not keep the cookie.
    login_hint       text NOT NULL,
    lti_message_hint text,
    target_link_uri  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lti_logins_by_age ON lti_logins (created_at);

-- Whether an LTI launch's student number fills a learner's profile
-- (course.toml's `lti_student_number`).
ALTER TABLE courses ADD COLUMN lti_student_number boolean NOT NULL DEFAULT false;

-- A person another system names is one learner here, always the same one:
-- an LMS user (source `lti:<issuer>`, their `sub`), or an integration's
-- (source `integration:<name>`, its external id). programming-api/src/external.rs.
CREATE TABLE external_learners (
    source      text NOT NULL,
    external_id text NOT NULL,
    user_id     uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);

-- Staff accounts belong to one course each, so an LMS user who teaches is
-- one staff account per course. Such an account has no password: it signs
-- in only through its LMS.
ALTER TABLE staff ALTER COLUMN password_hash DROP NOT NULL;
CREATE TABLE lti_staff (
    issuer    text NOT NULL,
    subject   text NOT NULL,
    course_id integer NOT NULL REFERENCES courses (id),
    staff_id  uuid NOT NULL UNIQUE REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (issuer, subject, course_id)
);

-- A resource link in an LMS course, and the assignment it opens. AGS's
-- endpoints as its last launch gave them.
CREATE TABLE lti_links (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer           text NOT NULL,
    client_id        text NOT NULL,
    deployment_id    text NOT NULL,
    resource_link_id text NOT NULL,
    context_id       text NOT NULL,
    assignment_id    integer NOT NULL REFERENCES assignments (id),
    lineitems_url    text,
    -- The line item scores go to: from the launch, or found or made
    -- through `lineitems_url` by the sender.
    lineitem_url     text,
    scopes           text[] NOT NULL DEFAULT '{}',
    UNIQUE (issuer, client_id, deployment_id, resource_link_id)
);

-- The learners who launched a link: whose points go to its line item, and
-- the LMS's id for them there.
CREATE TABLE lti_link_learners (
    link_id bigint NOT NULL REFERENCES lti_links (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject text NOT NULL,
    PRIMARY KEY (link_id, user_id)
);

-- The outbox of scores: one row per link and learner, holding the points
-- the LMS should have. `version` counts changes; the row is pending while
-- `sent_version` lags it, so a later score supersedes an unsent one and a
-- send that raced a change is sent again.
CREATE TABLE lti_scores (
    link_id         bigint NOT NULL REFERENCES lti_links (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points          integer NOT NULL,
    scored_at       timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    sent_version    integer NOT NULL DEFAULT 0,
    sent_at         timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    -- Which lease: a sender whose lease ran out records nothing.
    lease           uuid,
    -- The LMS's last refusal or the failure seen, for the course's staff.
    last_error      text,
    PRIMARY KEY (link_id, user_id)
);
CREATE INDEX lti_scores_pending ON lti_scores (next_attempt_at) WHERE sent_version < version;

-- The one owner of "the points changed, so the LMS must hear": called in
-- the transaction that changed them (a completion's insert or its points'
-- update), and when a learner first launches a link of an assignment they
-- already passed.
CREATE FUNCTION lti_score_changed(learner uuid, assignment integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO lti_scores (link_id, user_id, points, scored_at)
    SELECT l.id, ll.user_id, c.points, now()
    FROM lti_link_learners ll
    JOIN lti_links l ON l.id = ll.link_id
    JOIN completions c ON c.user_id = ll.user_id AND c.assignment_id = l.assignment_id
    WHERE ll.user_id = learner AND l.assignment_id = assignment
      -- Only links whose launch offered the grade service's scores.
      AND 'https://purl.imsglobal.org/spec/lti-ags/scope/score' = ANY (l.scopes)
      AND (l.lineitem_url IS NOT NULL OR l.lineitems_url IS NOT NULL)
    ON CONFLICT (link_id, user_id) DO UPDATE
        SET points = EXCLUDED.points, scored_at = EXCLUDED.scored_at,
            version = lti_scores.version + 1, attempts = 0,
            next_attempt_at = now(), last_error = NULL
        WHERE lti_scores.points IS DISTINCT FROM EXCLUDED.points;
$$;

CREATE FUNCTION lti_on_completion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lti_score_changed(NEW.user_id, NEW.assignment_id);
    RETURN NULL;
END $$;
CREATE TRIGGER lti_completion_inserted AFTER INSERT ON completions
    FOR EACH ROW EXECUTE FUNCTION lti_on_completion();
CREATE TRIGGER lti_completion_points AFTER UPDATE OF points ON completions
    FOR EACH ROW WHEN (OLD.points IS DISTINCT FROM NEW.points)
    EXECUTE FUNCTION lti_on_completion();

CREATE FUNCTION lti_on_link_learner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lti_score_changed(NEW.user_id, (SELECT assignment_id FROM lti_links WHERE id = NEW.link_id));
    RETURN NULL;
END $$;
CREATE TRIGGER lti_link_learner_added AFTER INSERT ON lti_link_learners
    FOR EACH ROW EXECUTE FUNCTION lti_on_link_learner();

-- A deep-linking request in progress: an instructor picks, once.
CREATE TABLE lti_deep_links (
    id            text PRIMARY KEY,
    issuer        text NOT NULL,
    client_id     text NOT NULL,
    deployment_id text NOT NULL,
    course_id     integer NOT NULL REFERENCES courses (id),
    return_url    text NOT NULL,
    data          jsonb,
    -- Whether the platform takes a line item with the link (it offers AGS).
    line_items    boolean NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
