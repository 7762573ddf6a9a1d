// The staff pages: sign-in, the live class view, the gradebook, one
// submission, one learner (`learner.js`), and the course's versions and
// regrades (`course.js`). Everything a learner wrote (names, numbers, code, output,
// messages) reaches the page as text nodes only, never as HTML: `el`
// (dom.js) is the one way this page builds elements, and it never parses markup.
//
// The staff token lives in sessionStorage: it is gone when the tab closes,
// it expires after its TTL (8 h by default), and the CSP lets no script but
// the site's own run, so a learner's text cannot read it.

import { ApiError, request } from './api.js';
import { showCourse } from './course.js';
import { showLearner } from './learner.js';
import { el, pageLink } from './dom.js';
import { renderGradebook, wireGradebook } from './gradebook.js';
import { listingQuery, showHistory, submissionRow } from './history.js';
import { gatewayUrl, Live } from './live.js';
import { renderFeedback } from './result.js';
import { verdictText } from './verdicts.js';

const SESSION_KEY = 'codeplatform.staff';
/** Live events arrive in bursts; the snapshot (a few hundred ms of Postgres
 * at 1,000 learners) is re-read at most once a second. */
const REFRESH_MS = 1000;
const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  /** The class snapshot last read (GET /api/courses/{c}/class). */
  snapshot: null,
  /** Submissions in the feed by id, from the snapshot and the socket. */
  feed: new Map(),
  names: new Map(),
  titles: new Map(),
  live: null,
  refreshTimer: null,
};

function say(message) {
  $('message').textContent = message ?? '';
  $('message').hidden = !message;
}

function learnerName(userId, displayName) {
  return displayName || state.names.get(userId) || `learner ${userId.slice(0, 8)}`;
}

function title(assignmentId) {
  return state.titles.get(assignmentId) ?? `assignment ${assignmentId}`;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

// --- session ---------------------------------------------------------------

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    return s && Date.parse(s.expires_at) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

async function signIn(event) {
  event.preventDefault();
  say(null);
  try {
    const session = await request('/api/staff/sessions', {
      method: 'POST',
      body: { username: $('username').value.trim(), password: $('password').value },
    });
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    $('password').value = '';
    start(session);
  } catch (e) {
    say(e.message);
  }
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  location.hash = '';
  location.reload();
}

/** A GET as the signed-in member of staff; a 401 means the sign-in ended. */
function call(path) {
  return asStaff(path, {});
}

/** A POST (or `method`) of `body` (JSON), as [`call`]. */
function send(path, body, method = 'POST') {
  return asStaff(path, { method, body });
}

async function asStaff(path, options) {
  try {
    return await request(path, { ...options, bearer: state.session.token });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      sessionStorage.removeItem(SESSION_KEY);
      showSignIn('Your sign-in has ended; sign in again.');
    }
    throw e;
  }
}

function showSignIn(message) {
  for (const v of document.querySelectorAll('.view')) v.hidden = true;
  $('tabs').hidden = true;
  $('sign-in').hidden = false;
  say(message);
  $('username').focus();
}

function start(session) {
  state.session = session;
  $('sign-in').hidden = true;
  $('tabs').hidden = false;
  $('who').textContent = `${session.role} · ${session.course}`;
  offerLms();
  route();
}

function route() {
  say(null);
  const hash = location.hash.slice(1);
  const [view, id] = hash.split('/');
  if (view === 'gradebook') showGradebook();
  else if (view === 'lms') showLms();
  else if (view === 'course') {
    showView('course');
    showCourse({ session: state.session, call, send, say });
  }
  else if (view === 'submission' && id) showSubmission(id);
  else if (view === 'learner' && id) {
    showView('learner');
    showLearner({ session: state.session, call, send, say, name: learnerName }, id);
  }
  else if (view === 'submissions') {
    showView('history');
    const [, learner = 'all', assignment = 'all'] = hash.split('/');
    showHistory({ session: state.session, call, say, name: learnerName }, learner, assignment);
  }
  else showClass();
}

