// The learner's page: the course, the handout, the editor, and the verdict
// arriving live over the gateway's socket (polling while the socket is down).

import { api, ApiError, ensureLearner, forgetToken, keepToken, request, token } from './api.js';
import { attachEditor } from './editor.js';
import { gatewayUrl, Live } from './live.js';
import { renderFeedback as renderResult } from './result.js';
import { DRAFT_KEY, inFlight, POLL_MS, state } from './state.js';
import { VERDICT_TEXT } from './verdicts.js';

const $ = (id) => document.getElementById(id);

/** Shows `message` (null: none) right below the buttons, in view: a refusal
 * is read beside what caused it, never off-screen. */
function say(message) {
  const box = $('message');
  box.textContent = message ?? '';
  box.hidden = !message;
  if (message) box.scrollIntoView({ block: 'nearest' });
}

/** Marks `button` unavailable (or available again) without `disabled`,
 * which would drop the keyboard's focus to <body>: focus stays on it. */
function setBusy(button, busy) {
  if (busy) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

function isBusy(button) {
  return button.getAttribute('aria-disabled') === 'true';
}

async function main() {
  state.editor = attachEditor($('editor'), { onSubmit: submit, onChange: saveDraft, label: 'Your solution' });
  // To the editor without writing #… into the address, which names the open assignment.
  $('skip').addEventListener('click', (event) => {
    event.preventDefault();
    state.editor.focus();
  });
  $('submit').addEventListener('click', submit);
  $('run').addEventListener('click', runTests);
  $('reset').addEventListener('click', resetToStarter);
  $('next').addEventListener('click', () => goTo(nextAssignmentId()));
  // A learner's own move (Next, the course list, back): the new title takes
  // the focus, so it is announced and the keyboard starts from it.
  window.addEventListener('hashchange', () => {
    if (NARROW.matches) $('course-menu').open = false;
    openFromHash({ focus: true });
  });
  foldCourseMenu();
  NARROW.addEventListener('change', foldCourseMenu);
  try {
    // The learner and the course at once. A join-code course's list needs the
    // learner's token, which a first visit has only once the learner is made:
    // then it is asked again.
    const list = courseSlug() ? `/api/courses/${courseSlug()}/assignments` : '/api/assignments';
    const course = api(list);
    course.catch(() => {});
    state.me = await ensureLearner();
    state.course = await course.catch((e) => {
      if (e.status === 401) return api(list);
      throw e;
    });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'not_enrolled' && courseSlug()) askToJoin(courseSlug());
    else say(e.message);
    return;
  }
  renderCourse();
  showProfile();
  showAccount();
  startLive();
  if (!openFromHash()) goTo(firstUnsolvedId() ?? state.course[0]?.id, true);
}

/** The learner's name and number for their teachers (staff only see them). */
function showProfile() {
  $('display-name').value = state.me.display_name ?? '';
  $('student-number').value = state.me.student_number ?? '';
  $('profile').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = $('profile-status');
    try {
      const saved = await api('/api/me', {
        method: 'PATCH',
        body: { display_name: $('display-name').value.trim(), student_number: $('student-number').value.trim() },
      });
      state.me = { ...state.me, ...saved };
      status.textContent = 'Saved. Only your course staff see it.';
    } catch (e) {
      status.textContent = e.message;
    }
  });
}

/** Keeping one's progress under an account, signing in to it, signing
 * out. An LMS's learner signs in through the LMS: no box for them. */
function showAccount() {
  const box = $('account');
  if (state.me.external) return;
  box.hidden = false;
  const status = $('account-status');
  const render = () => {
    const kept = Boolean(state.me.username);
    $('account-anonymous').hidden = kept;
    $('account-kept').hidden = !kept;
    $('account-name').textContent = state.me.username ?? '';
    $('account-summary').textContent = kept ? `Your account: ${state.me.username}` : 'Keep your progress';
  };
  render();
  $('claim').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const account = await api('/api/me/account', {
        method: 'POST',
        body: { username: $('claim-username').value.trim(), password: $('claim-password').value },
      });
      $('claim-password').value = '';
      state.me = { ...state.me, username: account.username };
      render();
      status.textContent = 'Kept. Sign in with it in any browser, or with `codeplatform login --username`.';
      $('learner-sign-out').focus();
    } catch (e) {
      status.textContent = e.message;
    }
  });
  $('learner-sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const session = await request('/api/sessions', {
        method: 'POST',
        body: { username: $('sign-in-username').value.trim(), password: $('sign-in-password').value },
      });
      keepToken(session.token);
      location.reload();
    } catch (e) {
      $('sign-in-password').value = '';
      status.textContent = e.message;
    }
  });
  $('learner-sign-out').addEventListener('click', () => {
    // The next visit makes a new anonymous learner; the account stays.
    forgetToken();
    location.reload();
  });
}

