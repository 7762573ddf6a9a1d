// The staff pages' Course tab: the course's versions (each checked before
// it is served; one that passed may be served again) and regrades of an
// assignment, with their progress. Reasons are the instructor's own files'
// messages: text nodes only, as everywhere on these pages (`el`).

import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
/** How often a regrade's progress is asked for while it runs. */
const PROGRESS_MS = 1000;

let progressTimer = null;

/**
 * Shows the tab. `staff` holds the signed-in session and the page's
 * `call(path)` (GET) and `send(path, body)` (POST) and `say(message)`.
 */
export async function showCourse(staff) {
  const course = encodeURIComponent(staff.session.course);
  const instructor = staff.session.role === 'instructor';
  $('regrade-form').hidden = !instructor;
  try {
    await Promise.all([showVersions(staff, course, instructor), offerAssignments(staff, course)]);
  } catch (e) {
    staff.say(e.message);
  }
  $('regrade-form').onsubmit = (event) => startRegrade(event, staff, course);
}

async function showVersions(staff, course, instructor) {
  const versions = await staff.call(`/api/courses/${course}/versions`);
  $('versions').replaceChildren(
    ...versions.map((v) => {
      const state = v.current ? 'served now' : v.status === 'live' ? 'passed its check' : v.status;
      const serve = instructor && v.status === 'live' && !v.current
        ? el('button', {
          type: 'button',
          className: 'secondary',
          onclick: () => serveAgain(staff, course, v.version),
        }, `Serve version ${v.version}`)
        : null;
      return el('tr', { className: `version ${v.status}` },
        el('th', { scope: 'row' }, v.version === 1 ? '1 (the image\u2019s)' : v.version),
        el('td', {}, state),
        el('td', {}, new Date(v.created_at).toLocaleString()),
        el('td', {}, v.reasons.length ? el('ul', { className: 'plain' }, ...v.reasons.map((r) => el('li', {}, r))) : ''),
        el('td', {}, serve));
    }),
  );
}

async function serveAgain(staff, course, version) {
  try {
    await staff.send(`/api/courses/${course}/versions/${version}/live`);
    staff.say(`Version ${version} is served now.`);
    await showVersions(staff, course, true);
  } catch (e) {
    staff.say(e.message);
  }
}

async function offerAssignments(staff, course) {
  const assignments = await staff.call(`/api/courses/${course}/assignments`);
  $('regrade-assignment').replaceChildren(
    ...assignments.map((a) => el('option', { value: a.slug }, `${a.position}. ${a.title}`)),
  );
}

async function startRegrade(event, staff, course) {
  event.preventDefault();
  const form = event.target;
  const slug = $('regrade-assignment').value;
  const body = { scope: form.elements.scope.value, points: form.elements.points.value };
  let started;
  try {
    started = await staff.send(`/api/courses/${course}/assignments/${encodeURIComponent(slug)}/regrade`, body);
  } catch (e) {
    staff.say(e.message);
    return;
  }
  followRegrade(staff, `/api/courses/${course}/assignments/${encodeURIComponent(slug)}/regrades/${started.regrade}`);
}

function followRegrade(staff, path) {
  clearTimeout(progressTimer);
  const ask = async () => {
    let p;
    try {
      p = await staff.call(path);
    } catch (e) {
      staff.say(e.message);
      return;
    }
    const done = p.done >= p.total;
    $('regrade-progress').textContent =
      `Regrade against version ${p.course_version}: ${p.done} of ${p.total} submissions judged again`
      + ` · ${p.changed} changed verdict · ${p.points_changed} learners' points changed`
      + (done ? ' · done' : '');
    if (!done) progressTimer = setTimeout(ask, PROGRESS_MS);
  };
  ask();
}
