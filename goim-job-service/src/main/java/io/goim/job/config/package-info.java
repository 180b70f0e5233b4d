/** job's configuration: the {@code goim.job} property tree and the Kafka listener container. */
package io.goim.job.config;
