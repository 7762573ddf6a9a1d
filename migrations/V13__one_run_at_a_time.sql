-- One unfinished practice run per learner, as one submission in flight: a
-- learner (or a script under one token) cannot fill the runs' queue.
CREATE UNIQUE INDEX runs_one_unfinished ON runs (user_id) WHERE status <> 'done';
