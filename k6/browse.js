// Browsing load: virtual users reading the course and single assignments,
// the reads every learner's page makes. Thresholds fail the run when breached.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 k6/browse.js
import http from 'k6/http';
import { check, fail } from 'k6';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';

export const options = {
  scenarios: {
    browse: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || 100),
      duration: __ENV.DURATION || '30s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:assignment}': [`p(95)<${__ENV.P95_MS || 10}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  const res = http.get(`${BASE}/api/assignments`);
  if (res.status !== 200) fail(`course not readable: ${res.status}`);
  const ids = res.json().map((a) => a.id);
  if (ids.length === 0) fail('the course is empty');
  return { ids };
}

export default function (data) {
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const res = http.get(`${BASE}/api/assignments/${id}`, { tags: { name: 'assignment' } });
  check(res, { 'assignment 200': (r) => r.status === 200 });
}
