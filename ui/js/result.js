// One result, a submission's or a practice run's, as the learner's page (its
// two panels) and the staff pages (one submission) show it: the summary, each
// test (passed, failed, or skipped by the tests' author), a failure's call and
// values labelled, unittest's own message, and what the code printed.

import { el } from './dom.js';

const STATES = {
  passed: { className: 'pass', icon: '✔ ' },
  failed: { className: 'fail', icon: '✘ ' },
  skipped: { className: 'skip', icon: '– ' },
};

/**
 * Fills a result's parts from feedback `f` (null: empty): `parts` is
 * { summary, tests, output, outputBlock? } (elements). Where there is no
 * output block to hide, an empty output says so. `reader` is 'learner' or
 * 'staff': whose result the labels speak of. Staff also get the hidden
 * tests' list (`parts.hidden`), and `none` says so in an empty list.
 */
export function renderFeedback(parts, f, { reader = 'learner', hidden = [], none = null } = {}) {
  parts.summary.textContent = f?.summary ?? '';
  parts.tests.replaceChildren(...testItems(f?.tests ?? [], { reader, none }));
  if (parts.hidden) parts.hidden.replaceChildren(...testItems(hidden, { reader, none }));
  const output = [f?.stdout && `stdout:\n${f.stdout}`, f?.stderr && `stderr:\n${f.stderr}`].filter(Boolean).join('\n\n');
  if (parts.outputBlock) {
    parts.output.textContent = output;
    parts.outputBlock.hidden = !output;
  } else {
    parts.output.textContent = output || '(no output)';
  }
}

/** The list items of `tests`; with `none`, one item saying so for none. */
export function testItems(tests, { reader = 'learner', none = null } = {}) {
  if (tests.length === 0 && none) return [el('li', { className: 'muted' }, none)];
  return tests.map((t) => {
    const state = t.skipped ? 'skipped' : t.passed ? 'passed' : 'failed';
    const { className, icon } = STATES[state];
    // The docstring's line where the test has one, else its method name.
    const li = el('li', { className },
      el('span', { className: 'icon' }, icon),
      el('span', { className: 'name' }, `${t.title ?? t.name} — ${state}`),
      t.title ? el('span', { className: 'method' }, ` (${t.name})`) : null);
    if (t.detail) li.append(failure(t.detail, reader));
    if (t.message) {
      // With the values labelled above, unittest's own wording is there for who wants it.
      li.append(t.detail?.expected != null
        ? el('details', { className: 'message-more' }, el('summary', {}, 'unittest’s message'), el('pre', {}, t.message))
        : el('pre', {}, t.message));
    }
    return li;
  });
}

/** A failed test's call and values, labelled. */
function failure(d, reader) {
  const rows = [
    ['Call', d.call],
    ['Expected', d.expected],
    [reader === 'staff' ? 'Their result' : 'Your result', d.actual],
    ['It printed', d.printed],
  ];
  return el('dl', { className: 'facts failure' },
    ...rows.filter(([, v]) => v != null).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { className: 'mono' }, v)]));
}
