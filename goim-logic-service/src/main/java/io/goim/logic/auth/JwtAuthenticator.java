package io.goim.logic.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.goim.logic.auth.AuthenticationException.Reason;
import io.goim.logic.config.LogicProperties.Jwt;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JWT mode: the op-7 body is a compact JWT signed with HS256 (a shared secret) or RS256 (a
 * public key in PEM, or the keys of a JWKS URL). mid is {@code sub}; key, room id, platform and
 * accepts come from claims (names configurable). {@code sub} and {@code exp} are required and the
 * expiry is checked, so a client can no longer claim any mid (contract section 8).
 */
final class JwtAuthenticator implements Authenticator {
    private static final int MIN_SECRET_BYTES = 32;
    private static final int JWKS_TIMEOUT_MILLIS = 2000;
    private static final int JWKS_MAX_BYTES = 512 * 1024;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Jwt claims;

    JwtAuthenticator(Jwt config) {
        this.claims = config;
        long sources = Stream.of(config.secret(), config.publicKey(), config.jwksUri())
                .filter(s -> s != null && !s.toString().isBlank())
                .count();
        if (sources != 1) {
            throw new IllegalStateException("goim.logic.auth.mode=jwt needs exactly one of "
                    + "goim.logic.auth.jwt.secret, .public-key or .jwks-uri");
        }
        processor.setJWSKeySelector(keySelector(config));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                config.audience() == null || config.audience().isBlank() ? null : config.audience(),
                config.issuer() == null || config.issuer().isBlank()
                        ? null
                        : new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                Set.of("sub", "exp"));
        verifier.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(verifier);
    }

    private static JWSKeySelector<SecurityContext> keySelector(Jwt config) {
        if (config.secret() != null && !config.secret().isBlank()) {
            byte[] secret = config.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("goim.logic.auth.jwt.secret must have at least 32 bytes for HS256");
            }
            // one key: whatever kid the token names, this is the key
            return new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256, new SecretKeySpec(secret, "HmacSHA256"));
        }
        if (config.publicKey() != null && !config.publicKey().isBlank()) {
            return new SingleKeyJWSKeySelector<>(JWSAlgorithm.RS256, rsaPublicKey(config.publicKey()));
        }
        JWKSource<SecurityContext> keys;
        try {
            // cached and refreshed by nimbus; fetched on the gRPC executor, never on an event loop
            keys = JWKSourceBuilder.create(
                            config.jwksUri().toURL(),
                            new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_MAX_BYTES))
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("goim.logic.auth.jwt.jwks-uri is not a URL: " + config.jwksUri());
        }
        return new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys);
    }

    static RSAPublicKey rsaPublicKey(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("goim.logic.auth.jwt.public-key is not an RSA public key in PEM", e);
        }
    }

    @Override
    public Identity authenticate(byte[] token, String cookie) {
        JWTClaimsSet set = verified(new String(token, StandardCharsets.UTF_8).strip());
        long mid;
        try {
            mid = Long.parseLong(set.getSubject());
        } catch (NumberFormatException e) {
            throw new AuthenticationException(Reason.BAD_CLAIM, "sub is not a numeric mid");
        }
        try {
            return new Identity(
                    mid,
                    set.getStringClaim(claims.keyClaim()),
                    set.getStringClaim(claims.roomClaim()),
                    set.getStringClaim(claims.platformClaim()),
                    accepts(set.getClaim(claims.acceptsClaim())));
        } catch (ParseException e) {
            throw new AuthenticationException(Reason.BAD_CLAIM, e.getMessage());
        }
    }

    private JWTClaimsSet verified(String token) {
        try {
            JWT jwt = JWTParser.parse(token);
            JWTClaimsSet set = processor.process(jwt, null);
            checkExpiryRange(jwt);
            return set;
        } catch (ParseException e) {
            throw new AuthenticationException(Reason.MALFORMED, "token is not a JWT");
        } catch (ExpiredJWTException e) {
            throw new AuthenticationException(Reason.EXPIRED, "token expired");
        } catch (BadJWTException e) {
            Reason reason =
                    e.getMessage().contains("missing required claims") ? Reason.MISSING_CLAIM : Reason.BAD_CLAIM;
            throw new AuthenticationException(reason, e.getMessage());
        } catch (BadJWSException e) {
            throw new AuthenticationException(Reason.BAD_SIGNATURE, "invalid signature");
        } catch (BadJOSEException | JOSEException e) {
            // wrong algorithm, no matching key, unsigned token
            throw new AuthenticationException(Reason.BAD_SIGNATURE, e.getMessage());
        }
    }

    /**
     * nimbus makes {@code exp} a Date by multiplying its seconds by 1000, which overflows past about
     * 9.2e15 s: a token whose exp is, say, -4.6e18 came out unexpired (found by TokenFuzzTest). No real
     * expiry is that far out or before 1970; such a token is refused.
     */
    private static void checkExpiryRange(JWT jwt) {
        Object exp = jwt instanceof JWSObject signed
                ? signed.getPayload().toJSONObject().get("exp")
                : null;
        if (exp instanceof Number seconds
                && (seconds.doubleValue() <= 0 || seconds.doubleValue() >= Long.MAX_VALUE / 1000.0)) {
            throw new AuthenticationException(Reason.BAD_CLAIM, "exp out of range: " + exp);
        }
    }

    /** accepts as a JSON array of numbers, or as a comma list "1000,1001". */
    private static List<Integer> accepts(Object claim) {
        List<Integer> accepts = new ArrayList<>();
        if (claim == null) {
            return accepts;
        }
        Iterable<?> values = claim instanceof Iterable<?> list
                ? list
                : List.of(claim.toString().split(","));
        for (Object value : values) {
            try {
                accepts.add(
                        value instanceof Number n
                                ? n.intValue()
                                : Integer.parseInt(value.toString().strip()));
            } catch (NumberFormatException e) {
                throw new AuthenticationException(Reason.BAD_CLAIM, "accepts holds a non-numeric operation");
            }
        }
        return accepts;
    }
}
