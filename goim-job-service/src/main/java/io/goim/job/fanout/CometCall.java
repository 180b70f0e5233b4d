package io.goim.job.fanout;

import com.google.common.util.concurrent.ListenableFuture;
import io.goim.proto.comet.CometGrpc;
import java.util.function.Function;

/**
 * One gRPC call to a comet: the method's name (for metrics and logs), its order key (calls with the
 * same key reach a comet one at a time, in order: a room's id, a push's first key) and how to make it.
 */
record CometCall(String method, int order, Function<CometGrpc.CometFutureStub, ListenableFuture<?>> invoke) {}
