package io.goim.proto.frame;

import io.netty.handler.codec.DecoderException;

/** A rejected frame; {@link #error()} says which rule it broke. */
public final class FrameDecodeException extends DecoderException {
    private final FrameError error;

    public FrameDecodeException(FrameError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public FrameError error() {
        return error;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // a rejected frame is an expected outcome on a public port: no stack trace to build
        return this;
    }
}
