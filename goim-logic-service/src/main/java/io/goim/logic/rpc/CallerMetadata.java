package io.goim.logic.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

/**
 * ReceiveReq carries only mid and the frame (contract section 6); a comet that wants the upstream
 * record to name the connection sends its key and server id as gRPC metadata {@code goim-key} and
 * {@code goim-server}. Both are optional, so goim's comets still work.
 */
@Component
@GlobalServerInterceptor
final class CallerMetadata implements ServerInterceptor {
    static final Metadata.Key<String> KEY_HEADER = Metadata.Key.of("goim-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SERVER_HEADER = Metadata.Key.of("goim-server", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> KEY = Context.keyWithDefault("goim-key", "");
    static final Context.Key<String> SERVER = Context.keyWithDefault("goim-server", "");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String key = headers.get(KEY_HEADER);
        String server = headers.get(SERVER_HEADER);
        if (key == null && server == null) {
            return next.startCall(call, headers);
        }
        Context context = Context.current()
                .withValue(KEY, key == null ? "" : key)
                .withValue(SERVER, server == null ? "" : server);
        return Contexts.interceptCall(context, call, headers, next);
    }
}
