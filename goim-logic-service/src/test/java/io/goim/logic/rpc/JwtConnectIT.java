package io.goim.logic.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.goim.logic.TestRedis;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.LogicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Connect in JWT mode over a real gRPC socket: verified tokens connect, the others are refused. */
@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            "eureka.client.enabled=false",
            "spring.kafka.admin.auto-create=false",
            "goim.logic.auth.mode=jwt",
            "goim.logic.auth.jwt.secret=" + JwtConnectIT.SECRET,
            "goim.logic.auth.jwt.issuer=" + JwtConnectIT.ISSUER,
            "goim.logic.auth.jwt.audience=" + JwtConnectIT.AUDIENCE
        })
class JwtConnectIT {
    static final String SECRET = "the-jwt-connect-it-secret-of-32-bytes";
    static final String ISSUER = "goim-it-issuer";
    static final String AUDIENCE = "goim-it-comet";

    @Autowired
    GrpcServerLifecycle grpcServer;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    private ManagedChannel channel;
    private LogicGrpc.LogicBlockingStub logic;
    private final long mid = Math.abs(UUID.randomUUID().getLeastSignificantBits() % 1_000_000_000L) + 1;
    private final String key = "jwt-it-" + UUID.randomUUID();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
    }

    @BeforeEach
    void channel() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort())
                .usePlaintext()
                .build();
        logic = LogicGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        redis.delete(List.of("key_" + key, "mid_" + mid));
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private ConnectReply connect(String token) {
        return logic.connect(ConnectReq.newBuilder()
                .setServer("jwt-comet")
                .setToken(ByteString.copyFromUtf8(token))
                .build());
    }

    private String jwt(String secret, Instant expiry) throws Exception {
        return jwt(secret, claims(expiry, ISSUER, AUDIENCE));
    }

    private String jwt(String secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private JWTClaimsSet claims(Instant expiry, String issuer, String audience) {
        return new JWTClaimsSet.Builder()
                .subject(Long.toString(mid))
                .expirationTime(Date.from(expiry))
                .issuer(issuer)
                .audience(audience)
                .claim("key", key)
                .claim("room_id", "live://7")
                .claim("accepts", List.of(1000))
                .build();
    }

    private void refused(String token, String reason) {
        double before = meters.counter("goim.auth.failures", "reason", reason).count();
        assertThatThrownBy(() -> connect(token))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(meters.counter("goim.auth.failures", "reason", reason).count())
                .isEqualTo(before + 1);
        // refused before the session store: nothing reached Redis
        assertThat(redis.hasKey("key_" + key)).isFalse();
        assertThat(redis.hasKey("mid_" + mid)).isFalse();
    }

    @Test
    void aVerifiedTokenConnects() throws Exception {
        ConnectReply reply = connect(jwt(SECRET, Instant.now().plusSeconds(300)));

        assertThat(reply.getMid()).isEqualTo(mid);
        assertThat(reply.getKey()).isEqualTo(key);
        assertThat(reply.getRoomID()).isEqualTo("live://7");
        assertThat(reply.getAcceptsList()).containsExactly(1000);
        assertThat(redis.opsForValue().get("key_" + key)).isEqualTo("jwt-comet");
    }

    @Test
    void forgedExpiredAndGoimTokensAreRefused() throws Exception {
        refused(jwt("some-other-secret-that-is-32-bytes!!", Instant.now().plusSeconds(300)), "bad_signature");
        refused(jwt(SECRET, Instant.now().minusSeconds(300)), "expired");
        refused("{\"mid\":" + mid + ", \"key\":\"" + key + "\"}", "malformed");
    }

    @Test
    void unsignedWrongAudienceOrIssuerAndHugeTokensAreRefused() throws Exception {
        Instant later = Instant.now().plusSeconds(300);
        refused(new PlainJWT(claims(later, ISSUER, AUDIENCE)).serialize(), "bad_signature");
        refused(jwt(SECRET, claims(later, ISSUER, "another-audience")), "bad_claim");
        refused(jwt(SECRET, claims(later, "another-issuer", AUDIENCE)), "bad_claim");
        refused(jwt(SECRET, later) + "x".repeat(1024 * 1024), "bad_signature");
        refused("x".repeat(1024 * 1024), "malformed");
    }
}
