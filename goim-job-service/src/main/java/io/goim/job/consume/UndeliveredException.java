package io.goim.job.consume;

/** Why a record went to the dead-letter topic; its message lands in the record's headers. */
final class UndeliveredException extends RuntimeException {
    UndeliveredException(String message) {
        super(message, null, false, false);
    }
}
