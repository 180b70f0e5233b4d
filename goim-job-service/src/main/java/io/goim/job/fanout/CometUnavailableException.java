package io.goim.job.fanout;

/** The comet a push is addressed to is not known (yet) or did not accept the call. */
public final class CometUnavailableException extends RuntimeException {
    CometUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
