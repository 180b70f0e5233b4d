package io.goim.logic.auth;

/** Turns the token of a Connect call into the identity of the connection, or refuses it. */
public interface Authenticator {
    /**
     * @param token the op-7 body as comet received it
     * @param cookie the WebSocket Cookie header ("" when none)
     * @throws AuthenticationException when the token is malformed, forged, expired or lacks a claim
     */
    Identity authenticate(byte[] token, String cookie);
}