/** A join-code course the learner is not in yet: the form for its code. */
function askToJoin(slug) {
  const form = $('join');
  form.hidden = false;
  document.querySelector('.assignment').hidden = true;
  document.querySelector('.workbench').hidden = true;
  $('join-code').focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    say(null);
    try {
      await api(`/api/courses/${slug}/join`, { method: 'POST', body: { code: $('join-code').value } });
      location.reload();
    } catch (e) {
      say(e.message);
    }
  });
}

/** The course this page is for: `/c/<course>`, or the default course at `/`. */
function courseSlug() {
  return location.pathname.match(/^\/c\/([a-z0-9-]+)\/?$/)?.[1] ?? null;
}

function firstUnsolvedId() {
  return state.course.find((a) => !(state.me?.completed ?? []).includes(a.id))?.id ?? null;
}

function startLive() {
  state.live = new Live({
    url: gatewayUrl(token()),
    onMessage: (m) => {
      if (m.type === 'submission' && state.shown && m.submission.id === state.shown.id) show(m.submission);
      if (m.type === 'run' && state.run && m.run.id === state.run.id) showRun(m.run);
    },
    onResync: () => {
      refreshShown();
      refreshRun();
    },
    onState: (s) => {
      const el = $('connection');
      el.dataset.state = s;
      el.textContent = s === 'live' ? 'live' : s === 'polling' ? 'offline — checking every 2 s' : 'connecting…';
      schedulePoll();
    },
  });
  state.live.start();
}

/** Polls the shown submission while it is in flight and the socket is down. */
function schedulePoll() {
  clearTimeout(state.pollTimer);
  // While queued the page asks for its place in the queue; once grading,
  // the socket brings the verdict (polling only while it is down).
  const queued = state.shown?.status === 'queued';
  if (!inFlight(state.shown) || (state.live?.isLive && !queued)) return;
  state.pollTimer = setTimeout(async () => {
    await refreshShown();
    schedulePoll();
  }, POLL_MS);
}

async function refreshShown() {
  if (!state.shown) return;
  try {
    const asked = state.shown;
    const { submission, ahead } = await api(`/api/submissions/${asked.id}`);
    // The socket may have brought something newer meanwhile.
    if (state.shown !== asked && (state.shown?.id !== submission.id || !inFlight(state.shown))) return;
    show(submission, { ahead });
  } catch (e) {
    if (e.code !== 'network') say(e.message);
  }
}

function goTo(id, replace = false) {
  if (id == null) return;
  const hash = `#/a/${id}`;
  if (replace || location.hash === hash) {
    history.replaceState(null, '', hash);
    openFromHash();
  } else {
    // The hashchange listener opens it.
    location.hash = hash;
  }
}

