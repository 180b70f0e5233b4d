package io.goim.logic.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.goim.logic.auth.AuthenticationException.Reason;
import io.goim.logic.config.LogicProperties.Jwt;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private static RSAKey rsa;
    private static RSAKey otherRsa;

    private final JwtAuthenticator hs256 = new JwtAuthenticator(config(SECRET, null, null, null));

    @BeforeAll
    static void keys() throws JOSEException {
        rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherRsa = new RSAKeyGenerator(2048).keyID("k1").generate();
    }

    static Jwt config(String secret, String publicKey, URI jwks, String issuer) {
        return new Jwt(
                secret, publicKey, jwks, issuer, null, "key", "room_id", "accepts", "platform", Duration.ofSeconds(5));
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject("123")
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .claim("room_id", "live://1000")
                .claim("platform", "web")
                .claim("accepts", List.of(1000, 1001));
    }

    static byte[] signed(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID("k1").build(), claims);
        jwt.sign(signer);
        return jwt.serialize().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] hs(String secret, JWTClaimsSet claims) throws JOSEException {
        return signed(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
    }

    @Test
    void aValidHs256TokenGivesMidRoomAndAccepts() throws Exception {
        Identity identity =
                hs256.authenticate(hs(SECRET, claims().claim("key", "k-1").build()), "");

        assertThat(identity).isEqualTo(new Identity(123, "k-1", "live://1000", "web", List.of(1000, 1001)));
    }

    @Test
    void roomKeyAndAcceptsAreOptionalAndAcceptsMayBeACommaList() throws Exception {
        JWTClaimsSet minimal = new JWTClaimsSet.Builder()
                .subject("7")
                .expirationTime(Date.from(Instant.now().plusSeconds(60)))
                .claim("accepts", "1000, 1002")
                .build();

        assertThat(hs256.authenticate(hs(SECRET, minimal), ""))
                .isEqualTo(new Identity(7, "", "", "", List.of(1000, 1002)));
    }

    @Test
    void aWrongSignatureIsRefused() {
        refused(
                () -> hs256.authenticate(hs("another-secret-that-is-32-bytes-long!", claims().build()), ""),
                Reason.BAD_SIGNATURE);
    }

    @Test
    void anExpiredTokenIsRefused() {
        JWTClaimsSet expired = claims().expirationTime(Date.from(Instant.now().minusSeconds(60)))
                .build();

        refused(() -> hs256.authenticate(hs(SECRET, expired), ""), Reason.EXPIRED);
    }

    @Test
    void anExpiryBeyondWhatADateHoldsIsRefused() {
        // nimbus multiplies exp by 1000 into a Date: this one overflowed into the future (TokenFuzzTest)
        refused(
                () -> hs256.authenticate(
                        hs(SECRET, claims().claim("exp", -4585687665678168113L).build()), ""),
                Reason.BAD_CLAIM);
    }

    @Test
    void missingSubOrExpIsRefused() {
        refused(() -> hs256.authenticate(hs(SECRET, claims().subject(null).build()), ""), Reason.MISSING_CLAIM);
        refused(
                () -> hs256.authenticate(
                        hs(SECRET, claims().expirationTime(null).build()), ""),
                Reason.MISSING_CLAIM);
    }

    @Test
    void badClaimsAreRefused() {
        refused(() -> hs256.authenticate(hs(SECRET, claims().subject("alice").build()), ""), Reason.BAD_CLAIM);
        refused(
                () -> hs256.authenticate(
                        hs(SECRET, claims().claim("accepts", List.of("x")).build()), ""),
                Reason.BAD_CLAIM);
    }

    @Test
    void garbageAndUnsignedTokensAreRefused() {
        refused(() -> hs256.authenticate("{\"mid\":1}".getBytes(StandardCharsets.UTF_8), ""), Reason.MALFORMED);
        byte[] unsigned = new PlainJWT(claims().build()).serialize().getBytes(StandardCharsets.UTF_8);
        refused(() -> hs256.authenticate(unsigned, ""), Reason.BAD_SIGNATURE);
    }

    @Test
    void theIssuerIsCheckedWhenConfigured() throws Exception {
        JwtAuthenticator withIssuer = new JwtAuthenticator(config(SECRET, null, null, "https://auth.example"));

        assertThat(withIssuer
                        .authenticate(
                                hs(
                                        SECRET,
                                        claims().issuer("https://auth.example").build()),
                                "")
                        .mid())
                .isEqualTo(123);
        refused(
                () -> withIssuer.authenticate(
                        hs(SECRET, claims().issuer("https://evil.example").build()), ""),
                Reason.BAD_CLAIM);
    }

    @Test
    void rs256WithAPublicKeyInPem() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.toRSAPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        JwtAuthenticator rs256 = new JwtAuthenticator(config(null, pem, null, null));

        assertThat(rs256.authenticate(signed(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims().build()), "")
                        .mid())
                .isEqualTo(123);
        refused(
                () -> rs256.authenticate(signed(new RSASSASigner(otherRsa), JWSAlgorithm.RS256, claims().build()), ""),
                Reason.BAD_SIGNATURE);
        refused(() -> rs256.authenticate(hs(SECRET, claims().build()), ""), Reason.BAD_SIGNATURE);
    }

    @Test
    void rs256WithTheKeysOfAJwksUrl() throws Exception {
        byte[] jwks = new JWKSet(rsa.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
            JwtAuthenticator fromJwks = new JwtAuthenticator(config(null, null, uri, null));

            assertThat(fromJwks.authenticate(signed(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims().build()), "")
                            .roomId())
                    .isEqualTo("live://1000");
            refused(
                    () -> fromJwks.authenticate(
                            signed(new RSASSASigner(otherRsa), JWSAlgorithm.RS256, claims().build()), ""),
                    Reason.BAD_SIGNATURE);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aMisconfiguredModeFailsStartUp() {
        assertThatThrownBy(() -> new JwtAuthenticator(config(null, null, null, null)))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new JwtAuthenticator(config("short", null, null, null)))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new JwtAuthenticator(config(null, "not a key", null, null)))
                .hasMessageContaining("public-key");
    }

    private static void refused(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
