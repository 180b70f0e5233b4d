/**
 * Finds comets in Eureka and calls their gRPC API (contract sections 6 and 7): one reused channel and
 * one ordered, bounded lane per comet, with bounded retries.
 */
package io.goim.job.fanout;
