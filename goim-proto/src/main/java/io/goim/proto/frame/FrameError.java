package io.goim.proto.frame;

/** Why a frame was rejected; goim closes the connection on each of these (contract section 2). */
public enum FrameError {
    /** packLen above the allowed maximum (goim: 16 + 4096 for client frames). */
    PACK_LENGTH_TOO_LARGE,
    /** packLen below zero. */
    PACK_LENGTH_NEGATIVE,
    /**
     * packLen from 0 to 15: shorter than the header it heads. goim reads it as an empty body; no goim
     * client writes one, so this project closes the connection instead.
     */
    PACK_LENGTH_TOO_SMALL,
    /** headerLen other than 16. */
    HEADER_LENGTH,
    /** A WebSocket message shorter than the 16-byte header. */
    MESSAGE_TOO_SHORT,
    /** A WebSocket message shorter than the packLen it declares (goim would fail slicing it). */
    MESSAGE_SHORTER_THAN_PACK_LENGTH
}
