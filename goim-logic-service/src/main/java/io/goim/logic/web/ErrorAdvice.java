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
        String message = e instanceof ServerWebInputException input ? input.getReason() : e.getMessage();
        return Reply.error(Reply.REQUEST_ERROR, message);
    }

    @ExceptionHandler(TimeoutException.class)
    Reply timeout(TimeoutException e) {
        log.warn("request failed reason=timeout error={}", e.getMessage());
        return Reply.error(Reply.SERVER_ERROR, "server error: Redis or Kafka did not answer in time");
    }

    @ExceptionHandler(Exception.class)
    Reply serverError(Exception e) {
        log.warn("request failed error={}", e.toString());
        return Reply.error(Reply.SERVER_ERROR, "server error: " + e.getMessage());
    }
}