function openFromHash({ focus = false } = {}) {
  const m = location.hash.match(/^#\/a\/(\d+)$/);
  if (!m) return false;
  openAssignment(Number(m[1]), { focus });
  return true;
}

async function openAssignment(id, { focus = false } = {}) {
  say(null);
  let a;
  let mine;
  try {
    // The assignment and the learner's submissions to it at once.
    [a, mine] = await Promise.all([
      api(`/api/assignments/${id}`),
      api(`/api/assignments/${id}/submissions`).catch((e) => e),
    ]);
  } catch (e) {
    say(e.status === 404 ? 'That assignment does not exist.' : e.message);
    return;
  }
  state.assignment = a;
  document.title = `${a.title} · codeplatform`;
  $('assignment-title').textContent = `${a.position}. ${a.title}`;
  // Rendered and sanitised by the server.
  $('handout').innerHTML = a.handout_html;
  // The runner names the learner's file and its language.
  $('solution-file').textContent = a.solution_file;
  state.editor.setLanguage(a.language);
  showKind(a);
  if (a.kind !== 'notebook') state.editor.value = localStorage.getItem(DRAFT_KEY(a.id)) ?? a.starter_code;
  renderSchedule();
  renderCourse();
  hideResult();
  hideRun();
  if (focus) $('assignment-title').focus();
  // A reload mid-grading picks up the submission still in flight.
  if (mine instanceof Error) say(mine.message);
  else if (mine.length && state.assignment?.id === a.id) show(mine[0], { quiet: !inFlight(mine[0]) });
}

/** A phone folds the course list away; a wide screen always shows it. */
const NARROW = window.matchMedia('(max-width: 50rem)');

function foldCourseMenu() {
  $('course-menu').open = !NARROW.matches;
}

/** Changes of points the learner did not make (a regrade), each with why. */
function renderPointChanges() {
  const changes = state.me?.point_changes ?? [];
  $('point-changes').hidden = changes.length === 0;
  const titles = new Map(state.course.map((a) => [a.id, a.title]));
  $('point-changes-list').replaceChildren(
    ...changes.map((c) => {
      const li = document.createElement('li');
      const what = document.createElement('strong');
      what.textContent = `${titles.get(c.assignment_id) ?? 'An assignment'}: ${c.old_points} → ${c.new_points} points. `;
      li.append(what, c.reason);
      return li;
    }),
  );
}

function renderCourse() {
  renderPointChanges();
  const done = new Set(state.me?.completed ?? []);
  $('points').textContent = state.me?.points ?? 0;
  $('course-progress').textContent = `${state.course.filter((a) => done.has(a.id)).length} of ${state.course.length} done`;
  const list = $('course-list');
  list.replaceChildren(
    ...state.course.map((a) => {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#/a/${a.id}`;
      if (done.has(a.id)) li.className = 'done';
      if (state.assignment?.id === a.id) link.setAttribute('aria-current', 'page');
      const mark = document.createElement('span');
      mark.className = 'mark';
      mark.textContent = done.has(a.id) ? '✔' : '·';
      const label = document.createElement('span');
      label.textContent = `${a.position}. ${a.title}`;
      const sr = document.createElement('span');
      sr.className = 'skip';
      sr.textContent = done.has(a.id) ? ' (done)' : '';
      link.append(mark, label, sr);
      li.append(link);
      return li;
    }),
  );
}

const LATE_TEXT = {
  refuse: 'no submissions after that',
  mark: 'later ones are marked late',
};

/** When the open assignment takes submissions, and how many are left. */
function renderSchedule() {
  const a = state.assignment;
  if (!a) return;
  const when = (t) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const parts = [];
  if (a.opens_at && new Date(a.opens_at) > new Date()) parts.push(`Opens ${when(a.opens_at)}`);
  const extended = state.me?.extensions?.[a.id];
  const due = extended ?? a.due_at;
  if (due) {
    const late = a.late_policy === 'penalty'
      ? `later ones are marked late and a pass earns ${100 - a.late_penalty_pct} points`
      : LATE_TEXT[a.late_policy];
    parts.push(`Due ${when(due)}${extended ? ', your extension' : ''} (${late})`);
  }
  if (a.max_submissions != null) {
    const used = state.me?.attempts?.[a.id] ?? 0;
    parts.push(`${Math.max(a.max_submissions - used, 0)} of ${a.max_submissions} submissions left`);
  }
  $('schedule').textContent = parts.join(' · ');
  $('schedule').hidden = parts.length === 0;
}

let starterUrl = null;

/** A code assignment gets the editor; a notebook one the download and the upload. */
function showKind(a) {
  const notebook = a.kind === 'notebook';
  document.querySelector('.workbench').dataset.kind = notebook ? 'notebook' : 'code';
  $('notebook-panel').hidden = !notebook;
  $('reset').hidden = notebook;
  $('notebook-file').value = '';
  if (starterUrl) URL.revokeObjectURL(starterUrl);
  starterUrl = null;
  if (!notebook) return;
  // Laid out as Jupyter saves it, so it reads well if opened as text.
  let text = a.starter_code;
  try {
    text = JSON.stringify(JSON.parse(a.starter_code), null, 1);
  } catch {}
  starterUrl = URL.createObjectURL(new Blob([text], { type: 'application/x-ipynb+json' }));
  $('starter-download').href = starterUrl;
  $('starter-download').download = a.solution_file;
}

/** What is handed in: the editor's code, or the chosen notebook (its JSON,
 *  or its text when it is not JSON, so the server says what is wrong). */
async function handIn() {
  if (state.assignment?.kind !== 'notebook') {
    localStorage.setItem(DRAFT_KEY(state.assignment.id), state.editor.value);
    return { code: state.editor.value };
  }
  const file = $('notebook-file').files[0];
  if (!file) throw new ApiError(0, 'no_file', 'Choose your notebook (.ipynb) to upload first.');
  const text = await file.text();
  try {
    return { notebook: JSON.parse(text) };
  } catch {
    return { notebook: text };
  }
}

let saveTimer = null;
function saveDraft() {
  clearTimeout(saveTimer);
  const id = state.assignment?.id;
  if (id == null) return;
  saveTimer = setTimeout(() => localStorage.setItem(DRAFT_KEY(id), state.editor.value), 300);
}

function resetToStarter() {
  if (!state.assignment) return;
  // The panels were about code that is gone (a verdict still coming stays).
  hideRun();
  if (state.shown && !inFlight(state.shown)) hideResult();
  say(null);
  state.editor.value = state.assignment.starter_code;
  localStorage.removeItem(DRAFT_KEY(state.assignment.id));
  state.editor.focus();
}

async function submit() {
  if (!state.assignment || isBusy($('submit'))) return;
  say(null);
  // A new submission replaces the older test run's panel.
  hideRun();
  const button = $('submit');
  setBusy(button, true);
  let held = false;
  const wasDone = (state.me?.completed ?? []).includes(state.assignment.id);
  try {
    const { submission } = await api(`/api/assignments/${state.assignment.id}/submissions`, {
      method: 'POST',
      body: await handIn(),
    });
    state.wasDone = wasDone;
    show(submission);
    // One attempt fewer left.
    if (state.assignment.max_submissions != null) {
      state.me = await api('/api/me').catch(() => state.me);
      renderSchedule();
    }
    $('result').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'unknown_user') {
      // The server no longer knows this learner (its data was reset): start afresh.
      forgetToken();
      location.reload();
    } else if (e instanceof ApiError && e.code === 'already_grading') {
      say('You already have a submission waiting for its verdict. It is shown below; submit again once it is graded.');
      await openPending();
    } else if (e instanceof ApiError && BUSY_TEXT[e.code]) {
      held = true;
      holdSubmit(BUSY_TEXT[e.code], e.retryAfter ?? 10);
    } else {
      say(e.message);
    }
  } finally {
    if (!held) setBusy(button, false);
  }
}

