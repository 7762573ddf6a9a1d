#!/usr/bin/env bash
# Proves the swarm path on this machine: builds the images, initialises a
# single-node swarm if none is active, labels the node for data and grading,
# deploys docker-stack.yml, waits until healthy, drives learners through
# submissions to their verdicts over the WebSocket (k6/live.js), scales
# graders 1 → 3 on a backlog and times the drain (two slots a replica, then
# one), lets the autoscaler take the graders up on a burst and back down,
# rolls the API, the gateway and the grader to new images behind the
# balancer and kills each service's task under load, soaks it, does the
# README's operator section (metrics, Prometheus, an instructor made with
# docker exec, backup, secret rotation), then removes the stack and leaves
# the machine as it found it.
#
# This script only orchestrates Docker and k6. Whether the stack kept its
# promises (every accepted submission stored, final, judged as its code
# deserves, every learner's points right through the API) is decided by
# e2e's stack-check (e2e/src/accounting.rs), from k6's records of what it sent.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
source scripts/swarm-lib.sh
ensure_group bench
k6=$(k6_bin)
stack=codeplatform
base=http://127.0.0.1:8080
ws_url=ws://127.0.0.1:8081/ws
out=$root/.data/stack
# A fresh folder: k6 appends its records to an existing file, and a record
# left from an earlier run would count as this run's lost work.
rm -rf "$out"
mkdir -p "$out"

log() { echo "stack: $*" >&2; }
# One node: its own daemon is the manager's, and has every image.
sdocker() { docker "$@"; }
publish_image() { :; }

# The tree measured is the one the images are built from now, whatever is
# committed while the run goes on.
BENCH_COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo '+uncommitted')
export BENCH_COMMIT
scripts/build-images.sh
cargo build --release --locked -q -p e2e --bin stack-check
if docker volume inspect "${stack}_pgdata" >/dev/null 2>&1; then
  log "a ${stack}_pgdata volume exists already; remove it (docker volume rm ${stack}_pgdata) or deploy elsewhere"
  exit 1
fi

joined_here=0
labelled=()
deployed=0
made_secrets=()
secret_file=$out/token_secret
db_password_file=$out/db_password
cleanup() {
  if ((deployed)); then
    log "removing the stack"
    docker stack rm "$stack" >/dev/null 2>&1 || true
    # Volumes go only once no task container (running or stopped) holds them;
    # a volume left behind would keep the old password for the next deploy.
    for _ in $(seq 90); do
      [[ -z $(docker ps -aq --filter "label=com.docker.stack.namespace=$stack") ]] &&
        docker volume rm -f "${stack}_pgdata" "${stack}_redisdata" "${stack}_promdata" >/dev/null 2>&1 && break
      sleep 1
    done
    docker network rm "${stack}_backend" "${stack}_edge" >/dev/null 2>&1 || true
  fi
  for s in "${made_secrets[@]}"; do docker secret rm "$s" >/dev/null 2>&1 || true; done
  rm -f "$secret_file" "$db_password_file"
  docker rmi codeplatform/programming-api:rolled codeplatform/grader:rolled \
    codeplatform/websocket:rolled >/dev/null 2>&1 || true
  for label in "${labelled[@]}"; do docker node update --label-rm "$label" "$node" >/dev/null 2>&1 || true; done
  if ((joined_here)); then
    docker swarm leave --force >/dev/null 2>&1 || true
    # Swarm's bridge to each task stays after leaving; it was not here before.
    docker network rm docker_gwbridge >/dev/null 2>&1 || true
  fi
  # Sandbox containers and pool hosts are removed by the graders; any left
  # are swept here.
  docker ps -aq --filter label=codeplatform.sandbox | xargs -r docker rm -f >/dev/null
}
trap cleanup EXIT

if [[ $(docker info -f '{{.Swarm.LocalNodeState}}') != active ]]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  joined_here=1
fi
# One node is the data node and a grading node (README, "Several nodes");
# labels it had already are left as they were.
node=$(docker info -f '{{.Swarm.NodeID}}')
for label in codeplatform.data codeplatform.grading; do
  if [[ -z $(docker node inspect "$node" -f "{{index .Spec.Labels \"$label\"}}") ]]; then
    docker node update --label-add "$label=true" "$node" >/dev/null
    labelled+=("$label")
  fi
