#!/bin/bash
# HEALTHCHECK of a goim service image (docker/Dockerfile): HTTP 200 from the actuator's readiness
# group. The port: the service's own variable when set (e.g. LOGIC_HTTP_PORT, named by
# GOIM_HTTP_PORT_VARIABLE), else the image's default GOIM_HTTP_PORT. bash's /dev/tcp, so that
# the image needs no curl or wget.
set -u
port=${GOIM_HTTP_PORT}
if [[ -n ${GOIM_HTTP_PORT_VARIABLE:-} && -n ${!GOIM_HTTP_PORT_VARIABLE:-} ]]; then
  port=${!GOIM_HTTP_PORT_VARIABLE}
fi
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
[[ $status == HTTP/1.?" 200"* ]]
