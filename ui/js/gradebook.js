// The staff pages' gradebook: one row per learner, sorted by any column,
// searched by name or student number and filtered to who has a name, keeps
// an account or has submitted (a load test's anonymous learners have none
// of these). Rows are built once per read; sorting and filtering only move
// them, and the table shows PAGE rows at a time ("Show more" adds the next),
// its columns of fixed widths, so a class of a thousand sorts at once
// (scripts/bench-gradebook-page.sh). Each cell links to that learner's
// submissions to that assignment (`#submissions/<learner>/<id>`).

import { el, pageLink } from './dom.js';

const $ = (id) => document.getElementById(id);

/** How good a cell's best status is, for sorting: a pass first. */
const STATUS_RANK = { passed: 0, failed: 1, error: 2, grading: 3, queued: 4 };

const FILTERS = {
  all: () => true,
  named: (l) => Boolean(l.display_name),
  account: (l) => l.account,
  submitted: (l) => l.cells.some((c) => c.attempts > 0),
};

/** Rows the table shows at first, and adds at each "Show more". */
const PAGE = 200;

let book = null;
let rows = [];
let sort = { key: 'name', dir: 1 };
let limit = PAGE;

/**
 * Shows `data` (the gradebook's JSON). `name(id, displayName)` is how the
 * staff pages name a learner.
 */
export function renderGradebook(data, name) {
  book = data;
  const sortButton = (key, label, rem) => {
    const th = el('th', { scope: 'col' },
      el('button', { type: 'button', className: 'sort', onclick: () => sortBy(key) }, label));
    th.dataset.key = key;
    th.style.width = `${rem}rem`;
    return th;
  };
  $('book-head').replaceChildren(
    el('tr', {},
      sortButton('name', 'Learner', WIDTH_REM.name),
      sortButton('number', 'Student number', WIDTH_REM.number),
      sortButton('points', 'Points', WIDTH_REM.points),
      ...data.assignments.map((a, i) => sortButton(`a${i}`, a.title, WIDTH_REM.cell))),
  );
  rows = data.learners.map((l) => {
    const shown = name(l.user_id, l.display_name);
    const tr = el('tr', { className: 'learner-row' },
      el('th', { scope: 'row' }, el('a', { href: pageLink(`learner/${l.user_id}`) }, shown)),
      el('td', {}, l.student_number ?? ''),
      el('td', { className: 'points' }, l.points),
      ...l.cells.map((c) => el('td', { className: `cell ${c.best_status ?? 'none'}` },
        c.attempts > 0
          ? el('a', { href: pageLink(`submissions/${l.user_id}/${c.assignment_id}`) }, cellText(c))
          : '')));
    tr.dataset.user = l.user_id;
    const search = `${shown}\n${l.student_number ?? ''}`.toLowerCase();
    return { learner: l, tr, shown: shown.toLowerCase(), search };
  });
  // Fixed column widths (the table's is their sum): laying out a thousand
  // rows then measures no cell.
  const { name: n, number, points, cell } = WIDTH_REM;
  $('book-head').closest('table').style.width = `${n + number + points + cell * data.assignments.length}rem`;
  limit = PAGE;
  apply();
}

/** Each column's width, in rem. */
const WIDTH_REM = { name: 12, number: 8, points: 5, cell: 8 };

function cellText(c) {
  if (!c.best_status) return `${c.attempts}×`;
  const late = c.late ? ' late' : '';
  if (c.best_status === 'passed') return `✔ ${c.points}${late} · ${c.attempts}×`;
  return `${c.best_status} · ${c.attempts}×`;
}

/** Sorts by `key`; the same key again turns the order round. */
function sortBy(key) {
  sort = { key, dir: sort.key === key ? -sort.dir : 1 };
  limit = PAGE;
  apply();
}

function compare(a, b) {
  const { key } = sort;
  if (key === 'name') return a.shown.localeCompare(b.shown);
  if (key === 'number') return (a.learner.student_number ?? '').localeCompare(b.learner.student_number ?? '');
  if (key === 'points') return a.learner.points - b.learner.points;
  const i = Number(key.slice(1));
  const [x, y] = [a.learner.cells[i], b.learner.cells[i]];
  return (x.points - y.points)
    || ((STATUS_RANK[y.best_status] ?? 9) - (STATUS_RANK[x.best_status] ?? 9))
    || (y.attempts - x.attempts);
}

/** Shows the rows the search and filter keep, in the chosen order. */
export function apply() {
  if (!book) return;
  const query = $('book-search').value.trim().toLowerCase();
  const keep = FILTERS[$('book-filter').value] ?? FILTERS.all;
  const shown = rows
    .filter((r) => keep(r.learner) && (!query || r.search.includes(query)))
    .sort((a, b) => sort.dir * compare(a, b) || a.shown.localeCompare(b.shown));
  $('book-body').replaceChildren(...shown.slice(0, limit).map((r) => r.tr));
  const more = $('book-more');
  more.hidden = shown.length <= limit;
  more.textContent = `Show ${Math.min(PAGE, shown.length - limit)} more (${Math.min(limit, shown.length)} of ${shown.length} shown)`;
  for (const th of $('book-head').querySelectorAll('th')) {
    if (th.dataset.key === sort.key) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
  $('book-count').textContent = `${shown.length} of ${rows.length} learners`;
}

/** Wires the search box and the filter (once, at start). */
export function wireGradebook() {
  const again = () => {
    limit = PAGE;
    apply();
  };
  $('book-search').addEventListener('input', again);
  $('book-filter').addEventListener('change', again);
  $('book-more').addEventListener('click', () => {
    limit += PAGE;
    apply();
  });
}
