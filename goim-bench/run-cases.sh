#!/usr/bin/env bash
# Runs each of goim-bench's cases against a freshly started system (./run-local.sh) and, where a
# case has one, against the bare Netty broadcast right after it, and prints our figure, the bare
# broadcast's and their ratio. README, "Measured", has a table from one run.
#
#   goim-bench/run-cases.sh [--no-build] [--quick]
#     --quick   every case smaller and shorter (a few minutes), for trying the script out
#   env: JAVA_HOME (a JDK 21+; run-local.sh picks one when unset)
#
# The system and the load tool share this machine: on a small one, the figures hold only next to
# the bare broadcast's measured in the same run. Ports: run-local.sh's, and 4102/4111 for the bare
# broadcast.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/goim-bench/target/cases
BUILD=1 QUICK=0
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    --quick) QUICK=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
if ((QUICK)); then
  STORM=3000 STORM_RATE=1000 CPU_RUN=2000 IDLE=3000 BUSY=3000 BUSY_RATE=40 BUSY_SECONDS=10
  QUIET_PUSHES=15 USERS=2000 MIDS_RATE=500 MIDS_SECONDS=10
else
  STORM=18000 STORM_RATE=3000 CPU_RUN=10000 IDLE=18000 BUSY=18000 BUSY_RATE=40 BUSY_SECONDS=60
  QUIET_PUSHES=120 USERS=10000 MIDS_RATE=1000 MIDS_SECONDS=60
fi