done
# The test's own secrets, so that its accounting can read Postgres and mint
# learners' tokens to check their points through the API, and so that it
# leaves nothing of an operator's behind.
for s in db_password redis_password token_secret; do
  if docker secret inspect "$s" >/dev/null 2>&1; then
    log "a secret $s exists already; this test makes its own: remove it (docker secret rm $s) or run elsewhere"
    exit 1
  fi
done
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$db_password_file")
for s in db_password redis_password token_secret; do
  case $s in
    token_secret) docker secret create "$s" "$secret_file" >/dev/null ;;
    db_password) docker secret create "$s" "$db_password_file" >/dev/null ;;
    *) head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | docker secret create "$s" - >/dev/null ;;
  esac
  made_secrets+=("$s")
done

if [[ ! -e /proc/net/ip_vs ]]; then
  # Swarm's virtual IPs and routing mesh are IPVS; without it, services are
  # reached by DNS round robin and the balancer's ports are published on
  # the node itself. Two API and two gateway replicas stand behind it.
  log "this kernel has no IPVS: deploying with dnsrr endpoints and host-mode ports"
  export ENDPOINT_MODE=dnsrr
fi
deployed=1
# k6 loads the stack from this one host: the per-client limits would only
# measure themselves (they have tests of their own in ./test.sh).
export RATE_NEW_LEARNERS=1000000/s RATE_SUBMISSIONS_PER_LEARNER=1000000/s \
  RATE_SUBMISSIONS_PER_ADDRESS=1000000/s QUEUE_LIMIT=1000000 BALANCER_MAX_CONNECTIONS_PER_ADDRESS=8000
# The autoscaler stays off (0 replicas) while this test scales by hand;
# its own phase turns it on with a quick pace.
export AUTOSCALER_REPLICAS=0 AUTOSCALER_MAX=3 AUTOSCALER_DOWN_AFTER_SECS=20 AUTOSCALER_COOLDOWN_SECS=10
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
# And the gateway: a socket it takes before it has subscribed to Redis's
# events would miss its verdict (its /readyz, which its health check asks).
for _ in $(seq 120); do
  [[ -n $(docker ps -q --filter health=healthy --filter "label=com.docker.swarm.service.name=${stack}_websocket") ]] && break
  sleep 1
done
docker stack services "$stack"

# The accounting is e2e's stack-check: it reads the stack's Postgres, from
# here, at the Postgres task's address on docker_gwbridge (the bridge that
# joins every task to this node), and mints learners' tokens to ask the API.
stack_check() {
  local pg pg_ip
  pg=$(docker ps -q --no-trunc --filter "label=com.docker.swarm.service.name=${stack}_postgres" | head -n 1)
  pg_ip=$(docker network inspect docker_gwbridge \
    -f '{{range $id, $c := .Containers}}{{$id}} {{$c.IPv4Address}}{{"\n"}}{{end}}' |
    awk -v id="$pg" '$1 == id { sub(/\/.*/, "", $2); print $2 }')
  [[ -n $pg_ip ]] || { log "the Postgres task has no address on docker_gwbridge"; return 1; }
  DATABASE_URL="postgres://postgres@$pg_ip:5432/codeplatform" DATABASE_PASSWORD_FILE=$db_password_file \
    TOKEN_SECRET_FILE=$secret_file API_URL=$base "$root/target/release/stack-check" "$@"
}
log "a learner's submission reaches its verdict over the WebSocket"
"$k6" run -q -e BASE_URL="$base" -e WS_URL="$ws_url" -e VUS=2 -e ITERATIONS=6 \
  --summary-export "$out/live.json" k6/live.js

