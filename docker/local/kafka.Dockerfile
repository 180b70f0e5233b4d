# Stand-in for apache/kafka: the broker jars from Maven Central that run-local.sh uses
# (local/kafka/pom.xml) on the stand-in JRE. Configured like the public image: every KAFKA_*
# variable is a server.properties entry (KAFKA_NODE_ID -> node.id; __ is _, ___ is -),
# CLUSTER_ID formats the storage once, KAFKA_HEAP_OPTS sizes the heap.
ARG JRE_IMAGE=goim-local/jre:25
FROM ${JRE_IMAGE}
RUN useradd --system --create-home --home-dir /home/appuser --shell /bin/bash appuser \
 && mkdir -p /opt/kafka/config /var/lib/kafka/data \
 && chown -R appuser /opt/kafka/config /var/lib/kafka
COPY libs /opt/kafka/libs
COPY log4j2.properties /opt/kafka/config/log4j2.properties
COPY kafka-run.sh /opt/kafka/kafka-run.sh
USER appuser
EXPOSE 9092
CMD ["/opt/kafka/kafka-run.sh"]
