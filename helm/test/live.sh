#!/usr/bin/env bash
# The live half of helm/test.sh --live: the whole system on free ports, goim clients and pushes, a
# real Prometheus scraping it with monitoring/prometheus/alerts.yml loaded; then every dashboard
# query must return data, every alert rule evaluate without error on series that exist, and every
# probe path of the chart answer on the running services.
#
# Runs: a Kafka broker (KRaft, the jars of local/kafka), a redis-server of its own, Eureka, logic,
# job and two comets from their jars (built when missing), Prometheus. logic, job and the comets get
# exactly the environment the chart renders for their containers (helm/test/live-values.yaml: JWT
# auth and a push API key from the Secret the chart makes), plus free ports. The second comet is killed
# (SIGKILL) while pushes go on: job's calls to it fail and are then skipped (it cannot connect),
# and its target goes down, as in a real comet crash. Everything it started is stopped at the end.
#   env: GOIM_LIVE_SECONDS (60) how long the traffic runs; GOIM_LIVE_KEEP=1 leaves it all running
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${GOIM_TOOLS:-$HOME/.cache/goim-helm}
RUN=$ROOT/helm/target/live
LOGS=$RUN/logs
SECONDS_OF_TRAFFIC=${GOIM_LIVE_SECONDS:-60}
PIDS=() NAMES=()

