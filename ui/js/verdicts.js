// How each verdict reads, on the learner's page and on the staff pages.

export const VERDICT_TEXT = {
  passed: '✔ Passed',
  wrong_answer: '✘ Wrong answer',
  syntax_error: '✘ Syntax error',
  runtime_error: '✘ Runtime error',
  time_limit: '⏱ Time limit exceeded',
  memory_limit: '✘ Memory limit exceeded',
  output_limit: '✘ Too much output',
  internal_error: '⚠ Could not be graded',
};

/** A submission's state in a few words: its verdict, or where it waits. */
export function verdictText(s) {
  if (s.verdict) return VERDICT_TEXT[s.verdict] ?? s.verdict;
  return s.status === 'grading' ? '… grading' : '… queued';
}
