/**
 * Load tools, kept apart from the services: {@link io.goim.bench.RoomLatency} drives many goim
 * WebSocket clients in one room and measures HTTP push to receipt; {@link
 * io.goim.bench.BareBroadcastServer} is a bare Netty WebSocket broadcast with nothing in between,
 * the floor to compare against. The goim wire is written here by hand, not with goim-proto's codec,
 * so that a fault in that codec cannot hide itself in the measurement.
 */
package io.goim.bench;
