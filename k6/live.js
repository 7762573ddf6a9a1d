// Live results under load: each iteration is a learner who opens the socket,
// submits a correct solution and waits for the verdict to arrive on it. The
// custom trend `verdict_ms` is the time from submit to the passed verdict;
// afterwards the learner's points must be 100.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e WS_URL=ws://127.0.0.1:8081/ws k6/live.js
import http from 'k6/http';
import ws from 'k6/ws';
import { check } from 'k6';
import { Trend, Counter } from 'k6/metrics';
import { BASE, GREETING_SOLUTION, WS, loadCourse, newLearner, submitCode } from './common.js';

const verdictMs = new Trend('verdict_ms', true);
const missed = new Counter('verdicts_missed');
const accepted = new Counter('submissions_accepted');
const wrongPoints = new Counter('points_wrong');

export const options = {
  scenarios: {
    live: {
      executor: 'shared-iterations',
      vus: Number(__ENV.VUS || 10),
      iterations: Number(__ENV.ITERATIONS || 100),
      maxDuration: __ENV.MAX_DURATION || '5m',
    },
  },
  thresholds: {
    verdicts_missed: ['count==0'],
    points_wrong: ['count==0'],
    verdict_ms: [`p(95)<${__ENV.P95_MS || 5000}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export const setup = loadCourse;

export default function (data) {
  const token = newLearner();
  if (!token) return;
  let sent = 0;
  let passed = false;
  let done = false;
  ws.connect(`${WS}?token=${token}`, null, (socket) => {
    socket.on('open', () => {
      const code = `# ${__VU}-${__ITER}-${Date.now()}\n${GREETING_SOLUTION}`;
      sent = Date.now();
      const res = submitCode(token, data.assignment, code, 'passed', { name: 'submit' });
      if (check(res, { 'submit 202': (r) => r.status === 202 })) accepted.add(1);
      else socket.close();
    });
    socket.on('message', (raw) => {
      const msg = JSON.parse(raw);
      if (msg.type === 'submission' && msg.submission.status !== 'queued' && msg.submission.status !== 'grading') {
        verdictMs.add(Date.now() - sent);
        passed = check(msg.submission, { 'verdict passed': (s) => s.verdict === 'passed' });
        done = true;
        socket.close();
      }
    });
    socket.setTimeout(() => socket.close(), 60000);
  });
  if (!done) missed.add(1);
  if (passed) {
    // One pass of a fresh learner: exactly one completion, 100 points.
    const me = http.get(`${BASE}/api/me`, { headers: { Authorization: `Bearer ${token}` }, tags: { name: 'me' } });
    if (!check(me, { 'points 100': (r) => r.status === 200 && r.json().points === 100 })) wrongPoints.add(1);
  }
}