drain() { # replicas n → "seconds | submissions/s" for that many graders to grade a backlog of n
  local replicas=$1 n=$2 start
  docker service scale "${stack}_grader=0" >/dev/null 2>&1
  "$k6" run -q -e BASE_URL="$base" -e VUS=10 -e ITERATIONS="$n" k6/submit.js >/dev/null 2>&1 || true
  start=$(date +%s%N)
  docker service scale -d "${stack}_grader=$replicas" >/dev/null 2>&1
  stack_check settle --jobs "$n" --started-at-ns "$start"
}
# Two slots a replica (the stack's GRADER_CONCURRENCY), then one: with two,
# one replica already keeps both cores busy; with one, a replica is one
# core's worth and the next replica adds the other core.
log "scaling graders on a backlog of 300: 1, 2 and 3 replicas, at 2 and at 1 slot each"
printf '| slots a replica | grader replicas | 300-job backlog drained in | submissions/s |\n| ---: | ---: | ---: | ---: |\n' >"$out/scale.md"
for slots in 2 1; do
  # At 0 replicas, so that the change rolls no task.
  docker service scale "${stack}_grader=0" >/dev/null 2>&1
  docker service update -q --env-add "GRADER_CONCURRENCY=$slots" "${stack}_grader" >/dev/null
  for replicas in 1 2 3; do
    cells=$(drain "$replicas" 300)
    log "$slots slot(s) a replica, $replicas grader(s), 300 jobs: $cells per second"
    echo "| $slots | $replicas | $cells |" >>"$out/scale.md"
  done
done
docker service scale "${stack}_grader=0" >/dev/null 2>&1
docker service update -q --env-add GRADER_CONCURRENCY=2 "${stack}_grader" >/dev/null

autoscale 3 400 >"$out/autoscale.md"

