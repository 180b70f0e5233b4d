#!/bin/sh
# Starts a goim service in its container (docker/Dockerfile). Arguments go to Spring Boot, e.g.
# --goim.logic.warmup.pushes=0.
set -e
# Eureka must list the container's own address, not 127.0.0.1 (the services' default for a local
# run): GOIM_HOST_IP, when not given, is the first address of this container's host name
if [ -z "${GOIM_HOST_IP:-}" ]; then
  GOIM_HOST_IP=$(hostname -i | cut -d' ' -f1)
  export GOIM_HOST_IP
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of JVM options
exec java $JAVA_OPTS -jar /application/application.jar "$@"
