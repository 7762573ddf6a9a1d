// Submitting load: every iteration is a fresh learner with new code, so each
// submit is a real insert into Postgres and a real XADD onto the job stream.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 k6/submit.js
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import { Counter } from 'k6/metrics';

// Submissions answered 202: the ones the platform promised to grade.
const accepted = new Counter('submissions_accepted');

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';

export const options = {
  scenarios: {
    // ITERATIONS set: exactly that many submissions (a backlog); else a timed run.
    submit: __ENV.ITERATIONS
      ? { executor: 'shared-iterations', vus: Number(__ENV.VUS || 10), iterations: Number(__ENV.ITERATIONS) }
      : { executor: 'constant-vus', vus: Number(__ENV.VUS || 50), duration: __ENV.DURATION || '30s' },
  },
  thresholds: {
    'http_req_failed{name:submit}': ['rate<0.01'],
    'http_req_duration{name:submit}': [`p(95)<${__ENV.P95_MS || 25}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  const res = http.get(`${BASE}/api/assignments`);
  if (res.status !== 200) fail(`course not readable: ${res.status}`);
  return { ids: res.json().map((a) => a.id) };
}

export default function (data) {
  const user = http.post(`${BASE}/api/users`, null, { tags: { name: 'create_user' } });
  if (!check(user, { 'user 201': (r) => r.status === 201 })) return;
  const token = user.json().token;
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const code = `# ${__VU}-${__ITER}-${Date.now()}\ndef solve():\n    return ${__ITER}\n`;
  const res = http.post(
    `${BASE}/api/assignments/${id}/submissions`,
    JSON.stringify({ code }),
    {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      tags: { name: 'submit' },
    },
  );
  if (check(res, { 'submit 202': (r) => r.status === 202 })) accepted.add(1);
  // PACE_MS: a steady trickle (fault and rolling-update tests) instead of full speed.
  if (__ENV.PACE_MS) sleep(Number(__ENV.PACE_MS) / 1000);
}
