// The soak: browse, submit and live load at once, at steady arrival rates,
// for DURATION (10m). Thresholds fail the run when breached; what the
// platform must hold afterwards (every submission final, no container left)
// is checked by scripts/test-stack.sh, which runs this against the stack.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e WS_URL=ws://127.0.0.1:8081/ws k6/soak.js
import browse from './browse.js';
import submit from './submit.js';
import live from './live.js';
import { loadCourse } from './common.js';

const DURATION = __ENV.DURATION || '10m';

// Arrivals per second; the default grading load (submit + live) stays below
// what two grader replicas drain on two cores (about 5.8/s, BENCHMARKS.md).
function steady(exec, rate, maxVUs) {
  return {
    executor: 'constant-arrival-rate',
    exec,
    rate,
    timeUnit: '1s',
    duration: DURATION,
    // Enough ready VUs for a live iteration's seconds of waiting: k6 drops an
    // arrival while it starts another VU, and the threshold counts drops.
    preAllocatedVUs: Math.min(maxVUs, Math.max(10, rate)),
    maxVUs,
  };
}

export const options = {
  scenarios: {
    browse: steady('browsing', Number(__ENV.BROWSE_RATE || 50), 100),
    submit: steady('submitting', Number(__ENV.SUBMIT_RATE || 2), 50),
    live: steady('watching', Number(__ENV.LIVE_RATE || 1), 50),
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:assignment}': [`p(95)<${__ENV.BROWSE_P95_MS || 100}`],
    'http_req_duration{name:submit}': [`p(95)<${__ENV.SUBMIT_P95_MS || 250}`],
    verdicts_missed: ['count==0'],
    points_wrong: ['count==0'],
    verdict_ms: [`p(95)<${__ENV.VERDICT_P95_MS || 5000}`],
    dropped_iterations: ['count==0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export const setup = loadCourse;
export const browsing = browse;
export const submitting = submit;
export const watching = live;
