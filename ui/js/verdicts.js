// How each verdict reads, on the learner's page and on the staff pages: the
// verdict table (domain/src/verdict.rs), which the API serves as
// verdict-table.js and the grader and the terminal client read too.

import { VERDICTS } from './verdict-table.js';

export const VERDICT_TEXT = Object.fromEntries(VERDICTS.map((v) => [v.name, v.text]));

/** A submission's state in a few words: its verdict, or where it waits. */
export function verdictText(s) {
  if (s.verdict) return VERDICT_TEXT[s.verdict] ?? s.verdict;
  if (s.status === 'received') return '📥 received';
  return s.status === 'grading' ? '… grading' : '… queued';
}
