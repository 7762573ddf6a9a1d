// Learners' pages held open across a gateway roll. Each VU is one page: a
// learner's socket, open for DURATION. When the gateway closes it (1001,
// going away, as a replica does when it stops) or it cannot connect, the
// page reconnects after a short random backoff, as the page's own script
// does. At the end each page submits once and must get its verdict on its
// socket: it reconnected and is live. `pages_reconnected` counts the pages
// whose socket was closed under them and came back.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e WS_URL=ws://127.0.0.1:8081/ws -e VUS=50 k6/pages.js
import ws from 'k6/ws';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { GREETING_SOLUTION, WS, loadCourse, newLearner, submitCode } from './common.js';

const missed = new Counter('verdicts_missed');
const reconnected = new Counter('pages_reconnected');
const reconnects = new Counter('reconnects');

const DURATION_MS = 1000 * Number(__ENV.DURATION_S || 40);

export const options = {
  scenarios: {
    pages: {
      executor: 'per-vu-iterations',
      vus: Number(__ENV.VUS || 50),
      iterations: 1,
      maxDuration: `${DURATION_MS / 1000 + 90}s`,
    },
  },
  thresholds: { verdicts_missed: ['count==0'] },
};

export const setup = loadCourse;

export default function (data) {
  const token = newLearner();
  if (!token) {
    missed.add(1);
    return;
  }
  const until = Date.now() + DURATION_MS;
  let closedUnder = false;
  // Held open until the end, reconnecting whenever it is closed.
  while (Date.now() < until) {
    ws.connect(`${WS}?token=${token}`, null, (socket) => {
      socket.setTimeout(() => socket.close(), Math.max(until - Date.now(), 1));
    });
    if (Date.now() < until) {
      closedUnder = true;
      reconnects.add(1);
      sleep(0.2 + Math.random());
    }
  }
  if (closedUnder) reconnected.add(1);
  // Live after it all: a submission's verdict arrives on a new socket.
  let done = false;
  for (let attempt = 0; attempt < 5 && !done; attempt++) {
    ws.connect(`${WS}?token=${token}`, null, (socket) => {
      socket.on('open', () => {
        const code = `# page ${__VU}-${Date.now()}\n${GREETING_SOLUTION}`;
        const res = submitCode(token, data.assignment, code, 'passed', { name: 'submit' });
        if (!check(res, { 'submit 202': (r) => r.status === 202 })) socket.close();
      });
      socket.on('message', (raw) => {
        const msg = JSON.parse(raw);
        if (msg.type === 'submission' && msg.submission.status !== 'queued' && msg.submission.status !== 'grading') {
          done = check(msg.submission, { 'verdict passed': (s) => s.verdict === 'passed' });
          socket.close();
        }
      });
      socket.setTimeout(() => socket.close(), 30000);
    });
    if (!done) sleep(1);
  }
  if (!done) missed.add(1);
}