/** What the page says when the server asks the learner to come back later. */
const BUSY_TEXT = {
  queue_full: 'The graders are busy with many submissions just now, so this one was not taken.',
  rate_limited: 'You have submitted many times in a short while.',
};

/** Keeps Submit off for the server's Retry-After, counting down on the button. */
function holdSubmit(why, seconds) {
  holdButton($('submit'), 'Submit', `${why} Your code is kept here; you can submit it again`, seconds);
}

/** Keeps `button` off for `seconds`, counting down on it and in the message. */
function holdButton(button, label, why, seconds) {
  const until = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      button.textContent = label;
      setBusy(button, false);
      say(null);
      return;
    }
    button.textContent = `${label} in ${left} s`;
    // Said once; the count goes on on the button, not into view each second.
    if (left === Math.ceil(seconds)) say(`${why} in ${left} s.`);
    else $('message').textContent = `${why} in ${left} s.`;
    setTimeout(tick, 1000);
  };
  setBusy(button, true);
  tick();
}

async function openPending() {
  const mine = await api(`/api/assignments/${state.assignment.id}/submissions`).catch(() => []);
  const pending = mine.find(inFlight);
  if (pending) show(pending);
}

function hideResult() {
  state.shown = null;
  $('result').hidden = true;
}

function show(s, { quiet = false, ahead = null } = {}) {
  const previous = state.shown;
  state.shown = s;
  const panel = $('result');
  panel.hidden = false;
  const f = s.feedback;
  if (inFlight(s)) {
    panel.dataset.tone = 'wait';
    $('status').textContent = s.status === 'grading' ? '⚙ Grading…' : queuedText(ahead);
    $('summary').textContent = '';
    $('tests').replaceChildren();
    $('output-block').hidden = true;
    $('next').hidden = true;
  } else if (s.status === 'received') {
    // Results held until the learner's due date (release = "after_due").
    panel.dataset.tone = 'wait';
    $('status').textContent = `📥 Received${s.late ? ' (late)' : ''}: results on ${new Date(s.held_until).toLocaleString()}`;
    renderFeedback('', s.feedback);
    $('next').hidden = true;
    if (previous?.id === s.id && inFlight(previous)) keepInView();
  } else {
    const passed = s.verdict === 'passed';
    panel.dataset.tone = passed ? 'pass' : 'fail';
    $('status').textContent = `${VERDICT_TEXT[s.verdict] ?? s.status}${s.late ? ' (late)' : ''}`;
    renderFeedback('', f);
    $('next').hidden = true;
    const justFinished = previous?.id === s.id && inFlight(previous);
    if (justFinished) keepInView();
    if (!quiet || justFinished || passed) onFinal(s, justFinished || !quiet);
  }
  schedulePoll();
}

