-- Where each account has signed in from (programming-api/src/sign_in.rs):
-- failures for a username bar only addresses and browsers it has not signed
-- in from, so strangers cannot lock its owner out. Keyed by account id, not
-- by staff row, so learner accounts follow the same rule.
CREATE TABLE known_sign_ins (
    account_id uuid NOT NULL,
    address    inet NOT NULL,
    last_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, address)
);
