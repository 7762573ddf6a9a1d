// Live results under load: each iteration is a learner who opens the socket,
// submits a correct solution and waits for the verdict to arrive on it. The
// custom trend `verdict_ms` is the time from submit to the passed verdict.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e WS_URL=ws://127.0.0.1:8081/ws k6/live.js
import http from 'k6/http';
import ws from 'k6/ws';
import { check, fail } from 'k6';
import { Trend, Counter } from 'k6/metrics';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const WS = __ENV.WS_URL || 'ws://127.0.0.1:8081/ws';
const verdictMs = new Trend('verdict_ms', true);
const missed = new Counter('verdicts_missed');

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
    verdict_ms: [`p(95)<${__ENV.P95_MS || 5000}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const SOLUTION = "def greet(name):\n    return f\"Hello, {name or 'world'}!\"\n";

export function setup() {
  const course = http.get(`${BASE}/api/assignments`).json();
  const first = course.find((a) => a.slug === 'greeting') || course[0];
  if (!first) fail('the course is empty');
  return { assignment: first.id };
}

export default function (data) {
  const user = http.post(`${BASE}/api/users`);
  if (!check(user, { 'user 201': (r) => r.status === 201 })) return;
  const token = user.json().token;
  let sent = 0;
  let done = false;
  ws.connect(`${WS}?token=${token}`, null, (socket) => {
    socket.on('open', () => {
      // A unique comment makes every submission a real grading.
      const code = `# ${__VU}-${__ITER}-${Date.now()}\n${SOLUTION}`;
      sent = Date.now();
      const res = http.post(`${BASE}/api/assignments/${data.assignment}/submissions`, JSON.stringify({ code }), {
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      });
      if (!check(res, { 'submit 202': (r) => r.status === 202 })) socket.close();
    });
    socket.on('message', (raw) => {
      const msg = JSON.parse(raw);
      if (msg.type === 'submission' && msg.submission.status !== 'queued' && msg.submission.status !== 'grading') {
        verdictMs.add(Date.now() - sent);
        check(msg.submission, { 'verdict passed': (s) => s.verdict === 'passed' });
        done = true;
        socket.close();
      }
    });
    socket.setTimeout(() => socket.close(), 60000);
  });
  if (!done) missed.add(1);
}
