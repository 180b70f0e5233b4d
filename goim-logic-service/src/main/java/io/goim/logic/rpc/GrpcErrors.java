package io.goim.logic.rpc;

import io.goim.logic.auth.AuthenticationException;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.concurrent.TimeoutException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;

/**
 * The one mapping of logic's errors to gRPC statuses, for errors thrown by a method and for those
 * that end its reactive reply. A refused token is UNAUTHENTICATED, on which comet closes the
 * connection (contract section 2); a failing Redis or Kafka is UNAVAILABLE.
 */
@Component
final class GrpcErrors implements GrpcExceptionHandler {
    @Override
    public StatusException handleException(Throwable error) {
        return status(error).asException();
    }

    static Status status(Throwable error) {
        if (error instanceof AuthenticationException refused) {
            return Status.UNAUTHENTICATED.withDescription(refused.reason().tag() + ": " + refused.getMessage());
        }
        if (error instanceof IllegalArgumentException bad) {
            return Status.INVALID_ARGUMENT.withDescription(bad.getMessage());
        }
        if (error instanceof TimeoutException) {
            return Status.UNAVAILABLE.withDescription("Redis or Kafka did not answer in time");
        }
        return Status.UNAVAILABLE.withDescription(error.toString()).withCause(error);
    }
}