log() { printf '\033[1m[cases]\033[0m %s\n' "$*" >&2; }
mkdir -p "$OUT" && rm -f "$OUT"/*.txt
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

if [[ -z ${JAVA_HOME:-} ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -x $candidate/bin/jcmd ]] && JAVA_HOME=$candidate && break
  done
fi
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java
JCMD=$JAVA_HOME/bin/jcmd
if ((BUILD)); then
  log "building (./mvnw -q -DskipTests package)"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
fi
BENCH=("$JAVA" -Xmx2g -jar "$ROOT"/goim-bench/target/goim-bench-*-exec.jar)

# ---- the system, fresh --------------------------------------------------------------
RUN_LOG=$OUT/run-local.log
"$ROOT/run-local.sh" --no-build >"$RUN_LOG" 2>&1 &
RUN_PID=$!
BARE_PID=
cleanup() {
  [[ -n $BARE_PID ]] && kill "$BARE_PID" 2>/dev/null || true
  kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null || true
}
trap cleanup EXIT
log "starting the system with run-local.sh (log: $RUN_LOG)"
until grep -q 'is running' "$RUN_LOG"; do
  kill -0 "$RUN_PID" 2>/dev/null || { tail -n 30 "$RUN_LOG" >&2; echo "run-local.sh failed" >&2; exit 1; }
  sleep 1
done
# by the port it listens on: another comet jar on this machine (a test run, say) must not be taken
listener_pid() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
COMET_PID=$(listener_pid 3102)
WS=ws://127.0.0.1:3102/sub
CPU=comet=http://127.0.0.1:3108/actuator/prometheus,logic=http://127.0.0.1:3111/actuator/prometheus,job=http://127.0.0.1:3131/actuator/prometheus
ROOM_PUSH='http://127.0.0.1:3111/goim/push/room?operation=1000&type=live&room=1000'
MIDS_PUSH='http://127.0.0.1:3111/goim/push/mids?operation=1000&mids='

bench() { # name command options...: runs the load tool, keeps its report in $OUT/name.txt
  local name=$1; shift
  log "$name: ${*:1:1}"
  "${BENCH[@]}" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err" || true
  cat "$OUT/$name.txt" >&2
}
start_bare() {
  "${BENCH[@]}" bare-server --ws-port 4102 --http-port 4111 >"$OUT/bare.log" 2>&1 &
  BARE_PID=$!
  until grep -q 'bare broadcast server' "$OUT/bare.log"; do sleep 0.2; done
}
stop_bare() { kill "$BARE_PID" 2>/dev/null; wait "$BARE_PID" 2>/dev/null || true; BARE_PID=; }
num() { grep -oE "$2" "$OUT/$1.txt" | head -n 1 | grep -oE '[0-9]+(\.[0-9]+)?' | sed -n "${3:-1}p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# The connect storms run the C client where gcc is there: the Java client spends about 0.7 ms of
# CPU per connect and WebSocket handshake, on the cores the services need (README, Load tool).
STORM_C=
if command -v gcc >/dev/null; then
  STORM_C=$OUT/connect-storm
  gcc -O2 -o "$STORM_C" "$ROOT/goim-bench/src/main/c/connect_storm.c"
fi
cpu_ns() { curl -fs "http://127.0.0.1:$1/actuator/prometheus" | awk '/^process_cpu_time_ns_total / { printf "%.0f", $NF }'; }
storm() { # name clients per-second mid-base
  local name=$1 clients=$2 rate=$3 base=$4 c0 l0 c1 l1
  if [[ -z $STORM_C ]]; then
    bench "$name" connect-storm --ws "$WS" --clients "$clients" --connect-per-second "$rate" --mid-base "$base" --cpu "$CPU"
    return
  fi
  log "$name: connect_storm.c"
  c0=$(cpu_ns 3108) l0=$(cpu_ns 3111)
  "$STORM_C" 3102 "$clients" "$rate" 1000 "$base" >"$OUT/$name.txt" 2>"$OUT/$name.err" || true
  sleep 3 # the Disconnects after the clients left
  c1=$(cpu_ns 3108) l1=$(cpu_ns 3111)
  awk -v c="$((c1 - c0))" -v l="$((l1 - l0))" -v n="$clients" 'BEGIN {
    printf "  cpu comet: %.0f ms in all, %.3f ms per connection (connect, auth, disconnect)\n", c / 1e6, c / 1e6 / n
    printf "  cpu logic: %.0f ms in all, %.3f ms per connection (connect, auth, disconnect)\n", l / 1e6, l / 1e6 / n }' >>"$OUT/$name.txt"
  cat "$OUT/$name.txt" >&2
}

# 1. connect storm, right after the fresh start, then warm
storm storm-fresh $STORM $STORM_RATE 1
storm storm-warm $STORM $STORM_RATE 100001
# 2. CPU per connection, warm, at a rate this machine keeps up with
storm storm-cpu $CPU_RUN 1000 200001

# 5. idle memory: heap after a full GC (plus the JVM's direct buffers), and RSS, per connection
heap() {
  "$JCMD" "$COMET_PID" GC.run >/dev/null
  sleep 1
  curl -fs http://127.0.0.1:3108/actuator/prometheus |
    awk '/^jvm_memory_used_bytes\{.*area="heap"/ || /^jvm_buffer_memory_used_bytes\{.*id="direct"/ { s += $NF } END { printf "%d", s }'
}
rss() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$COMET_PID/status"; }
channels() { curl -fs http://127.0.0.1:3108/actuator/prometheus | awk '/^goim_comet_channels / { printf "%d", $NF }'; }
HEAP0=$(heap) RSS0=$(rss) CH0=$(channels)
log "idle-memory: $IDLE idle connections (heap after GC $HEAP0 B, RSS $RSS0 B before)"
"${BENCH[@]}" connect-storm --ws "$WS" --clients $IDLE --connect-per-second 2000 --mid-base 300001 \
  --hold-ms 300000 >"$OUT/idle.txt" 2>"$OUT/idle.err" &
IDLE_PID=$!
# measured once every client got in, or the count stopped growing for 5 s
last=-1 still=0
for _ in $(seq 1 120); do
  held=$(($(channels) - CH0))
  ((held >= IDLE)) && break
  if ((held == last)); then ((++still >= 5)) && break; else still=0; fi
  last=$held
  sleep 1
done
HELD=$(($(channels) - CH0))
HEAP1=$(heap) RSS1=$(rss)
kill "$IDLE_PID" 2>/dev/null; wait "$IDLE_PID" 2>/dev/null || true
sleep 3 # the Disconnects
HEAP_PER=$(((HEAP1 - HEAP0) / (HELD > 0 ? HELD : 1))) RSS_PER=$(((RSS1 - RSS0) / (HELD > 0 ? HELD : 1)))
echo "idle-memory: $HELD connections held: heap after full GC + direct $HEAP_PER B each, RSS $RSS_PER B each" | tee -a "$OUT/idle.txt" >&2

# 4. quiet room: 2,000 clients, one push a second, ours then bare
bench quiet-ours room-latency --ws "$WS" --push "$ROOM_PUSH" --room live://1000 --clients 2000 \
  --pushes $QUIET_PUSHES --warmup 10 --interval-ms 1000 --connect-per-second 500 --mid-base 400001
start_bare
bench quiet-bare room-latency --ws ws://127.0.0.1:4102/sub --push 'http://127.0.0.1:4111/goim/push/room?operation=1000' \
  --clients 2000 --pushes $QUIET_PUSHES --warmup 10 --interval-ms 1000 --connect-per-second 500
stop_bare

# 3. busy room, ours then bare
bench busy-ours busy-room --ws "$WS" --push "$ROOM_PUSH" --room live://1000 --clients $BUSY \
  --rate $BUSY_RATE --seconds $BUSY_SECONDS --connect-per-second 2000 --mid-base 500001 --cpu "$CPU"
# the bare broadcast writes every push to every client as it comes (nothing merges them): at 40
# pushes a second to 18,000 clients that is 720,000 writes a second, queued in its memory when the
# machine cannot keep up, so it runs for 10 s at most; CPU per delivery is a rate either way
start_bare
bench busy-bare busy-room --ws ws://127.0.0.1:4102/sub --push 'http://127.0.0.1:4111/goim/push/room?operation=1000' \
  --clients $BUSY --rate $BUSY_RATE --seconds $((BUSY_SECONDS < 10 ? BUSY_SECONDS : 10)) --connect-per-second 2000 \
  --cpu "bare=pid:$BARE_PID" --per-delivery bare
stop_bare

# 6. pushes to users, ours then bare
bench mids-ours mids-push --ws "$WS" --push "$MIDS_PUSH" --clients $USERS --rate $MIDS_RATE \
  --seconds $MIDS_SECONDS --connect-per-second 2000 --mid-base 600001 --cpu "$CPU"
start_bare
bench mids-bare mids-push --ws ws://127.0.0.1:4102/sub --push 'http://127.0.0.1:4111/goim/push/mids?operation=1000&mids=' \
  --clients $USERS --rate $MIDS_RATE --seconds $MIDS_SECONDS --connect-per-second 2000 --cpu "bare=pid:$BARE_PID"
stop_bare

# ---- the table --------------------------------------------------------------------
QO50=$(num quiet-ours 'last client.*' 1) QO99=$(num quiet-ours 'last client.*' 3)
QB50=$(num quiet-bare 'last client.*' 1) QB99=$(num quiet-bare 'last client.*' 3)
EO50=$(num quiet-ours 'every receipt.*' 1) EO99=$(num quiet-ours 'every receipt.*' 3)
EB50=$(num quiet-bare 'every receipt.*' 1) EB99=$(num quiet-bare 'every receipt.*' 3)
BUSY_OURS=$(num busy-ours '[0-9.]+ µs per delivery') BUSY_BARE=$(num busy-bare '[0-9.]+ µs per delivery')
BUSY_COMET=$(num busy-ours 'cpu comet: [0-9]+ ms') BUSY_LOGIC=$(num busy-ours 'cpu logic: [0-9]+ ms')
BUSY_JOB=$(num busy-ours 'cpu job: [0-9]+ ms')
MO99=$(num mids-ours 'p99 [0-9.]+' 2) MB99=$(num mids-bare 'p99 [0-9.]+' 2)
{
  echo
  echo "| case | ours | bare Netty broadcast | ratio |"
  echo "|---|---|---|---|"
  echo "| 1. connect storm, fresh: $STORM at $STORM_RATE/s | $(grep -oE 'authenticated [0-9]+, closed by the server [0-9]+ \{[^}]*\}, failed [0-9]+' "$OUT/storm-fresh.txt") | | |"
  echo "| 1. connect storm, warm | $(grep -oE 'authenticated [0-9]+, closed by the server [0-9]+ \{[^}]*\}, failed [0-9]+' "$OUT/storm-warm.txt") | | |"
  echo "| 2. CPU per connect + auth + disconnect ($CPU_RUN at 1000/s, warm) | comet $(num storm-cpu 'cpu comet: .* ms per' 2) ms, logic $(num storm-cpu 'cpu logic: .* ms per' 2) ms | | |"
  echo "| 3. busy room: $BUSY clients, $BUSY_RATE/s for $BUSY_SECONDS s, delivered | $(grep -oE 'delivered [0-9]+ of [0-9]+ \([0-9.]+%\), within [0-9]+ ms [0-9]+ \([0-9.]+%\)' "$OUT/busy-ours.txt") | $(grep -oE 'delivered [0-9]+ of [0-9]+ \([0-9.]+%\), within [0-9]+ ms [0-9]+ \([0-9.]+%\)' "$OUT/busy-bare.txt") | |"
  echo "| 3. busy room: CPU per delivery, µs (comet / bare) | $BUSY_OURS | $BUSY_BARE | $(ratio "$BUSY_OURS" "$BUSY_BARE") |"
  echo "| 3. busy room: logic + job CPU / comet CPU | $(ratio "$((BUSY_LOGIC + BUSY_JOB))" "$BUSY_COMET") | | |"
  echo "| 4. quiet room, last client p50 / p99, ms | $QO50 / $QO99 | $QB50 / $QB99 | +$(awk -v a="$QO50" -v b="$QB50" 'BEGIN{printf "%.1f", a-b}') / +$(awk -v a="$QO99" -v b="$QB99" 'BEGIN{printf "%.1f", a-b}') ms |"
  echo "| 4. quiet room, every receipt p50 / p99, ms | $EO50 / $EO99 | $EB50 / $EB99 | +$(awk -v a="$EO50" -v b="$EB50" 'BEGIN{printf "%.1f", a-b}') / +$(awk -v a="$EO99" -v b="$EB99" 'BEGIN{printf "%.1f", a-b}') ms |"
  echo "| 5. idle connection: heap after full GC + direct / RSS | $HEAP_PER B / $RSS_PER B | | |"
  echo "| 6. pushes by mids: $USERS users, $MIDS_RATE/s, p99 ms | $MO99 ($(grep -oE 'delivered [0-9]+ of [0-9]+' "$OUT/mids-ours.txt")) | $MB99 | +$(awk -v a="$MO99" -v b="$MB99" 'BEGIN{printf "%.1f", a-b}') ms |"
} | tee "$OUT/table.md"
log "reports: $OUT"
