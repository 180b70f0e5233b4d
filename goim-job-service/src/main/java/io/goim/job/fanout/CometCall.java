package io.goim.job.fanout;

import com.google.common.util.concurrent.ListenableFuture;
import io.goim.proto.comet.CometGrpc;
import java.util.function.Function;

/** One gRPC call to a comet: the method's name (for metrics and logs) and how to make it. */
record CometCall(String method, Function<CometGrpc.CometFutureStub, ListenableFuture<?>> invoke) {}
