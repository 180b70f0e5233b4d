/** WebSocket {@code /sub} on Reactor Netty: one goim frame per binary message (contract section 2). */
package io.goim.comet.transport.websocket;
