package io.goim.logic.web;

import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebInputException;

/** Turns every error into goim's envelope, with HTTP 200 as goim answers (contract section 3). */
@RestControllerAdvice
class ErrorAdvice {
    private static final Logger log = LoggerFactory.getLogger(ErrorAdvice.class);

    @ExceptionHandler({
        ServerWebInputException.class,
        IllegalArgumentException.class,
        RequestException.class,
        DataBufferLimitException.class
    })
    Reply badRequest(Exception e) {
        return replyFor(e);
    }

    @ExceptionHandler(Exception.class)
    Reply serverError(Exception e) {
        return replyFor(e);
    }

    /**
     * The envelope for an error, wherever it was raised (a controller, or {@link PushRoute}): -400
     * with its message for a request that breaks a rule, -500 for a dependency that failed or did
     * not answer in time.
     */
    static Reply replyFor(Throwable e) {
        if (e instanceof ServerWebInputException input) {
            return Reply.error(Reply.REQUEST_ERROR, input.getReason());
        }
        if (e instanceof RequestException
                || e instanceof IllegalArgumentException
                || e instanceof DataBufferLimitException) {
            return Reply.error(Reply.REQUEST_ERROR, e.getMessage());
        }
        if (e instanceof TimeoutException) {
            log.warn("request failed reason=timeout error={}", e.getMessage());
            return Reply.error(Reply.SERVER_ERROR, "server error: Redis or Kafka did not answer in time");
        }
        log.warn("request failed error={}", e.toString());
        return Reply.error(Reply.SERVER_ERROR, "server error: " + e.getMessage());
    }
}
