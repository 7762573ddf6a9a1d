// The learner's page's state: what it shows and what it waits for. One
// object, read and changed by app.js; the modules it uses (api, live, editor,
// result) keep none of the page's state.

export const POLL_MS = 2000;
export const DRAFT_KEY = (id) => `codeplatform.draft.${id}`;

export const state = {
  me: null,
  course: [],
  assignment: null,
  /** The submission shown in the result panel. */
  shown: null,
  /** The practice run shown in the run panel. */
  run: null,
  runTimer: null,
  /** The editor: { value, focus(), setLanguage() } over CodeMirror or the textarea. */
  editor: null,
  live: null,
  pollTimer: null,
};

export function inFlight(s) {
  return s && (s.status === 'queued' || s.status === 'grading');
}
