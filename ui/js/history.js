// The staff pages' lists of submissions: the class view's live feed and
// the page of one learner's and/or one assignment's submissions
// (`#submissions/<learner|all>/<assignment|all>`, where a gradebook cell
// leads), read 50 at a time from the class view's API, older pages on
// demand.

import { el, pageLink } from './dom.js';
import { verdictText } from './verdicts.js';

const $ = (id) => document.getElementById(id);

/**
 * One submission's row: when, whose, which assignment, and its verdict
 * linking to it. `names` holds `name(userId, displayName)` and `title(id)`.
 */
export function submissionRow(r, names) {
  const tr = el('tr', { className: 'feed-row' },
    el('td', {}, new Date(r.created_at).toLocaleString()),
    el('td', {}, names.name(r.user_id, r.display_name)),
    el('td', {}, names.title(r.assignment_id)),
    el('td', { className: `verdict ${r.status}` },
      el('a', { href: pageLink(`submission/${r.id}`) }, verdictText(r) + (r.late ? ' (late)' : ''))),
  );
  tr.dataset.submission = r.id;
  return tr;
}

/** The class view's query for a learner and an assignment ('all' for any). */
export function listingQuery(learner, assignment, before = null) {
  const q = new URLSearchParams();
  if (learner && learner !== 'all') q.set('learner', learner);
  if (assignment && assignment !== 'all') q.set('assignment', assignment);
  if (before) q.set('before', before);
  return q.toString();
}

/**
 * Shows the submissions of `learner` to `assignment` (either 'all'), newest
 * first. `staff` holds the session, `call(path)`, `say(message)` and
 * `name(id, displayName)`.
 */
export async function showHistory(staff, learner, assignment) {
  const course = `/api/courses/${encodeURIComponent(staff.session.course)}/class`;
  $('history-rows').replaceChildren();
  let first = true;
  const more = async (before) => {
    let page;
    try {
      page = await staff.call(`${course}?${listingQuery(learner, assignment, before)}`);
    } catch (e) {
      staff.say(e.message);
      return;
    }
    const titles = new Map(page.assignments.map((a) => [a.id, a.title]));
    const names = { name: staff.name, title: (id) => titles.get(id) ?? `assignment ${id}` };
    if (first) {
      first = false;
      const whose = page.recent[0];
      const who = learner === 'all' ? 'Everyone' : staff.name(learner, whose?.display_name);
      const what = assignment === 'all' ? 'every assignment' : names.title(Number(assignment));
      $('history-title').textContent = `Submissions · ${who} · ${what}`;
    }
    $('history-rows').append(...page.recent.map((r) => submissionRow(r, names)));
    if (page.recent.length === 0 && !before) {
      $('history-rows').append(el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'No submissions.')));
    }
    const older = $('history-older');
    older.hidden = !page.next_before;
    older.onclick = () => more(page.next_before);
  };
  await more(null);
}
