package io.goim.job.fanout;

import io.goim.proto.comet.CometGrpc;
import java.util.function.Consumer;

/** One gRPC call to a comet: the method's name (for metrics and logs) and how to make it. */
record CometCall(String method, Consumer<CometGrpc.CometBlockingStub> invoke) {}
