package io.goim.logic.auth;

import java.util.Locale;

/** A refused token; the reason is a metric tag and a log value, the message goes back to comet. */
public final class AuthenticationException extends RuntimeException {
    private final Reason reason;

    public AuthenticationException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Why a token was refused. */
    public enum Reason {
        MALFORMED,
        BAD_SIGNATURE,
        EXPIRED,
        MISSING_CLAIM,
        BAD_CLAIM;

        /** The metric tag and log value: {@code bad_signature}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
