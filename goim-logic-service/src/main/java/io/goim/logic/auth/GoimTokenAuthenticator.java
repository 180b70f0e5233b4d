package io.goim.logic.auth;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * goim's mode: the JSON token is trusted as it is, exactly as goim does (contract sections 2 and 8).
 * For compatibility with goim's clients and for local runs; production should use the JWT mode.
 */
final class GoimTokenAuthenticator implements Authenticator {
    private final JsonMapper json;

    GoimTokenAuthenticator(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Identity authenticate(byte[] token, String cookie) {
        GoimToken parsed;
        try {
            parsed = json.readValue(token, GoimToken.class);
        } catch (JacksonException e) {
            throw new AuthenticationException(
                    AuthenticationException.Reason.MALFORMED, "token is not goim's JSON token");
        }
        if (parsed == null) {
            throw new AuthenticationException(AuthenticationException.Reason.MALFORMED, "empty token");
        }
        return new Identity(parsed.mid(), parsed.key(), parsed.roomId(), parsed.platform(), parsed.accepts());
    }
}
