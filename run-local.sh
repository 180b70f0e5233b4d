#!/usr/bin/env bash
# Starts goim for the JVM locally, without Docker: a real Kafka broker (KRaft, from Maven
# Central jars), Redis (the one on REDIS_PORT, else the redis-server binary shipped in
# embedded-redis), then eureka, logic, job and comet. Ctrl-C stops everything it started.
#
#   ./run-local.sh [--no-build]
#   env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), REDIS_PORT (6379)
#        GOIM_LOCAL_ONLY_INFRA=1 starts only Kafka and Redis (for trying the script out)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$ROOT/.run-local
LOGS=$RUN/logs
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
REDIS_PORT=${REDIS_PORT:-6379}
ONLY_INFRA=${GOIM_LOCAL_ONLY_INFRA:-0}
SERVICE_PORTS="8761 3111 3119 3131 3108 3101 3102 3109"
BUILD=1
NAMES=() PIDS=()   # processes this script started, in start order

log() { printf '\033[1m[run-local]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[run-local] %s\033[0m\n' "$*" >&2; exit 1; }
mvnw() { # ./mvnw without the JDK 24+ warnings about Maven's own use of sun.misc.Unsafe
  "$ROOT/mvnw" "$@" 2> >(grep -v -E 'sun\.misc\.Unsafe|terminally deprecated method|reporting this to the maintainers' >&2)
}
tail_log() { echo "----- last lines of $LOGS/$1.log -----" >&2; tail -n 40 "$LOGS/$1.log" >&2 || true; }

