#!/usr/bin/env bash
# Builds the image of every goim service (docker/Dockerfile) from the services' executable jars:
#
#   goim-jvm/eureka-server  goim-jvm/logic  goim-jvm/job  goim-jvm/comet
#
# each tagged with the project's version and "latest". Runs ./mvnw -DskipTests package first
# unless --no-build (the jars in */target are then used as they are).
#
#   docker/build-images.sh [--no-build]
#   env: GOIM_BASE_IMAGE   the JRE image to build on (default: the Dockerfile's, eclipse-temurin:25-jre)
#        GOIM_IMAGE_PREFIX the images' names before the service (default: goim-jvm/)
#        DOCKER_HOST       the engine to build with
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${GOIM_IMAGE_PREFIX:-goim-jvm/}
BUILD=1
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done
log() { printf '[build-images] %s\n' "$*"; }

cd "$ROOT"
docker info >/dev/null 2>&1 || { echo "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})" >&2; exit 1; }
if [[ $BUILD == 1 ]]; then
  log "./mvnw -B -q -DskipTests package"
  ./mvnw -B -q -DskipTests package
fi
VERSION=$(sed -n '/<artifactId>goim-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' pom.xml)
[[ -n $VERSION ]] || { echo "could not read the project version from pom.xml" >&2; exit 1; }

base=()
[[ -n ${GOIM_BASE_IMAGE:-} ]] && base=(--build-arg "BASE_IMAGE=$GOIM_BASE_IMAGE")
# image  module  actuator-port  its-variable  exposed ports (README's table)
while read -r image module http variable ports; do
  ls "$module"/target/"$module"-*-exec.jar >/dev/null 2>&1 \
    || { echo "no $module/target/$module-*-exec.jar; run without --no-build" >&2; exit 1; }
  log "building $PREFIX$image:$VERSION (${GOIM_BASE_IMAGE:-eclipse-temurin:25-jre})"
  docker build -q -f docker/Dockerfile "${base[@]}" \
    --build-arg "MODULE=$module" --build-arg "HTTP_PORT=$http" --build-arg "HTTP_PORT_VARIABLE=$variable" \
    --build-arg "PORTS=${ports//,/ }" -t "$PREFIX$image:$VERSION" -t "$PREFIX$image:latest" . >/dev/null
done <<TABLE
eureka-server goim-eureka-server 8761 EUREKA_PORT 8761
logic goim-logic-service 3111 LOGIC_HTTP_PORT 3111,3119
job goim-job-service 3131 JOB_HTTP_PORT 3131
comet goim-comet-service 3108 COMET_HTTP_PORT 3101,3102,3103,3108,3109
TABLE
log "done: ${PREFIX}{eureka-server,logic,job,comet}:{$VERSION,latest}"
