/**
 * The comets that Eureka lists (contract section 7) and the node choice that nodes/weighted and the
 * Nodes RPC give clients: goim's weighted load balancer, preferring the client's region.
 */
package io.goim.logic.node;
