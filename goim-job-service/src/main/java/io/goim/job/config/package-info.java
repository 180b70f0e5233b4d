/** job's configuration: the {@code goim.job} property tree and the Kafka listener set-up. */
package io.goim.job.config;
