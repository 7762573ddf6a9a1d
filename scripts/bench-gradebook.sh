#!/usr/bin/env bash
# Benchmarks the gradebook: a generated course of LEARNERS learners (1,000 by
# default) × the 13 assignments with 1 to 4 submissions each, then the JSON
# gradebook's latency over 50 requests, the CSV export's time to the first
# byte and in all, the live class view's snapshot, the API's memory while
# each runs; then, in the same run, k6's browse and submit loads (DURATION
# each, 20 s by default) against this build and against PREV's (the last
# commit before courses and staff, built in a worktree), each on a fresh
# database. Prints the table and writes it to BENCHMARKS.md between the
# gradebook-benchmark markers.
#
# First, the page in Chromium (scripts/bench-gradebook-page.sh: renders and
# sorts a class of LEARNERS); PAGE_ONLY=1 stops after it.
#
#   scripts/bench-gradebook.sh
#   LEARNERS=5000 scripts/bench-gradebook.sh
#   PAGE_ONLY=1 scripts/bench-gradebook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/bench-gradebook-page.sh
[[ ${PAGE_ONLY:-} == 1 ]] && exit 0
source scripts/deps.sh
ensure_group core
ensure_group bench
k6=$(k6_bin)
duration=${DURATION:-20s}

learners=${LEARNERS:-1000}
dir=$root/.data/bench
out=$dir/results
api_port=18081
base=http://127.0.0.1:$api_port
scripts/services.sh start "$dir" 25434 26382
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
mkdir -p "$out"

