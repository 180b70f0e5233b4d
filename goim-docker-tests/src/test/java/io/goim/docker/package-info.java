/**
 * The container path of goim on a real Docker engine: the images that {@code docker/build-images.sh}
 * builds, the root {@code docker-compose.yml} brought up with Testcontainers, goim clients and
 * Prometheus queries through the ports it publishes on 127.0.0.1. Skipped where no engine answers.
 */
package io.goim.docker;
