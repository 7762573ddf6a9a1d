// Submitting load: every iteration is a fresh learner with new code, so each
// submit is a real insert into Postgres and a real XADD onto the job stream.
// By default the code fails its tests; CORRECT (a fraction, 0 to 1) of the
// iterations submit a passing solution to the greeting assignment instead.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 k6/submit.js
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { GREETING_SOLUTION, loadCourse, newLearner, submitCode } from './common.js';

// Submissions answered 202: the ones the platform promised to grade.
const accepted = new Counter('submissions_accepted');
const CORRECT = Number(__ENV.CORRECT || 0);

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

export const setup = loadCourse;

export default function (data) {
  const token = newLearner();
  if (!token) return;
  const unique = `# ${__VU}-${__ITER}-${Date.now()}\n`;
  const res = Math.random() < CORRECT
    ? submitCode(token, data.assignment, unique + GREETING_SOLUTION, 'passed', { name: 'submit' })
    : submitCode(
      token,
      data.ids[Math.floor(Math.random() * data.ids.length)],
      `${unique}def solve():\n    return ${__ITER}\n`,
      'failed',
      { name: 'submit' },
    );
  if (check(res, { 'submit 202': (r) => r.status === 202 })) accepted.add(1);
  // PACE_MS: a steady trickle (fault and rolling-update tests) instead of full speed.
  if (__ENV.PACE_MS) sleep(Number(__ENV.PACE_MS) / 1000);
}
