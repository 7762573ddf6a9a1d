# What scripts/test-stack.sh and scripts/test-cluster.sh share: k6 runs
# recorded for e2e's stack-check, the paced run a roll or a fault acts under
# and its accounting, rolls behind the balancer, the gateway's roll under
# open pages, and the autoscaler's phase. Sourced, not run.
#
# The sourcing script sets k6, base (the balancer's URL), ws_url, out (its
# folder) and stack, and defines log, stack_check (e2e's stack-check with
# the stack's database and secret), sdocker (docker talking to a swarm
# manager) and publish_image IMAGE (an image built here, made available to
# every node that may run it).

SWARM_COLUMNS='failed requests during the run | accepted | stored | left in flight | ended in error | misjudged (verdict ≠ what the code deserves) | points checked through the API'

# Seconds since a `date +%s%N`, to a tenth.
seconds_since() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

replicas_of() { sdocker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${stack}_$1"; }

# k6 with its records of every learner made and submission accepted (and
# whether that submission's code must pass), for stack-check to hold the
# stack to. Its summary goes to $out/NAME.json, its records to $out/NAME.sent.
k6_recorded() { # name script k6-args...
  local name=$1 script=$2
  shift 2
  "$k6" run -q -e RECORD=1 --log-format raw --console-output "$out/$name.sent" \
    --summary-export "$out/$name.json" "$@" "$script"
}

# A paced submit run in the background (2 learners, one submission every
# 200 ms each, 30 s, half of them passing solutions, so that completions and
# points are at stake) for a roll or a fault to act under, 5 s in. Sets
# k6pid.
start_paced() { # name
  k6_recorded "$1" k6/submit.js -e BASE_URL="$base" -e VUS=2 -e DURATION=30s -e PACE_MS=200 \
    -e P95_MS=100000 -e CORRECT=0.5 >/dev/null 2>&1 &
  k6pid=$!
  sleep 5
}

# Once the paced run ends: stack-check settles it and holds every accepted
# submission and every learner it made to what the stack must have done
# (stored, final, not given up on, judged as its code deserves, points right
# through the API). Sets cells (the table's cells, failed requests first);
# fails the test otherwise.
account() { # name
  wait "$k6pid" || true
  cells=$(stack_check account --k6 "$out/$1.json" --sent "$out/$1.sent") || { log "$1: the stack lost or misjudged work"; exit 1; }
  log "$1: failed requests | accepted | stored | left | error | misjudged | points: $cells"
}

# Polls /readyz through the balancer every 0.2 s until killed, writing the
# time of each failed poll.
probe_outage() {
  while :; do
    curl -fs -m 1 "$base/readyz" >/dev/null || date +%s.%N >>"$1"
    sleep 0.2
  done
}

rolling_header() {
  printf '\n| rolling update under load | API unreachable | %s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n' "$SWARM_COLUMNS"
}

# A service rolled to a new image (the same binary under a new label, so a
# new image id) under a paced run, /readyz probed throughout. Prints its
# row of the rolling table; sets cells and outage. The grader's roll is its
# SIGTERM drain under load: each replica finishes the jobs in hand and
# hands on the rest.
roll() { # service
  local service=$1 probe running
  log "rolling $service to a new image under load"
  printf 'FROM codeplatform/%s:latest\nLABEL codeplatform.rolled="%s"\n' "$service" "$(date -u +%FT%TZ)" |
    docker build -q -t "codeplatform/$service:rolled" - >/dev/null
  publish_image "codeplatform/$service:rolled"
  start_paced "rolling-$service"
  : >"$out/outage-$service"
  probe_outage "$out/outage-$service" &
  probe=$!
  sdocker service update -q --image "codeplatform/$service:rolled" "${stack}_$service" >/dev/null
  wait "$k6pid" || true
  kill "$probe"
  outage=$(stack_check outage "$out/outage-$service")
  running=$(sdocker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${stack}_$service")
  [[ $running == "codeplatform/$service:rolled"* ]] || { log "the update of $service did not land: $running"; exit 1; }
  account "rolling-$service"
  log "rolled $service: the API was unreachable for $outage"
  echo "| $service | $outage | $cells |"
}

# The API's roll behind the balancer must fail no request.
roll_api() {
  roll programming-api
  [[ ${cells%%%*} == 0.0 ]] || { log "the API's roll behind the balancer failed ${cells%%%*}% of requests"; exit 1; }
}

# The gateway's roll: learners' pages held open across it (k6/pages.js)
# must each get a verdict on their socket afterwards, those whose socket
# the roll closed having reconnected. Prints its table.
roll_gateway() { # pages
  local pages=$1 pagespid ok=1 reconnected missed
  log "rolling websocket to a new image with $pages pages open"
  printf 'FROM codeplatform/websocket:latest\nLABEL codeplatform.rolled="%s"\n' "$(date -u +%FT%TZ)" |
    docker build -q -t codeplatform/websocket:rolled - >/dev/null
  publish_image codeplatform/websocket:rolled
  "$k6" run -q -e BASE_URL="$base" -e WS_URL="$ws_url" -e VUS="$pages" -e DURATION_S=45 \
    --summary-export "$out/pages.json" k6/pages.js >"$out/pages.txt" 2>&1 &
  pagespid=$!
  sleep 8
  sdocker service update -q --image codeplatform/websocket:rolled "${stack}_websocket" >/dev/null
  wait "$pagespid" || ok=0
  reconnected=$(k6_count "$out/pages.json" pages_reconnected)
  missed=$(k6_count "$out/pages.json" verdicts_missed)
  log "rolled websocket: $reconnected of $pages pages reconnected, $missed verdicts missed"
  ((ok)) && [[ $missed == 0 && $reconnected -gt 0 ]] || { cat "$out/pages.txt" >&2; log "pages lost their socket on the gateway's roll"; exit 1; }
  printf '\n| gateway roll under open pages | pages | closed under them and reconnected | verdicts missed after |\n| --- | ---: | ---: | ---: |\n| websocket | %s | %s | %s |\n' \
    "$pages" "$reconnected" "$missed"
}

# A counter's count in a k6 summary (0 when it never counted).
k6_count() { # summary.json metric
  python3 -c "import json, sys; m = json.load(open(sys.argv[1]))['metrics'].get(sys.argv[2], {}); print(int(m.get('count', 0)))" "$1" "$2"
}

# The autoscaler on a burst: graders at 1, the autoscaler on, a backlog
# pushed at once; how long until it asks for its maximum, how long the
# backlog takes, and how long after until it is back at 1. Every scaling it
# logged, with its reason, is kept in $out/autoscaler.log. Prints its table.
autoscale() { # max burst
  local max=$1 burst=$2 start burstpid up drained drained_at down decisions
  log "autoscaling: a burst of $burst with the autoscaler on (1..$max graders)"
  sdocker service scale "${stack}_grader=1" >/dev/null 2>&1
  sdocker service scale "${stack}_autoscaler=1" >/dev/null 2>&1
  start=$(date +%s%N)
  "$k6" run -q -e BASE_URL="$base" -e VUS=20 -e ITERATIONS="$burst" k6/submit.js >/dev/null 2>&1 &
  burstpid=$!
  up=""
  for _ in $(seq 600); do
    if [[ $(replicas_of grader) == "$max" ]]; then up=$(seconds_since "$start"); break; fi
    sleep 0.2
  done
  wait "$burstpid" || true
  [[ -n $up ]] || { log "the autoscaler never asked for $max graders"; exit 1; }
  drained=$(stack_check settle --jobs "$burst" --started-at-ns "$start")
  drained_at=$(date +%s%N)
  down=""
  for _ in $(seq 900); do
    if [[ $(replicas_of grader) == 1 ]]; then down=$(seconds_since "$drained_at"); break; fi
    sleep 0.2
  done
  [[ -n $down ]] || { log "the autoscaler never came back down to 1 grader"; exit 1; }
  sdocker service logs --raw "${stack}_autoscaler" 2>/dev/null | grep 'scaling the graders' >"$out/autoscaler.log" || true
  decisions=$(wc -l <"$out/autoscaler.log")
  sdocker service scale "${stack}_autoscaler=0" >/dev/null 2>&1
  log "autoscaler: 1 → $max graders $up s into the burst; backlog graded: $drained/s; back at 1 $down s after; $decisions scalings logged"
  echo
  echo "| autoscaler (1..$max graders, a burst of $burst) | value |"
  echo '| --- | ---: |'
  echo "| from the burst's start to $max graders asked for | $up s |"
  echo "| backlog graded in \\| rate | $drained/s |"
  echo "| from the backlog graded to back at 1 grader (AUTOSCALER_DOWN_AFTER_SECS=20) | $down s |"
  echo "| scalings logged (each with its reason) | $decisions |"
}