# ---- processes --------------------------------------------------------------------
start_bg() { # name command... : runs in the background, output appended to logs/<name>.log
  local name=$1; shift
  "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  NAMES+=("$name") PIDS+=("$!")
}
alive() { kill -0 "$1" 2>/dev/null; }
any_alive() { local p; for p; do alive "$p" && return 0; done; return 1; }
stop_group() { # names...: TERM them together, up to 30 s for a clean exit, then KILL
  local i n p pids=() t=0
  for ((i = 0; i < ${#NAMES[@]}; i++)); do
    for n; do
      [[ ${NAMES[i]} == "$n" ]] && alive "${PIDS[i]}" || continue
      log "stopping $n (pid ${PIDS[i]})"
      kill -TERM "${PIDS[i]}" 2>/dev/null || true
      pids+=("${PIDS[i]}")
    done
  done
  ((${#pids[@]})) || return 0
  while any_alive "${pids[@]}" && ((t < 300)); do sleep 0.1; t=$((t + 1)); done
  for p in "${pids[@]}"; do
    alive "$p" && { log "pid $p did not stop in 30 s, killing it"; kill -KILL "$p" 2>/dev/null || true; }
    wait "$p" 2>/dev/null || true
  done
}
stop_all() { # the services (eureka last, so that the others can deregister), then Kafka, then Redis
  trap '' INT TERM
  stop_group logic job comet; stop_group eureka; stop_group kafka; stop_group redis
}
check_alive() { # fails (and says which) when a started process has exited
  local i
  for ((i = 0; i < ${#NAMES[@]}; i++)); do
    alive "${PIDS[i]}" || { tail_log "${NAMES[i]}"; die "${NAMES[i]} (pid ${PIDS[i]}) exited unexpectedly; stopping everything"; }
  done
}
trap 'stop_all' EXIT
trap 'echo; log "interrupted"; exit 130' INT
trap 'exit 143' TERM

# ---- network probes with bash's /dev/tcp (no curl, nc or redis-cli needed) ----------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
redis_pong() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null
}
http_ok() { # port path: the body of a 200 response, else fails (health says 503 when not UP)
  if command -v curl >/dev/null; then curl -fs --max-time 3 "http://127.0.0.1:$1$2"; return; fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 &&
    IFS= read -r -t 3 line <&3 && [[ $line == HTTP/1.?\ 200* ]] && while IFS= read -r -t 3 line <&3 || [[ -n $line ]]; do echo "$line"; line=; done) 2>/dev/null
}
wait_until() { # name timeout-seconds probe...: polls the probe; fails on timeout or when anything died
  local name=$1 timeout=$2; shift 2
  SECONDS=0
  until "$@"; do
    check_alive
    ((SECONDS < timeout)) || { tail_log "$name"; die "$name not ready after ${timeout} s"; }
    sleep 1
  done
}
health_up() { http_ok "$1" /actuator/health | grep -q '"status" *: *"UP"'; }

# ---- JDK --------------------------------------------------------------------------
java_major() { local v; v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}'); v=${v#1.}; echo "${v%%[.+_-]*}"; }
java_home_of() { "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/^ *java.home =/ {print $2; exit}'; }
pick_jdk() { # $JAVA_HOME, then java on PATH, then the newest JDK >= 21 in the usual folders
  local java best="" best_v=0 v
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java && $(java_major "$JAVA_HOME/bin/java") -ge 21 ]]; then return; fi
  if java=$(command -v java) && [[ $(java_major "$java") -ge 21 ]]; then JAVA_HOME=$(java_home_of "$java"); return; fi
  for java in /usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    [[ -x $java ]] || continue
    v=$(java_major "$java"); [[ $v =~ ^[0-9]+$ ]] || continue
    if ((v >= 21 && v > best_v)); then best=$java best_v=$v; fi
  done
  [[ -n $best ]] || die "no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm, /Library/Java); install one or set JAVA_HOME"
  JAVA_HOME=$(java_home_of "$best")
}

# ---- Kafka ------------------------------------------------------------------------
start_kafka() {
  local dir=$RUN/kafka libs=$RUN/kafka/libs java cluster_id
  if [[ ! -f $libs/.complete || $ROOT/local/kafka/pom.xml -nt $libs/.complete ]]; then
    log "copying the Kafka broker jars into $libs"
    rm -rf "$libs"
    mvnw -B -q -f "$ROOT/local/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs"
    touch "$libs/.complete"
  fi
  rm -rf "$dir/data" && mkdir -p "$dir/data"   # a fresh cluster at each start
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  java=("$JAVA_HOME/bin/java" "-Dlog4j2.configurationFile=$ROOT/local/kafka/log4j2.properties" -cp "$libs/*")
  cluster_id=$("${java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  "${java[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$dir/server.properties" \
    >"$LOGS/kafka.log" 2>&1 || { tail_log kafka; die "formatting the Kafka data folder failed"; }
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (cluster $cluster_id)"
  start_bg kafka "${java[@]}" -Xmx512m kafka.Kafka "$dir/server.properties"
  wait_until kafka 60 port_open "$KAFKA_PORT"
}

# ---- Redis ------------------------------------------------------------------------
start_redis() {
  local dir=$RUN/redis os arch jar entry bin
  if redis_pong "$REDIS_PORT"; then log "using the Redis that answers on 127.0.0.1:$REDIS_PORT"; return; fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is in use but does not answer PING like Redis; set REDIS_PORT"
  case $(uname -s) in Linux) os=linux ;; Darwin) os=darwin ;; *) die "no embedded redis-server for $(uname -s); start Redis yourself" ;; esac
  case $(uname -m) in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; i?86) arch=386 ;; *) die "no embedded redis-server for $(uname -m)" ;; esac
  if [[ ! -f $dir/libs/.complete || $ROOT/local/redis/pom.xml -nt $dir/libs/.complete ]]; then
    log "no Redis on 127.0.0.1:$REDIS_PORT; copying embedded-redis into $dir/libs"
    rm -rf "$dir/libs"
    mvnw -B -q -f "$ROOT/local/redis/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/libs"
    touch "$dir/libs/.complete"
  fi
  jar=$(ls "$dir"/libs/embedded-redis-*.jar)
  if [[ -x $JAVA_HOME/bin/jar ]]; then
    entry=$("$JAVA_HOME/bin/jar" tf "$jar" | grep -E "^redis-server-[^/]*-$os-$arch\$" | sort | tail -n 1) || true
    [[ -z $entry || -x $dir/$entry ]] || (cd "$dir" && "$JAVA_HOME/bin/jar" xf "$jar" "$entry")
  else
    entry=$(unzip -Z1 "$jar" | grep -E "^redis-server-[^/]*-$os-$arch\$" | sort | tail -n 1) || true
    [[ -z $entry || -x $dir/$entry ]] || unzip -q -o "$jar" "$entry" -d "$dir"
  fi
  [[ -n $entry ]] || die "embedded-redis has no redis-server for $os-$arch; start Redis yourself"
  bin=$dir/$entry && chmod +x "$bin"
  log "starting $entry on 127.0.0.1:$REDIS_PORT"
  start_bg redis "$bin" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$dir"
  wait_until redis 20 redis_pong "$REDIS_PORT"
}

# ---- services ---------------------------------------------------------------------
service_jar() {
  local jars=("$ROOT/$1"/target/"$1"-*-exec.jar)
  [[ -f ${jars[0]} ]] || die "no $1/target/$1-*-exec.jar; run ./run-local.sh without --no-build"
  echo "${jars[0]}"
}
start_service() { # name module health-port [args...]
  local name=$1 module=$2 port=$3 jar; shift 3
  jar=$(service_jar "$module")
  log "starting $name ($(basename "$jar"))"
  # logic and job: C1 only. Their work is framework glue whose C2 compilations never settled
  # (C2 still held 15% of a core after 8,000 warm-up pushes, recompiling what it had just
  # deoptimized), and C1 alone halved their CPU per push (README, Measured). GOIM_JAVA_OPTS (every
  # service) and GOIM_<NAME>_JAVA_OPTS (one: GOIM_LOGIC_JAVA_OPTS, ...) come after, so
  # -XX:TieredStopAtLevel=4 there brings C2 back.
  local jit=() own="GOIM_${name^^}_JAVA_OPTS"
  [[ $name == logic || $name == job ]] && jit=(-XX:TieredStopAtLevel=1)
  # shellcheck disable=SC2086 # GOIM_JAVA_OPTS and GOIM_<NAME>_JAVA_OPTS are lists of JVM options
  start_bg "$name" "$JAVA_HOME/bin/java" -Xmx384m "${jit[@]}" ${GOIM_JAVA_OPTS:-} ${!own:-} -jar "$jar" "$@"
}
wait_healthy() { log "waiting for $1 (http://127.0.0.1:$2/actuator/health)"; wait_until "$1" 120 health_up "$2"; }
WARMUP_END='push warm-up (done|stopped|given up|broke)'
wait_warmup() { # logic's push warm-up (README, logic): until it ends, pushes are slow and compete with it
  [[ ${GOIM_WARMUP_PUSHES:-} == 0 ]] && return 0
  log "waiting for logic's push warm-up (${GOIM_WARMUP_PUSHES:-8000} pushes through Kafka, job and comet; GOIM_WARMUP_PUSHES=0 skips it)"
  local t=0
  until grep -qE "$WARMUP_END" "$LOGS/logic.log"; do
    check_alive
    ((t++ < 3000)) || { log "the warm-up is still running after 300 s; going on"; return 0; }
    sleep 0.1
  done
  log "$(grep -oE "$WARMUP_END.*" "$LOGS/logic.log" | tail -n 1)"
}

# ---- main -------------------------------------------------------------------------
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $arg (try --help)" ;;
  esac
done
cd "$ROOT"
pick_jdk && export JAVA_HOME
log "JDK: $JAVA_HOME (Java $(java_major "$JAVA_HOME/bin/java"))"
ports="$KAFKA_PORT $KAFKA_CONTROLLER_PORT"; [[ $ONLY_INFRA == 1 ]] || ports="$SERVICE_PORTS $ports"
for p in $ports; do port_open "$p" && die "port $p is already in use (another run-local.sh? see: lsof -i :$p)"; done
mkdir -p "$LOGS" && rm -f "$LOGS"/*.log

if [[ $ONLY_INFRA != 1 && $BUILD == 1 ]]; then
  log "building the services (./mvnw -B -q -DskipTests package)"
  mvnw -B -q -DskipTests package
fi
[[ $ONLY_INFRA == 1 ]] || for m in goim-eureka-server goim-logic-service goim-job-service goim-comet-service; do service_jar "$m" >/dev/null; done
start_kafka
start_redis

if [[ $ONLY_INFRA != 1 ]]; then
  start_service eureka goim-eureka-server 8761
  wait_healthy eureka 8761
  common=(--spring.kafka.bootstrap-servers="127.0.0.1:$KAFKA_PORT" --spring.data.redis.host=127.0.0.1
    --spring.data.redis.port="$REDIS_PORT" --eureka.client.service-url.defaultZone=http://127.0.0.1:8761/eureka/)
  start_service logic goim-logic-service 3111 "${common[@]}"
  start_service job goim-job-service 3131 "${common[@]}"
  start_service comet goim-comet-service 3108 "${common[@]}"
  wait_healthy logic 3111 && wait_healthy job 3131 && wait_healthy comet 3108
  wait_warmup
fi

cat <<EOF

  goim for the JVM is running.
    Kafka           127.0.0.1:$KAFKA_PORT   (controller $KAFKA_CONTROLLER_PORT)
    Redis           127.0.0.1:$REDIS_PORT
EOF
[[ $ONLY_INFRA == 1 ]] || cat <<EOF
    Eureka          http://127.0.0.1:8761
    push API        http://127.0.0.1:3111/goim/push/...
    Swagger UI      http://127.0.0.1:3111/swagger-ui.html
    comet WebSocket ws://127.0.0.1:3102/sub   (TCP 127.0.0.1:3101)
    gRPC            comet 127.0.0.1:3109, logic 127.0.0.1:3119
    Prometheus      http://127.0.0.1:{8761,3111,3131,3108}/actuator/prometheus

  Try:  curl -d 'hello' 'http://127.0.0.1:3111/goim/push/mids?operation=1000&mids=123'
EOF
cat <<EOF
    logs            $LOGS

  Ctrl-C stops everything.
EOF

while true; do check_alive; sleep 1; done
