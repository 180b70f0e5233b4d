/** Finds comets in Eureka and calls their gRPC API (contract sections 6 and 7). */
package io.goim.job.fanout;
