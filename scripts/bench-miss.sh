#!/usr/bin/env bash
# Measures nicflow and ovs-testcontroller back to back with `nicflow bench miss` (docs/benchmarks.md).
# Each controller runs as its own process on a loopback port; the generator runs in another.
# Prints each run's report and the CPU time the controller process used per answered packet-in.
#
#   scripts/bench-miss.sh [CONFIG] [COUNT] [JAR]
#     CONFIG  nicflow config the switches pretend to be (default examples/large.yaml, 10,000 rules)
#     COUNT   packet-ins per run (default 100000)
#     JAR     the controller jar (default: the one ./nicflow builds)
# Environment: NICFLOW_PORT (16653), TESTCONTROLLER_PORT (16700), IN_FLIGHT (64),
#   WARMUP (1): unmeasured runs nicflow serves first (another seed), so the measured one finds its code compiled;
#   JFR=FILE records a JFR profile of nicflow (settings=profile) into FILE.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
CONFIG="${1:-$ROOT/examples/large.yaml}"
COUNT="${2:-100000}"
JAR="${3:-$ROOT/controller/target/controller-0.1.0-SNAPSHOT-all.jar}"
NICFLOW_PORT="${NICFLOW_PORT:-16653}"
TESTCONTROLLER_PORT="${TESTCONTROLLER_PORT:-16700}"
IN_FLIGHT="${IN_FLIGHT:-64}"
WARMUP="${WARMUP:-1}"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -o -DskipTests -pl controller -am package)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

wait_port() {
  local i
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# run NAME PID ARGS...: the generator against a controller process, with that process's CPU time
run() {
  local name="$1" pid="$2" before after report answered
  shift 2
  echo "== $name ($(uptime | sed 's/.*load average/load average/'))"
  before="$(cpu_ticks "$pid")"
  report="$(java -jar "$JAR" bench miss --in-flight "$IN_FLIGHT" --count "$COUNT" "$@")"
  after="$(cpu_ticks "$pid")"
  echo "$report"
  answered="$(sed -n 's/.* sent, \([0-9]*\) answered.*/\1/p' <<<"$report")"
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$answered" \
    'BEGIN { printf "controller CPU    %.1f s, %.1f us per answered packet-in\n", t / hz, n ? 1e6 * t / hz / n : 0 }'
}

jfr=()
[ -n "${JFR:-}" ] && jfr=("-XX:StartFlightRecording=filename=$JFR,settings=profile")
java "${jfr[@]}" -jar "$JAR" run -c "$CONFIG" --openflow "127.0.0.1:$NICFLOW_PORT" --no-api --audit-interval 0 \
  --state-dir "$WORK/state" >"$WORK/nicflow.log" 2>&1 &
PIDS+=($!)
NICFLOW_PID=$!
wait_port "$NICFLOW_PORT"
for i in $(seq 1 "$WARMUP"); do
  echo "== warm-up $i: $(java -jar "$JAR" bench miss --in-flight "$IN_FLIGHT" --count "$COUNT" --seed $((i + 1)) \
    --controller "tcp:127.0.0.1:$NICFLOW_PORT" -c "$CONFIG" | grep throughput)"
done
run "nicflow, $(basename "$CONFIG")" "$NICFLOW_PID" --controller "tcp:127.0.0.1:$NICFLOW_PORT" -c "$CONFIG"
[ -n "${JFR:-}" ] && jcmd "$NICFLOW_PID" JFR.dump name=1 "filename=$JFR" >/dev/null

ovs-testcontroller -O OpenFlow13 "ptcp:$TESTCONTROLLER_PORT:127.0.0.1" --verbose=off >"$WORK/testcontroller.log" 2>&1 &
PIDS+=($!)
TESTCONTROLLER_PID=$!
wait_port "$TESTCONTROLLER_PORT"
switches="$(java -jar "$JAR" validate -c "$CONFIG" 2>/dev/null | sed -n 's/.* \([0-9]*\) hosts.*/\1/p')"
run "ovs-testcontroller" "$TESTCONTROLLER_PID" --controller "tcp:127.0.0.1:$TESTCONTROLLER_PORT" \
  --switches "${switches:-4}"