function showView(id) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== id;
  for (const a of document.querySelectorAll('#tabs a')) {
    if (a.dataset.tab === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// --- the live class view ---------------------------------------------------

async function showClass() {
  showView('class');
  try {
    await refreshClass();
  } catch (e) {
    say(e.message);
    return;
  }
  startLive();
}

/** The assignment the class view's feed is narrowed to, or 'all'. */
function feedAssignment() {
  return $('feed-assignment').value || 'all';
}

async function refreshClass() {
  const query = listingQuery('all', feedAssignment());
  const snap = await call(`/api/courses/${encodeURIComponent(state.session.course)}/class?${query}`);
  state.snapshot = snap;
  for (const a of snap.assignments) state.titles.set(a.id, a.title);
  for (const r of [...snap.recent, ...snap.stuck]) {
    if (r.display_name) state.names.set(r.user_id, r.display_name);
  }
  state.feed = new Map(snap.recent.map((r) => [r.id, r]));
  const select = $('feed-assignment');
  if (select.options.length !== snap.assignments.length + 1) {
    const chosen = select.value;
    select.replaceChildren(el('option', { value: 'all' }, 'All assignments'),
      ...snap.assignments.map((a) => el('option', { value: String(a.id) }, a.title)));
    select.value = chosen || 'all';
  }
  renderClass();
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = null;
    try {
      await refreshClass();
    } catch (e) {
      say(e.message);
    }
  }, REFRESH_MS);
}

function renderClass() {
  const snap = state.snapshot;
  $('class-title').textContent = `Class · ${snap.course.title}`;
  $('class-assignments').replaceChildren(
    ...snap.assignments.map((a) =>
      el('tr', { className: 'assignment-row' },
        el('th', { scope: 'row' }, a.title),
        el('td', { className: 'tried' }, a.tried),
        el('td', { className: 'passed' }, a.passed),
        el('td', {}, a.median_attempts_to_pass === null ? '—' : a.median_attempts_to_pass.toFixed(1)),
        el('td', { className: 'mono' }, a.most_failed_test ?? '—'),
      )),
  );
  for (const [i, row] of [...$('class-assignments').rows].entries()) row.dataset.assignment = snap.assignments[i].id;
  $('stuck-title').textContent = `Stuck (${snap.stuck_after} or more failed in a row)`;
  $('stuck').replaceChildren(
    ...(snap.stuck.length === 0
      ? [el('li', { className: 'muted' }, 'Nobody is stuck.')]
      : snap.stuck.map((s) =>
        el('li', {},
          el('strong', {}, learnerName(s.user_id, s.display_name)),
          s.student_number ? ` (${s.student_number})` : '',
          ` · ${title(s.assignment_id)}: ${s.failed} failed in a row, last ${when(s.last_failed_at)}`))),
  );
  renderFeed();
}

function renderFeed() {
  const rows = [...state.feed.values()]
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .slice(0, 50);
  $('feed').replaceChildren(...rows.map((r) => submissionRow(r, { name: learnerName, title })));
  $('feed-older').href = pageLink(`submissions/all/${feedAssignment()}`);
}

/** A submission the course topic brought: shown at once, counts re-read. */
function arrived(message) {
  const s = message.submission;
  const only = feedAssignment();
  if (only !== 'all' && String(s.assignment_id) !== only) {
    scheduleRefresh();
    return;
  }
  state.feed.set(s.id, {
    id: s.id,
    user_id: message.user_id,
    display_name: null,
    assignment_id: s.assignment_id,
    status: s.status,
    verdict: s.verdict,
    late: s.late,
    created_at: s.created_at,
    graded_at: s.graded_at,
  });
  if (!$('class').hidden) renderFeed();
  scheduleRefresh();
}

function startLive() {
  if (state.live) return;
  state.live = new Live({
    url: gatewayUrl(state.session.token, { course: state.snapshot.course.id }),
    onMessage: (m) => {
      if (m.type === 'class') arrived(m);
      if (m.type === 'course_version') {
        say(`Version ${m.version} ${m.status === 'rejected' ? 'was rejected' : m.current ? 'is served now' : 'passed its check'}.`);
        if (!$('course').hidden) route();
      }
    },
    onResync: () => scheduleRefresh(),
    onState: (s) => {
      // The gateway closes a staff socket when its token expires: then the
      // page asks for a new sign-in rather than reconnect in vain.
      if (s !== 'live' && Date.parse(state.session.expires_at) <= Date.now()) {
        state.live.stop();
        state.live = null;
        sessionStorage.removeItem(SESSION_KEY);
        showSignIn('Your sign-in has ended; sign in again.');
        return;
      }
      const c = $('connection');
      c.hidden = false;
      c.dataset.state = s;
      c.textContent = s === 'live' ? 'live' : 'reconnecting…';
    },
  });
  state.live.start();
}

