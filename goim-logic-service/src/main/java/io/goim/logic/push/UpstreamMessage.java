package io.goim.logic.push;

/**
 * The value of a record on the upstream topic, as JSON: what a client sent comet with an op that
 * comet does not handle itself (contract section 2), for business services. body is base64 (JSON
 * of a byte array); key and server are "" when comet did not pass them.
 */
public record UpstreamMessage(long mid, String key, String server, int op, int seq, int ver, byte[] body) {}
