package io.goim.logic.web;

/** A request that breaks a rule of the API (a parameter, a limit): code -400 with this message. */
final class RequestException extends RuntimeException {
    RequestException(String message) {
        super(message, null, false, false);
    }
}