// --- the gradebook ---------------------------------------------------------

async function showGradebook() {
  showView('gradebook');
  let book;
  try {
    book = await call(`/api/courses/${encodeURIComponent(state.session.course)}/gradebook`);
  } catch (e) {
    say(e.message);
    return;
  }
  for (const a of book.assignments) state.titles.set(a.id, a.title);
  renderGradebook(book, learnerName);
}

async function downloadCsv() {
  const course = state.session.course;
  try {
    const res = await fetch(`/api/courses/${encodeURIComponent(course)}/gradebook.csv`, {
      headers: { Authorization: `Bearer ${state.session.token}` },
    });
    if (!res.ok) throw new Error(`The server answered ${res.status}.`);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: `${course}-gradebook.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    say(e.message);
  }
}

// --- one submission --------------------------------------------------------

async function showSubmission(id) {
  showView('submission');
  let r;
  try {
    r = await call(`/api/courses/${encodeURIComponent(state.session.course)}/submissions/${encodeURIComponent(id)}`);
  } catch (e) {
    say(e.message);
    return;
  }
  const s = r.submission;
  const fb = s.feedback ?? { summary: '', tests: [], stdout: '', stderr: '' };
  const fact = (term, value) => [el('dt', {}, term), el('dd', {}, value)];
  $('submission-facts').replaceChildren(
    ...fact('Learner', learnerName(r.user_id, r.display_name)),
    ...fact('Student number', r.student_number ?? '—'),
    ...fact('Assignment', title(s.assignment_id)),
    ...fact('Sent', when(s.created_at) + (s.late ? ' (late)' : '')),
    ...fact('Verdict', verdictText(s)),
  );
  $('submission-code').textContent = s.code;
  renderFeedback({
    summary: $('submission-summary'),
    tests: $('submission-tests'),
    hidden: $('submission-hidden'),
    output: $('submission-output'),
  }, { ...fb, tests: fb.tests.filter((t) => !t.hidden) }, { reader: 'staff', hidden: r.hidden_tests, none: 'None.' });
}

// --- LMS grades (LTI grade passback) ----------------------------------------

function lmsPath() {
  return `/api/courses/${encodeURIComponent(state.session.course)}/lti/scores`;
}

/** The tab shows only where the server is an LTI tool (else 404). */
async function offerLms() {
  try {
    await call(lmsPath());
    $('lms-tab').hidden = false;
  } catch {
    $('lms-tab').hidden = true;
  }
}

async function showLms() {
  showView('lms');
  let owed;
  try {
    owed = await call(lmsPath());
  } catch (e) {
    say(e.message);
    return;
  }
  $('lms-summary').textContent =
    `${owed.sent} sent · ${owed.pending} waiting · ${owed.failing} failing (each is tried again, longer apart)`;
  $('lms-waiting').replaceChildren(
    ...owed.waiting.map((d) =>
      el('tr', { className: `delivery ${d.state}` },
        el('th', { scope: 'row' }, learnerName(d.user_id, d.display_name)),
        el('td', {}, d.title),
        el('td', {}, d.points),
        el('td', {}, d.state),
        el('td', {}, d.attempts),
        el('td', {}, when(d.next_attempt_at)),
        el('td', { className: 'lms-answer' }, d.last_error ?? ''))),
  );
}

// --- start -----------------------------------------------------------------

function main() {
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut());
  $('csv').addEventListener('click', downloadCsv);
  $('feed-assignment').addEventListener('change', () => refreshClass().catch((e) => say(e.message)));
  wireGradebook();
  window.addEventListener('hashchange', () => state.session && route());
  const session = loadSession();
  if (session) start(session);
  else showSignIn();
}

main();