log() { printf '\033[1m[helm-live]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[helm-live] %s\033[0m\n' "$*" >&2; exit 1; }
start_bg() { local name=$1; shift; "$@" >>"$LOGS/$name.log" 2>&1 </dev/null & PIDS+=("$!") NAMES+=("$name"); }
pid_of() { local i; for ((i = 0; i < ${#NAMES[@]}; i++)); do [[ ${NAMES[i]} == "$1" ]] && echo "${PIDS[i]}"; done; }
stop_all() {
  [[ ${GOIM_LIVE_KEEP:-0} == 1 ]] && { log "left running: ${NAMES[*]} (pids ${PIDS[*]})"; return; }
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    for _ in $(seq 1 100); do kill -0 "${PIDS[i]}" 2>/dev/null || break; sleep 0.1; done
    kill -9 "${PIDS[i]}" 2>/dev/null || true
  done
}
trap stop_all EXIT
alive_or_die() { local i; for ((i = 0; i < ${#PIDS[@]}; i++)); do
  [[ ${NAMES[i]} == comet2 && ${COMET2_KILLED:-0} == 1 ]] && continue
  kill -0 "${PIDS[i]}" 2>/dev/null || { tail -n 30 "$LOGS/${NAMES[i]}.log" >&2; die "${NAMES[i]} exited"; }
done; }
wait_for() { # what timeout command...
  local what=$1 timeout=$2 t=0; shift 2
  until "$@" >/dev/null 2>&1; do
    alive_or_die
    ((t++ < timeout)) || die "$what not ready after $timeout s"
    sleep 1
  done
}
free_ports() { # n distinct ports that bind now, below the ephemeral range (where outgoing
  # connections would take them meanwhile) and away from the services' defaults
  python3 -c '
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
ports = set()
while len(ports) < int(sys.argv[1]):
    port = random.randrange(20000, min(low, 32000))
    try:
        with socket.socket() as s:
            s.bind(("0.0.0.0", port))
        ports.add(port)
    except OSError:
        pass
print(" ".join(map(str, ports)))' "$1"; }

# ---- what it needs ----------------------------------------------------------------
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
[[ -x $JAVA ]] || die "no java at $JAVA_HOME (set JAVA_HOME to a JDK 21+)"
command -v redis-server >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
jar() { local j=("$ROOT/$1"/target/"$1"-*-exec.jar); [[ -f ${j[0]} ]] && echo "${j[0]}"; }
if ! jar goim-logic-service >/dev/null || ! jar goim-comet-service >/dev/null || ! jar goim-job-service >/dev/null || ! jar goim-eureka-server >/dev/null; then
  log "building the services (./mvnw -B -q -DskipTests package)"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
fi
KAFKA_LIBS=$TOOLS/kafka-libs
if [[ ! -f $KAFKA_LIBS/.complete || $ROOT/local/kafka/pom.xml -nt $KAFKA_LIBS/.complete ]]; then
  log "copying the Kafka broker jars into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  (cd "$ROOT" && ./mvnw -B -q -f local/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS")
  touch "$KAFKA_LIBS/.complete"
fi
rm -rf "$RUN" && mkdir -p "$LOGS" "$RUN/jars"
# copies under names of their own: a broad pkill aimed at another run of the services spares these
for m in goim-eureka-server goim-logic-service goim-job-service goim-comet-service; do
  cp "$(jar "$m")" "$RUN/jars/helm-live-$m.jar"
done
jar() { echo "$RUN/jars/helm-live-$1.jar"; }

read -r REDIS KAFKA KAFKA_CTL EUREKA LOGIC_HTTP LOGIC_GRPC JOB_HTTP PROM \
  C1_HTTP C1_GRPC C1_WS C1_TCP C2_HTTP C2_GRPC C2_WS C2_TCP <<<"$(free_ports 16)"
log "ports: redis $REDIS kafka $KAFKA eureka $EUREKA logic $LOGIC_HTTP job $JOB_HTTP comet $C1_HTTP/$C1_WS comet2 $C2_HTTP prometheus $PROM"

# ---- Kafka and Redis ----------------------------------------------------------------
start_bg redis redis-server --port "$REDIS" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN"
mkdir -p "$RUN/kafka"
cat >"$RUN/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CTL
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA,CONTROLLER://127.0.0.1:$KAFKA_CTL
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA,CONTROLLER://127.0.0.1:$KAFKA_CTL
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$RUN/kafka/data
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
KJAVA=("$JAVA" "-Dlog4j2.configurationFile=$ROOT/local/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*")
"${KJAVA[@]}" kafka.tools.StorageTool format --standalone -t "$("${KJAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" \
  -c "$RUN/kafka/server.properties" >"$LOGS/kafka-format.log" 2>&1 || die "formatting Kafka failed (see $LOGS/kafka-format.log)"
start_bg kafka "${KJAVA[@]}" -Xmx384m kafka.Kafka "$RUN/kafka/server.properties"
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for Kafka 60 port_open "$KAFKA"
wait_for Redis 20 port_open "$REDIS"

# ---- the services, with the environment the chart gives their containers ------------------
HELM=$TOOLS/layer/helm/helm
"$HELM" template goim "$ROOT/helm/goim" --namespace goim -f "$ROOT/helm/test/live-values.yaml" \
  --set kafka.bootstrapServers="127.0.0.1:$KAFKA" --set redis.host=127.0.0.1 --set redis.port="$REDIS" \
  --set eureka.url="http://127.0.0.1:$EUREKA/eureka/" >"$RUN/chart.yaml" 2> >(grep -v 'found symbolic link' >&2)
chart_env() { # component pod-name: the container's env from the rendered chart (container-env.mjs)
  CHART_ENV=()
  mapfile -d '' CHART_ENV < <(node "$ROOT/helm/test/container-env.mjs" "$RUN/chart.yaml" "$1" "$2") || die "no env for $1"
  ((${#CHART_ENV[@]})) || die "no env for $1"
}
JVM=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=2)
health() { curl -fsS --max-time 3 "http://127.0.0.1:$1/actuator/health" | grep -q '"status":"UP"'; }
# the chart points at an external Eureka here (eureka.enabled=false): this one
EUREKA_PORT=$EUREKA start_bg eureka "$JAVA" "${JVM[@]}" -jar "$(jar goim-eureka-server)"
wait_for Eureka 120 health "$EUREKA"
# the ports are the chart's defaults, taken here: each service gets free ones on top of the chart's env
chart_env logic logic-0
start_bg logic env "${CHART_ENV[@]}" LOGIC_HTTP_PORT="$LOGIC_HTTP" LOGIC_GRPC_PORT="$LOGIC_GRPC" \
  "$JAVA" "${JVM[@]}" -jar "$(jar goim-logic-service)"
chart_env job job-0
start_bg job env "${CHART_ENV[@]}" JOB_HTTP_PORT="$JOB_HTTP" "$JAVA" "${JVM[@]}" -jar "$(jar goim-job-service)"
chart_env comet comet-1
start_bg comet env "${CHART_ENV[@]}" COMET_HTTP_PORT="$C1_HTTP" COMET_GRPC_PORT="$C1_GRPC" COMET_WS_PORT="$C1_WS" \
  COMET_TCP_PORT="$C1_TCP" "$JAVA" "${JVM[@]}" -jar "$(jar goim-comet-service)"
chart_env comet comet-2
start_bg comet2 env "${CHART_ENV[@]}" COMET_HTTP_PORT="$C2_HTTP" COMET_GRPC_PORT="$C2_GRPC" COMET_WS_PORT="$C2_WS" \
  COMET_TCP_PORT="$C2_TCP" "$JAVA" "${JVM[@]}" -jar "$(jar goim-comet-service)"
log "waiting for logic, job and the comets"
for p in "$LOGIC_HTTP" "$JOB_HTTP" "$C1_HTTP" "$C2_HTTP"; do wait_for "the service on $p" 180 health "$p"; done
comets_known() { curl -fsS "http://127.0.0.1:$JOB_HTTP/actuator/health" | grep -q '"count":2'; }
wait_for "job knowing both comets" 60 comets_known

# ---- Prometheus ------------------------------------------------------------------------
cat >"$RUN/prometheus.yml" <<EOF
global: { scrape_interval: 2s, evaluation_interval: 2s }
rule_files: ["$ROOT/monitoring/prometheus/alerts.yml"]
scrape_configs:
  - { job_name: goim-eureka, metrics_path: /actuator/prometheus, static_configs: [{ targets: ["127.0.0.1:$EUREKA"] }] }
  - { job_name: goim-logic, metrics_path: /actuator/prometheus, static_configs: [{ targets: ["127.0.0.1:$LOGIC_HTTP"] }] }
  - { job_name: goim-job, metrics_path: /actuator/prometheus, static_configs: [{ targets: ["127.0.0.1:$JOB_HTTP"] }] }
  - { job_name: goim-comet, metrics_path: /actuator/prometheus, static_configs: [{ targets: ["127.0.0.1:$C1_HTTP", "127.0.0.1:$C2_HTTP"] }] }
EOF
promtool check config "$RUN/prometheus.yml" >/dev/null
start_bg prometheus prometheus --config.file="$RUN/prometheus.yml" --storage.tsdb.path="$RUN/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM" --log.level=warn
wait_for Prometheus 30 curl -fsS "http://127.0.0.1:$PROM/-/ready"

# ---- traffic -------------------------------------------------------------------------------
log "traffic for $SECONDS_OF_TRAFFIC s: goim clients on comet-1, pushes of every type, a stalled TCP client"
GOIM_TEST_JWT_SECRET=$(sed -n 's/^ *secret: *"\(.*\)"/\1/p' "$ROOT/helm/test/live-values.yaml") \
  GOIM_TEST_API_KEY=helm-live-key start_bg traffic node --experimental-websocket --no-warnings "$ROOT/helm/test/live-traffic.mjs" "$C1_WS" "$C1_TCP" "$LOGIC_HTTP" "$SECONDS_OF_TRAFFIC"
sleep 10
log "killing comet-2 (SIGKILL): job's calls to it fail, then are skipped until Eureka forgets it"
kill -9 "$(pid_of comet2)" && COMET2_KILLED=1
wait "$(pid_of comet2)" 2>/dev/null || true
log "a record that is no goim PushMsg on goim-push-topic: job dead-letters it (undecodable)"
printf '~~~~\n' | "${KJAVA[@]}" -Xmx128m org.apache.kafka.tools.ConsoleProducer --bootstrap-server "127.0.0.1:$KAFKA" \
  --topic goim-push-topic >"$LOGS/producer.log" 2>&1 || die "the console producer failed (see $LOGS/producer.log)"
wait_traffic() { # the traffic runs SECONDS_OF_TRAFFIC; a minute more and it hangs
  local pid t=0
  pid=$(pid_of traffic)
  while kill -0 "$pid" 2>/dev/null; do
    ((t++ < SECONDS_OF_TRAFFIC + 60)) || { kill "$pid"; cat "$LOGS/traffic.log" >&2; die "the traffic did not end"; }
    sleep 1
  done
  wait "$pid" || { cat "$LOGS/traffic.log" >&2; die "the traffic failed"; }
}
wait_traffic
cat "$LOGS/traffic.log"
sleep 6   # the last scrapes and rule evaluations

# ---- the checks ------------------------------------------------------------------------------
log "probe paths of the chart on the running services"
node "$ROOT/helm/test/check-probes.mjs" "$ROOT/helm/target/default.yaml" \
  eureka="$EUREKA" logic="$LOGIC_HTTP" job="$JOB_HTTP" comet="$C1_HTTP"
log "every dashboard query and alert rule on Prometheus"
node "$ROOT/helm/test/check-dashboard.mjs" live "$ROOT/monitoring/grafana/dashboards/goim.json" \
  "$ROOT/monitoring/prometheus/alerts.yml" "http://127.0.0.1:$PROM"
log "live checks passed"
