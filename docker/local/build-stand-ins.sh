#!/usr/bin/env bash
# Builds local stand-ins for the public images that docker-compose.yml and the service images
# use, for a machine where no container registry answers (like this project's CI):
#
#   goim-local/debian:bookworm   Debian bookworm minbase (mmdebstrap | docker import)
#   goim-local/jre:25            + a JRE made with jlink from the JDK here   (eclipse-temurin:25-jre)
#   goim-local/redis:7           + Debian's redis-server                     (redis:7)
#   goim-local/kafka:<version>   + the Kafka broker jars from Maven Central  (apache/kafka)
#   goim-local/prometheus:2      + Debian's prometheus                       (prom/prometheus)
#
# Grafana is not packaged for Debian: there is no stand-in for it.
# An image that exists already is kept; --force rebuilds them all. Prints, at the end, the
# variables that point docker-compose.yml and docker/build-images.sh at the stand-ins
# (also written to .docker-local/images.env).
#
#   docker/local/build-stand-ins.sh [--force]
#   env: JAVA_HOME (a JDK 25 with jlink; default: the one java on PATH belongs to), DOCKER_HOST
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/docker/local
STAGE=$ROOT/.docker-local
FORCE=0
[[ ${1:-} == --force ]] && FORCE=1

log() { printf '[stand-ins] %s\n' "$*"; }
die() { printf '[stand-ins] %s\n' "$*" >&2; exit 1; }
have() { [[ $FORCE == 0 ]] && docker image inspect "$1" >/dev/null 2>&1; }
build() { # image dockerfile context [build args...]
  local image=$1 file=$2 context=$3; shift 3
  log "building $image"
  docker build -q -t "$image" -f "$file" "$@" "$context" >/dev/null
}

command -v docker >/dev/null || die "no docker CLI"
docker info >/dev/null 2>&1 || die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
[[ -x $JAVA_HOME/bin/jlink ]] || die "no jlink in JAVA_HOME=$JAVA_HOME; point JAVA_HOME at a JDK 25"
JAVA_MAJOR=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
KAFKA_VERSION=$(cd "$ROOT" && ./mvnw -B -q -f local/kafka/pom.xml help:evaluate -Dexpression=kafka.version -DforceStdout 2>/dev/null)
[[ $KAFKA_VERSION =~ ^[0-9.]+$ ]] || die "could not read kafka.version from local/kafka/pom.xml"

DEBIAN=goim-local/debian:bookworm
JRE=goim-local/jre:$JAVA_MAJOR
REDIS=goim-local/redis:7
KAFKA=goim-local/kafka:$KAFKA_VERSION
PROMETHEUS=goim-local/prometheus:2
mkdir -p "$STAGE"

if ! have "$DEBIAN"; then
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap)"
  log "building $DEBIAN with mmdebstrap (about a minute)"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm - | docker import - "$DEBIAN" >/dev/null
fi

if ! have "$JRE"; then
  rm -rf "$STAGE/jre" && mkdir -p "$STAGE/jre"
  # the modules of a full JRE (java.se) and the jdk.* ones that servers, JFR and jcmd use
  "$JAVA_HOME/bin/jlink" --output "$STAGE/jre/jre" --strip-debug --no-man-pages --no-header-files \
    --add-modules java.se,jdk.attach,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.httpserver,jdk.jcmd,jdk.jfr,jdk.localedata,jdk.management,jdk.management.agent,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.unsupported,jdk.zipfs
  build "$JRE" "$HERE/jre.Dockerfile" "$STAGE/jre" --build-arg DEBIAN_IMAGE="$DEBIAN"
fi

have "$REDIS" || build "$REDIS" "$HERE/redis.Dockerfile" "$HERE" --build-arg DEBIAN_IMAGE="$DEBIAN"
have "$PROMETHEUS" || build "$PROMETHEUS" "$HERE/prometheus.Dockerfile" "$HERE" --build-arg DEBIAN_IMAGE="$DEBIAN"

if ! have "$KAFKA"; then
  rm -rf "$STAGE/kafka" && mkdir -p "$STAGE/kafka"
  log "copying the Kafka $KAFKA_VERSION jars (local/kafka/pom.xml)"
  (cd "$ROOT" && ./mvnw -B -q -f local/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$STAGE/kafka/libs")
  cp "$ROOT/local/kafka/log4j2.properties" "$HERE/kafka-run.sh" "$STAGE/kafka/"
  build "$KAFKA" "$HERE/kafka.Dockerfile" "$STAGE/kafka" --build-arg JRE_IMAGE="$JRE"
fi

cat >"$STAGE/images.env" <<ENV
GOIM_BASE_IMAGE=$JRE
KAFKA_IMAGE=$KAFKA
REDIS_IMAGE=$REDIS
PROMETHEUS_IMAGE=$PROMETHEUS
ENV
log "done; to use them:"
sed 's/^/  export /' "$STAGE/images.env"
