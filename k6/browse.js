// Browsing load: virtual users reading the course and single assignments,
// the reads every learner's page makes. Thresholds fail the run when breached.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 k6/browse.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE, loadCourse } from './common.js';

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

export const setup = loadCourse;

export default function (data) {
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const res = http.get(`${BASE}/api/assignments/${id}`, { tags: { name: 'assignment' } });
  check(res, { 'assignment 200': (r) => r.status === 200 });
}
