package io.goim.logic.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.goim.logic.config.LogicProperties.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * The auth-token parsers against any token (issue 14): goim's JSON token and JWTs with any header
 * (alg none, other algorithms, junk), any claims (expired, wrong issuer or audience, non-numeric
 * sub, junk JSON) and any signature. The only exception is {@link AuthenticationException}, which
 * logic answers as a refusal (comet closes with 4002); a JWT is accepted exactly when it is HS256,
 * signed with the configured secret, unexpired, from the configured issuer for the configured
 * audience, with a numeric sub, and then its mid is that sub.
 *
 * <p>{@code ./mvnw verify} fuzzes it for a bounded time (logic's pom, execution {@code fuzz-tokens});
 * regression inputs are in {@code TokenFuzzTestInputs}.
 */
class TokenFuzzTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private static final String ISSUER = "goim-issuer";
    private static final String AUDIENCE = "goim-comet";
    private static final long SKEW_SECONDS = 5;
    private static final String[] ALGS = {"HS256", "none", "HS384", "RS256", "ES256", "hs256", ""};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GoimTokenAuthenticator goim = new GoimTokenAuthenticator(JSON);
    private final JwtAuthenticator jwt = new JwtAuthenticator(new Jwt(
            SECRET,
            null,
            null,
            ISSUER,
            AUDIENCE,
            "key",
            "room_id",
            "accepts",
            "platform",
            Duration.ofSeconds(SKEW_SECONDS)));

    @FuzzTest(maxDuration = "20s")
    void aTokenIsAcceptedOnlyWhenValidAndRefusedOtherwise(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0 -> goimToken(data.consumeRemainingAsBytes());
            case 1 -> rawJwt(data.consumeRemainingAsString());
            default -> structuredJwt(data);
        }
    }

    private void goimToken(byte[] token) {
        try {
            goim.authenticate(token, "");
        } catch (AuthenticationException refused) {
            assertThat(refused.reason()).isEqualTo(AuthenticationException.Reason.MALFORMED);
        }
    }

    private void rawJwt(String token) {
        try {
            jwt.authenticate(token.getBytes(StandardCharsets.UTF_8), "");
            throw new AssertionError("accepted a token nobody signed: " + token);
        } catch (AuthenticationException refused) {
            // the only way out
        }
    }

    private void structuredJwt(FuzzedDataProvider data) {
        String alg = data.pickValue(ALGS);
        boolean rightKey = data.consumeBoolean();
        boolean junkClaims = data.consumeInt(0, 7) == 0;
        long now = Instant.now().getEpochSecond();
        String sub = data.consumeBoolean() ? Long.toString(data.consumeLong()) : data.consumeString(24);
        long exp = data.consumeBoolean() ? now + data.consumeInt(-600, 600) : data.consumeLong();
        String issuer = data.consumeBoolean() ? ISSUER : data.consumeString(16);
        String audience = data.consumeBoolean() ? AUDIENCE : data.consumeString(16);
        Map<String, Object> claims = new LinkedHashMap<>();
        if (data.consumeInt(0, 15) != 0) {
            claims.put("sub", sub);
        }
        if (data.consumeInt(0, 15) != 0) {
            claims.put("exp", exp);
        }
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("room_id", data.consumeString(16));
        claims.put("accepts", List.of(1000, 1001));
        boolean junkHeader = data.consumeInt(0, 7) == 0;
        String header = junkHeader ? data.consumeString(64) : JSON.writeValueAsString(Map.of("alg", alg, "typ", "JWT"));
        String payload = junkClaims ? data.consumeString(128) : JSON.writeValueAsString(claims);
        String signingInput = base64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + base64(payload.getBytes(StandardCharsets.UTF_8));
        String signature = rightKey ? base64(hmac(SECRET, signingInput)) : base64(data.consumeBytes(32));
        String token = signingInput + "." + signature;

        boolean valid = rightKey
                && alg.equals("HS256")
                && !junkHeader
                && !junkClaims
                && claims.containsKey("sub")
                && claims.containsKey("exp")
                && isLong(sub)
                && exp > now + SKEW_SECONDS + 5
                // nimbus refuses an exp whose milliseconds plus the clock skew overflow: no real expiry
                && exp < now + TimeUnit.DAYS.toSeconds(365 * 100)
                && issuer.equals(ISSUER)
                && audience.equals(AUDIENCE);
        Identity identity;
        try {
            identity = jwt.authenticate(token.getBytes(StandardCharsets.UTF_8), "");
        } catch (AuthenticationException refused) {
            assertThat(valid)
                    .as("refused a valid token (%s): %s", refused.getMessage(), token)
                    .isFalse();
            return;
        }
        assertThat(rightKey && "HS256".equals(alg(header)))
                .as("accepted a token not signed by our key with HS256: %s", token)
                .isTrue();
        if (junkClaims) {
            return;
        }
        assertThat(identity.mid()).isEqualTo(Long.parseLong(sub));
        assertThat(issuer).isEqualTo(ISSUER);
        assertThat(audience).isEqualTo(AUDIENCE);
        assertThat(exp).isGreaterThan(now - SKEW_SECONDS - 5).isLessThan(Long.MAX_VALUE / 1000);
    }

    private static String alg(String header) {
        try {
            return JSON.readTree(header).path("alg").asString(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] hmac(String secret, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
