#!/bin/bash
# Entry point of the goim-local/kafka stand-in (kafka.Dockerfile): the public apache/kafka
# image's configuration by environment, for a KRaft broker.
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
for var in $(compgen -e); do
  case $var in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS | KAFKA_VERSION) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  name=${var#KAFKA_}
  name=${name,,}
  name=${name//___/-}
  name=${name//__/@}
  name=${name//_/.}
  name=${name//@/_}
  printf '%s=%s\n' "$name" "${!var}" >>"$props"
done
grep -q '^log.dirs=' "$props" || echo "log.dirs=/var/lib/kafka/data" >>"$props"
java=(java -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*')
# the public image's default cluster id when none is given
"${java[@]}" kafka.tools.StorageTool format --ignore-formatted -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$props"
# shellcheck disable=SC2086 # option lists
exec "${java[@]}" ${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G} ${KAFKA_JVM_PERFORMANCE_OPTS:-} ${KAFKA_OPTS:-} kafka.Kafka "$props"