db=gradebook_$(date +%s)
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
export DATABASE_URL=${DATABASE_URL%/*}/$db
export REDIS_PREFIX="$db:" TOKEN_SECRET=bench-secret-bench-secret-bench-secret
export COURSES_DIR=$root/courses UI_DIR=$root/ui RUST_LOG=warn
# k6 loads come from one address: the per-client limits would measure themselves.
export RATE_NEW_LEARNERS=1000000/s RATE_SUBMISSIONS_PER_LEARNER=1000000/s RATE_SUBMISSIONS_PER_ADDRESS=1000000/s QUEUE_LIMIT=1000000
export BENCH_COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD)}

cargo build --release --locked -q -p programming-api
api_pid=
cleanup() {
  [[ -n $api_pid ]] && { kill -TERM "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; }
  scripts/services.sh stop "$dir" >/dev/null
}
trap cleanup EXIT
API_ADDR=127.0.0.1:$api_port target/release/programming-api &
api_pid=$!
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

echo "bench-gradebook: generating $learners learners × 13 assignments" >&2
psql "$DATABASE_URL" -q -v learners="$learners" <<'SQL'
-- raw write: bulk benchmark data. Going through the API would take the
-- graders hours; these rows are what the state machine would have left.
INSERT INTO users (id, display_name, student_number)
    SELECT gen_random_uuid(), 'Learner ' || g, lpad(g::text, 8, '0')
    FROM generate_series(1, :learners) g;
INSERT INTO enrolments (user_id, course_id)
    SELECT id, (SELECT id FROM courses WHERE slug = 'intro') FROM users;
-- raw write: 1 to 4 submissions per learner and assignment; the last passes 70% of the time.
INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash, status,
                         verdict, feedback, attempts, graded_at, enqueued_at, created_at)
    SELECT gen_random_uuid(), u.id, a.id, 'x = ' || n, md5(u.id::text || a.id || n), a.content_hash,
           CASE WHEN n = r.k AND r.pass THEN 'passed' ELSE 'failed' END::submission_status,
           CASE WHEN n = r.k AND r.pass THEN 'passed' ELSE 'wrong_answer' END,
           jsonb_build_object('summary', '', 'stdout', '', 'stderr', '', 'duration_ms', 5,
               'tests', jsonb_build_array(jsonb_build_object('name', 'test_' || (n % 3),
                   'passed', n = r.k AND r.pass, 'message', ''))),
           1, now(), now(), now() - interval '1 hour' + n * interval '1 minute'
    FROM users u
    CROSS JOIN assignments a
    CROSS JOIN LATERAL (SELECT 1 + floor(random() * 4)::int AS k, random() < 0.7 AS pass,
                               u.id AS uid) r
    CROSS JOIN LATERAL generate_series(1, r.k) n
    WHERE a.position IS NOT NULL;
-- raw write: the completions and attempt counts those submissions imply.
-- The attempt that passed is recorded with the pass, as finish() records it
-- (the generated code is 'x = <attempt>').
INSERT INTO completions (user_id, assignment_id, submission_id, completed_at, attempt)
    SELECT user_id, assignment_id, id, created_at, substring(code from 5)::int
    FROM submissions WHERE status = 'passed';
INSERT INTO attempts (user_id, assignment_id, used)
    SELECT user_id, assignment_id, count(*) FROM submissions GROUP BY 1, 2;
ANALYZE;
SQL
submissions=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM submissions")

printf '%s\n' "bench-gradebook-password" |
  target/release/programming-api admin add-staff --course intro --role instructor bench >/dev/null
token=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"username": "bench", "password": "bench-gradebook-password"}' "$base/api/staff/sessions" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

mem() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$api_pid/status"; }
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p + 0.5) + 1; printf "%.1f", v[i] * 1000 }'; }

rss_before=$(mem VmRSS)
# The CSV first: the high-water mark then shows what streaming it costs.
: >"$out/csv-times"
for _ in $(seq 10); do
  curl -fs -o "$out/gradebook.csv" -w '%{time_starttransfer} %{time_total} %{size_download}\n' \
    -H "Authorization: Bearer $token" "$base/api/courses/intro/gradebook.csv" >>"$out/csv-times"
done
hwm_csv=$(mem VmHWM)
rows=$(($(wc -l <"$out/gradebook.csv") - 1))
for _ in $(seq 3); do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$base/api/courses/intro/gradebook"
done
: >"$out/json-times"
for _ in $(seq 50); do
  curl -fs -o "$out/gradebook.json" -w '%{time_total}\n' \
    -H "Authorization: Bearer $token" "$base/api/courses/intro/gradebook" >>"$out/json-times"
done
hwm_json=$(mem VmHWM)
: >"$out/class-times"
for _ in $(seq 50); do
  curl -fs -o /dev/null -w '%{time_total}\n' \
    -H "Authorization: Bearer $token" "$base/api/courses/intro/class" >>"$out/class-times"
done
kill -TERM "$api_pid"; wait "$api_pid" || true; api_pid=

# Browse and submit: PREV's build and this one, each against a fresh empty
# database, one after the other.
prev=${PREV:-d93a842}
prev_dir=$dir/prev-$prev
if [[ ! -x $prev_dir/target/release/programming-api ]]; then
  echo "bench-gradebook: building $prev for comparison" >&2
  git worktree add -f "$prev_dir" "$prev" >/dev/null 2>&1 || true
  (cd "$prev_dir" && cargo build --release --locked -q -p programming-api)
fi
k6_pair() { # $1 label, $2 tree (the binary, courses and UI under it)
  local db=k6_$1_$(date +%s)
  psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE $db"
  (cd "$2" && DATABASE_URL=${DATABASE_URL%/*}/$db COURSES_DIR=$2/courses COURSE_DIR=$2/assignments \
    UI_DIR=$2/ui API_ADDR=127.0.0.1:$api_port exec target/release/programming-api) &
  api_pid=$!
  for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done
  echo "bench-gradebook: k6 browse and submit against $1, $duration each" >&2
  mkdir -p "$out/$1"
  "$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/$1/browse.json" k6/browse.js >/dev/null || true
  "$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/$1/submit.json" k6/submit.js >/dev/null || true
  kill -TERM "$api_pid"; wait "$api_pid" || true; api_pid=
}
k6_pair "prev" "$prev_dir"
k6_pair "this" "$root"

table=$out/gradebook-table.md
{
  echo "Course: $learners learners × 13 assignments, $submissions submissions; the API a release build, Postgres and the API on this machine, one request at a time (curl)."
  echo
  echo "| measure | value |"
  echo "| --- | ---: |"
  echo "| \`GET /api/courses/intro/gradebook\`, median / p95 of 50 | $(pct 0.5 <"$out/json-times") / $(pct 0.95 <"$out/json-times") ms |"
  echo "| \`gradebook.csv\`: time to the first byte, median of 10 | $(awk '{print $1}' "$out/csv-times" | pct 0.5) ms |"
  echo "| \`gradebook.csv\`: in all, median of 10 | $(awk '{print $2}' "$out/csv-times" | pct 0.5) ms |"
  echo "| \`gradebook.csv\`: size, rows | $(awk 'END { printf "%.0f KiB", $3 / 1024 }' "$out/csv-times"), $rows |"
  echo "| API memory: at start / peak after 10 CSV exports / peak after 53 JSON gradebooks | $rss_before / $hwm_csv / $hwm_json MiB |"
  echo "| \`GET /api/courses/intro/class\` (the class view's snapshot), median / p95 of 50 | $(pct 0.5 <"$out/class-times") / $(pct 0.95 <"$out/class-times") ms |"
  python3 scripts/bench-report.py k6-rows "$out/prev" "$prev, before courses"
  python3 scripts/bench-report.py k6-rows "$out/this" "this build"
} >"$table"
cat "$table"
python3 scripts/bench-report.py section gradebook "$table" "scripts/bench-gradebook.sh"
