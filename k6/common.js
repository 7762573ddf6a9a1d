// What the load scripts share: where the platform is, the course, a fresh
// learner, and a correct solution to the first assignment.
import http from 'k6/http';
import { check, fail } from 'k6';

export const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
export const WS = __ENV.WS_URL || 'ws://127.0.0.1:8081/ws';

// Passes courses/intro/01-greeting; callers prefix a unique comment so that
// every submission is graded for real instead of reusing an earlier verdict.
export const GREETING_SOLUTION = "def greet(name):\n    return f\"Hello, {name or 'world'}!\"\n";

// For setup(): every assignment id, and the greeting assignment's id.
export function loadCourse() {
  const res = http.get(`${BASE}/api/assignments`);
  if (res.status !== 200) fail(`course not readable: ${res.status}`);
  const course = res.json();
  if (course.length === 0) fail('the course is empty');
  const greeting = course.find((a) => a.slug === 'greeting') || course[0];
  // Code goes only to code assignments (a notebook one answers 422 wrong_kind).
  const code = course.filter((a) => (a.kind || 'code') === 'code');
  return { ids: code.map((a) => a.id), assignment: greeting.id };
}

// RECORD=1: one JSON line for each learner made and each submission accepted
// (with the status its code must end in), on k6's console; run k6 with
// `--log-format raw --console-output FILE`. The stack test's accounting
// (e2e's stack-check) holds Postgres and the API to what was sent.
const RECORD = __ENV.RECORD === '1';
const learnerOf = (token) => token.split('.')[0];

// A new learner's bearer token, or null when the platform refused one.
export function newLearner() {
  const res = http.post(`${BASE}/api/users`, null, { tags: { name: 'create_user' } });
  if (!check(res, { 'user 201': (r) => r.status === 201 })) return null;
  const { token } = res.json();
  if (RECORD) console.log(JSON.stringify({ learner: learnerOf(token) }));
  return token;
}

// Submits `code`, which must end `expect` ('passed' or 'failed').
export function submitCode(token, assignment, code, expect, tags = {}) {
  const res = http.post(`${BASE}/api/assignments/${assignment}/submissions`, JSON.stringify({ code }), {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    tags,
  });
  if (RECORD && (res.status === 202 || res.status === 200)) {
    console.log(JSON.stringify({ submission: res.json().submission.id, learner: learnerOf(token), expect }));
  }
  return res;
}