/** A submission's or a run's feedback into the panel whose ids start with `prefix`. */
function renderFeedback(prefix, f) {
  const part = (name) => $(`${prefix}${name}`);
  renderResult({ summary: part('summary'), tests: part('tests'), output: part('output'), outputBlock: part('output-block') }, f);
}

/** Runs the visible tests on the editor's code: not a submission. */
async function runTests() {
  if (!state.assignment || isBusy($('run'))) return;
  say(null);
  // A new run replaces the older verdict's panel (one still waiting stays).
  if (state.shown && !inFlight(state.shown)) hideResult();
  const button = $('run');
  setBusy(button, true);
  let held = false;
  try {
    const { run } = await api(`/api/assignments/${state.assignment.id}/runs`, {
      method: 'POST',
      body: await handIn(),
    });
    showRun(run);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'rate_limited' || e.code === 'queue_full')) {
      held = true;
      holdButton(button, 'Run tests', RUN_BUSY_TEXT[e.code], e.retryAfter ?? 10);
    } else {
      say(e.message);
    }
  } finally {
    if (!held) setBusy(button, false);
  }
}

const RUN_BUSY_TEXT = {
  rate_limited: 'You have run the tests many times in a short while. You can run them again',
  queue_full: 'The graders are busy with many test runs just now. You can run the tests again',
};

function hideRun() {
  state.run = null;
  clearTimeout(state.runTimer);
  $('run-result').hidden = true;
}

function showRun(run) {
  if (state.assignment?.id !== run.assignment_id) return;
  state.run = run;
  const panel = $('run-result');
  panel.hidden = false;
  clearTimeout(state.runTimer);
  if (run.status !== 'done') {
    panel.dataset.tone = 'wait';
    $('run-status').textContent = run.status === 'running' ? '⚙ Running the visible tests…' : '⏳ Test run waiting for a grader…';
    renderFeedback('run-', null);
    // The socket brings the result; this is the fallback when it is down or missed it.
    state.runTimer = setTimeout(refreshRun, state.live?.isLive ? 4 * POLL_MS : POLL_MS);
    return;
  }
  panel.dataset.tone = run.verdict === 'passed' ? 'pass' : 'fail';
  const verdict = run.verdict === 'passed' ? '✔ The visible tests pass' : VERDICT_TEXT[run.verdict] ?? run.verdict;
  $('run-status').textContent = `Test run: ${verdict} (not submitted)`;
  renderFeedback('run-', run.feedback);
  panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

async function refreshRun() {
  const asked = state.run;
  if (!asked || asked.status === 'done') return;
  try {
    const { run } = await api(`/api/runs/${asked.id}`);
    if (state.run?.id === run.id && state.run.status !== 'done') showRun(run);
  } catch (e) {
    if (e.code === 'network') state.runTimer = setTimeout(refreshRun, POLL_MS);
    else say(e.message);
  }
}

function queuedText(ahead) {
  if (ahead == null) return '⏳ Queued — waiting for a grader…';
  if (ahead === 0) return '⏳ Queued — yours is next for a grader…';
  return `⏳ Queued — about ${ahead} ahead of yours…`;
}

/** The verdict and its first failing test (or Next) on screen, scrolling no further than needed. */
function keepInView() {
  const panel = $('result');
  const last = panel.querySelector('#tests .fail') ?? (!$('next').hidden ? $('next') : $('status'));
  panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  const bottom = last.getBoundingClientRect().bottom;
  if (bottom > window.innerHeight) window.scrollBy({ top: bottom - window.innerHeight + 16, behavior: 'smooth' });
}

async function onFinal(s, announce) {
  if (s.verdict !== 'passed') return;
  try {
    state.me = await api('/api/me');
  } catch {
    return;
  }
  renderCourse();
  if (state.assignment?.id !== s.assignment_id) return;
  const firstPass = announce && state.wasDone === false;
  state.wasDone = true;
  $('summary').textContent = `${s.feedback?.summary ?? ''}${firstPass ? '  +100 points!' : ''}`;
  const next = nextAssignmentId();
  $('next').hidden = next == null;
  if (announce) keepInView();
}

function nextAssignmentId() {
  const idx = state.course.findIndex((a) => a.id === state.assignment?.id);
  const after = state.course.slice(idx + 1).find((a) => !(state.me?.completed ?? []).includes(a.id));
  return after?.id ?? firstUnsolvedId();
}

main();
