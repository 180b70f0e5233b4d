/**
 * Client connections: the goim protocol state machine shared by every transport, and the
 * transports themselves (contract section 2).
 */
package io.goim.comet.transport;
