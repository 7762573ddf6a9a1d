// The staff pages' page of one learner: their points and each assignment's
// standing, with the instructor's controls: an extension of the due date
// (an assignment that has one) and manual points with a reason. Read from
// the gradebook, the extensions and the overrides; the learner's own text
// reaches the page as text only (`el`).

import { el, pageLink } from './dom.js';

const $ = (id) => document.getElementById(id);

/**
 * Shows learner `userId`. `staff` holds the session, `call(path)`,
 * `send(path, body, method)`, `say(message)` and `name(id, displayName)`.
 */
export async function showLearner(staff, userId) {
  const course = `/api/courses/${encodeURIComponent(staff.session.course)}`;
  let book;
  let extensions;
  let overrides;
  try {
    [book, extensions, overrides] = await Promise.all([
      staff.call(`${course}/gradebook`),
      staff.call(`${course}/extensions`),
      staff.call(`${course}/overrides`),
    ]);
  } catch (e) {
    staff.say(e.message);
    return;
  }
  const learner = book.learners.find((l) => l.user_id === userId);
  if (!learner) {
    staff.say('This learner is not in the course.');
    return;
  }
  const mine = (list) => new Map(list.filter((x) => x.user_id === userId).map((x) => [x.assignment_id, x]));
  const [extended, overridden] = [mine(extensions), mine(overrides)];
  const instructor = staff.session.role === 'instructor';
  const again = () => showLearner(staff, userId);
  $('learner-title').textContent = staff.name(learner.user_id, learner.display_name);
  $('learner-facts').replaceChildren(
    el('dt', {}, 'Student number'), el('dd', {}, learner.student_number ?? '—'),
    el('dt', {}, 'Points'), el('dd', { id: 'learner-points' }, learner.points),
    el('dt', {}, 'Work'), el('dd', {}, el('a', { href: pageLink(`submissions/${userId}/all`) }, 'All their submissions')),
  );
  $('learner-assignments').replaceChildren(
    ...book.assignments.map((a, i) => {
      const cell = learner.cells[i];
      const path = `/${userId}/${a.id}`;
      const act = async (what, method, body) => {
        try {
          await staff.send(`${course}/${what}${path}`, body, method);
          await again();
        } catch (e) {
          staff.say(e.message);
        }
      };
      const row = el('tr', { className: 'learner-assignment' },
        el('th', { scope: 'row' }, a.title),
        el('td', {}, cell.best_status ?? '—'),
        el('td', { className: 'points' }, cell.points ?? 0),
        el('td', {}, cell.attempts),
        el('td', {}, dueCell(a, extended.get(a.id), instructor ? act : null)),
        el('td', {}, overrideCell(overridden.get(a.id), instructor ? act : null)));
      row.dataset.assignment = a.slug;
      return row;
    }),
  );
}

/** The due date, the learner's own if extended, and the control. */
function dueCell(a, extension, act) {
  if (!a.due_at) return 'no due date';
  const due = new Date((extension ?? a).due_at);
  const shown = el('span', {}, `${due.toLocaleString()}${extension ? ' (extended)' : ''}`);
  if (!act) return shown;
  const input = el('input', { type: 'datetime-local', className: 'extend-to', ariaLabel: `New due date for ${a.title}` });
  const form = el('form', {
    className: 'extend',
    onsubmit: (e) => {
      e.preventDefault();
      act('extensions', 'PUT', { due_at: new Date(input.value).toISOString() });
    },
  }, input, el('button', { type: 'submit', className: 'secondary' }, 'Extend'));
  const remove = extension
    ? el('button', { type: 'button', className: 'secondary', onclick: () => act('extensions', 'DELETE') }, 'Remove extension')
    : null;
  return el('div', {}, shown, form, remove);
}

/** The manual points, if any, with their reason, and the control. */
function overrideCell(override, act) {
  const shown = override ? el('p', { className: 'override' }, `Set to ${override.points}: ${override.reason}`) : null;
  if (!act) return shown ?? '';
  const points = el('input', { type: 'number', min: 0, max: 100, required: true, className: 'override-points', ariaLabel: 'Points' });
  const reason = el('input', { type: 'text', maxLength: 500, required: true, className: 'override-reason', ariaLabel: 'Reason the learner reads' });
  const form = el('form', {
    className: 'override-form',
    onsubmit: (e) => {
      e.preventDefault();
      act('overrides', 'PUT', { points: Number(points.value), reason: reason.value });
    },
  }, points, reason, el('button', { type: 'submit', className: 'secondary' }, 'Set points'));
  const remove = override
    ? el('button', { type: 'button', className: 'secondary', onclick: () => act('overrides', 'DELETE') }, 'Remove')
    : null;
  return el('div', {}, shown, form, remove);
}
