-- What a learner hands in for an assignment: code typed in the page's
-- editor, or a Jupyter notebook (common/src/notebook.rs). A notebook
-- submission's `code` is the notebook's JSON, checked and without outputs.
ALTER TABLE assignments ADD COLUMN kind text NOT NULL DEFAULT 'code'
    CHECK (kind IN ('code', 'notebook'));