# Sandbox containers nobody owns: per-run ones (GRADER_SANDBOX=docker) left
# after their run, and pool hosts whose grader task is gone (a task's
# consumer name holds its hostname, which is its container's short id).
sandboxes_left() {
  local live
  live=$(docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_grader" | paste -sd'|')
  {
    docker ps -aq --filter label=codeplatform.sandbox=1
    docker ps -a --filter label=codeplatform.sandbox=host --format '{{.Label "codeplatform.grader"}}' |
      grep -Ev "^grader-(${live:-none})-" || true
  } | wc -l
}
pool_hosts() { docker ps -q --filter label=codeplatform.sandbox=host | wc -l; }

rolling_header >"$out/rolling.md"
docker service scale "${stack}_grader=2" >/dev/null 2>&1
roll_api >>"$out/rolling.md"
roll grader >>"$out/rolling.md"
roll_gateway 40 >>"$out/rolling.md"

# Faults under load: one task container killed 5 s into a paced run; swarm
# restarts it.
task_container() { docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1" | head -n 1; }
printf '\n| fault | degraded (until /readyz and the task are back) | %s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n' "$SWARM_COLUMNS" >"$out/faults.md"
fault() { # name service
  local name=$1 service=$2 slug="fault-${1// /-}" k6pid cells down_since degraded
  start_paced "$slug"
  down_since=$(date +%s%N)
  docker kill "$(task_container "$service")" >/dev/null
  # Degraded until the API answers ready again (Postgres and Redis reachable).
  for _ in $(seq 240); do
    sleep 0.25
    curl -fs -m 1 "$base/readyz" >/dev/null && [[ -n $(task_container "$service") ]] && break
  done
  degraded=$(seconds_since "$down_since")
  account "$slug"
  log "fault $name: degraded $degraded s"
  echo "| $name | $degraded s | $cells |" >>"$out/faults.md"
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
soak_ok=1
k6_recorded soak k6/soak.js -e BASE_URL="$base" -e WS_URL="$ws_url" -e DURATION="$soak" \
  -e CORRECT=0.5 >"$out/soak.txt" 2>&1 || soak_ok=0
mem_after=$(for s in programming-api grader websocket; do echo -n "$s $(memory "$s"), "; done)
kept=1
rows=$(stack_check soak --k6 "$out/soak.json" --sent "$out/soak.sent") || kept=0
sandboxes=$(sandboxes_left)
hosts=$(pool_hosts)
log "soak: k6 thresholds $( ((soak_ok)) && echo held || echo BREACHED), $sandboxes sandbox containers left, $hosts pool hosts"
{
  echo
  echo "Soak: \`k6/soak.js\` for $soak against the stack with 2 grader replicas (browse 50/s, submit 2/s with half of them passing, live 1/s), then every check below."
  echo
  echo '| measure | value |'
  echo '| --- | ---: |'
  echo "| k6 thresholds | $( ((soak_ok)) && echo held || echo BREACHED) |"
  echo "$rows"
  echo "| sandbox containers without a live grader | $sandboxes |"
  echo "| pool hosts running (2 replicas × 2 slots) | $hosts |"
  echo "| memory before → after | ${mem_before%, } → ${mem_after%, } |"
} >"$out/soak.md"
cat "$out/soak.md" >&2
((soak_ok)) || { cat "$out/soak.txt" >&2; log "soak: k6 thresholds breached"; exit 1; }
((kept)) && [[ $sandboxes == 0 ]] || { log "soak: work lost, stuck, misjudged or left behind"; exit 1; }

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
# The API's metrics are on its admin port, reached over the backend network
# (here from a grader task); the published port refuses them.
[[ $(curl -s -o /dev/null -w '%{http_code}' "$base/metrics") == 404 ]] \
  || { log "the public port serves /metrics"; exit 1; }
has_metric "$(scrape grader http://programming-api:9102/metrics)" '^submissions_total{outcome="queued"}'
has_metric "$(scrape grader http://127.0.0.1:9100/metrics)" '^grader_jobs_graded_total{verdict="passed"}'
has_metric "$(scrape websocket http://127.0.0.1:9101/metrics)" '^ws_messages_delivered_total'
has_metric "$(scrape grader http://programming-api:9102/metrics)" '^grading_queue_oldest_waiting_seconds{stream="lane-0"}'

log "operator: Prometheus scrapes every service and has its rules"
promql() { in_task prometheus promtool query instant http://127.0.0.1:9090 "$1"; }
for job in programming-api grader websocket balancer; do
  up=$(promql "sum(up{job=\"$job\"})")
  [[ $up =~ \=\>\ ([1-9][0-9]*) ]] || { log "Prometheus has no $job target up: $up"; exit 1; }
done
rules=$(in_task prometheus python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9090/api/v1/rules').read().decode())")
grep -q GradingQueueLagging <<<"$rules" && grep -q GradingsFailing <<<"$rules" ||
  { log "Prometheus lacks the queue-lag or failed-gradings rule"; exit 1; }
lag=$(promql 'max(codeplatform:queue_oldest_waiting_seconds)')
log "prometheus: every service up, both rules loaded; the oldest job waits: $lag"

log "operator: making an instructor and signing in"
printf '%s\n' 'stack-test-instructor-password' |
  docker exec -i "$(task_container programming-api)" \
    programming-api admin add-staff --course intro --role instructor stack-instructor >&2
staff_token=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"username": "stack-instructor", "password": "stack-test-instructor-password"}' \
  "$base/api/staff/sessions" | python3 -c "import json, sys; print(json.load(sys.stdin)['token'])")
gradebook_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $staff_token" \
  "$base/api/courses/intro/gradebook.csv")
log "staff: signed in; the gradebook CSV answers $gradebook_status"
[[ $gradebook_status == 200 ]] || { log "the instructor cannot read the gradebook"; exit 1; }

log "operator: backing up Postgres and restoring the dump into an empty database"
in_task postgres pg_dump -Fc codeplatform >"$out/codeplatform.dump"
in_task postgres createdb restored
docker exec -i "$(task_container postgres)" pg_restore -d restored <"$out/codeplatform.dump"
counts=$(stack_check same-counts --restored restored) || { log "the restored database differs: $counts"; exit 1; }
in_task postgres dropdb restored
rm -f "$out/codeplatform.dump"
log "backup: $counts"

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
"$k6" run -q -e BASE_URL="$base" -e WS_URL="$ws_url" -e VUS=2 -e ITERATIONS=4 k6/live.js

log "operator: scaling the graders to 0 leaves no sandbox"
docker service scale "${stack}_grader=0" >/dev/null 2>&1
for _ in $(seq 60); do
  [[ $(docker ps -aq --filter label=codeplatform.sandbox | wc -l) == 0 ]] && break
  sleep 1
done
left=$(docker ps -aq --filter label=codeplatform.sandbox | wc -l)
[[ $left == 0 ]] || { log "$left sandbox containers outlived the graders"; exit 1; }

cat "$out/autoscale.md" "$out/rolling.md" "$out/faults.md" "$out/soak.md" >>"$out/scale.md"
python3 scripts/bench-report.py section stack "$out/scale.md" "scripts/test-stack.sh" >/dev/null
log "stack test passed"
