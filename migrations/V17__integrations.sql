-- The signed integration API (programming-api/src/integrations/): another
-- system submits its users' work; its learners are external_learners with
-- source 'integration:<name>'.

-- Each request token's jti, kept until the token would have expired: a
-- second use is refused.
CREATE TABLE integration_jtis (
    integration text NOT NULL,
    jti         text NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (integration, jti)
);
CREATE INDEX integration_jtis_by_expiry ON integration_jtis (expires_at);

-- The outbox of verdicts to post to an integration's callback: a row per
-- submission of one of its learners, written in the transaction that gave
-- the submission its verdict.
CREATE TABLE integration_callbacks (
    submission_id   uuid PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    integration     text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    sent_at         timestamptz,
    last_error      text
);
CREATE INDEX integration_callbacks_due ON integration_callbacks (next_attempt_at)
    WHERE sent_at IS NULL;

CREATE FUNCTION integration_on_verdict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO integration_callbacks (submission_id, integration)
    SELECT NEW.id, substr(x.source, length('integration:') + 1)
    FROM external_learners x
    WHERE x.user_id = NEW.user_id AND x.source LIKE 'integration:%'
    ON CONFLICT (submission_id) DO NOTHING;
    RETURN NULL;
END $$;
-- A verdict given at once (reused) or by a grader.
CREATE TRIGGER integration_verdict AFTER INSERT OR UPDATE OF status ON submissions
    FOR EACH ROW WHEN (NEW.status IN ('passed', 'failed', 'error'))
    EXECUTE FUNCTION integration_on_verdict();
