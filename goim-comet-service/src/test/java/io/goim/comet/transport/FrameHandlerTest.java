package io.goim.comet.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.goim.comet.config.TestProperties;
import io.goim.comet.rpc.LogicClient;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.Channel;
import io.goim.comet.session.OnlineCounts;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.goim.proto.frame.WebSocketFrameDecoder;
import io.goim.proto.frame.WebSocketFrameEncoder;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReply;
import io.goim.proto.logic.ReceiveReply;
import io.goim.proto.logic.ReceiveReq;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** Every op and every rejection of the connection handler, on an EmbeddedChannel with virtual time. */
class FrameHandlerTest {
    private static final String TOKEN = "{\"mid\":123, \"room_id\":\"live://1000\", \"accepts\":[1000]}";

    private final LogicClient logic = mock(LogicClient.class);
    private final Buckets buckets = new Buckets(4);
    private final OnlineCounts online = new OnlineCounts();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Map<String, String> config = new HashMap<>(Map.of("goim.comet.server-id", "comet-1"));
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** A WebSocket connection: goim's WebSocket codec, then the handlers Connections installs. */
    private EmbeddedChannel connect() {
        Connections connections = new Connections(
                TestProperties.comet(config), logic, buckets, online, new CometMetrics(meters, buckets));
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new WebSocketFrameDecoder(), new WebSocketFrameEncoder());
        connections.install(channel, Transport.WEBSOCKET, "c=1");
        when(logic.disconnect(any()))
                .thenReturn(CompletableFuture.completedFuture(DisconnectReply.getDefaultInstance()));
        return channel;
    }

    @Test
    void authPassesTokenCookieAndServerToLogicAndRepliesOp8WithTheSameSeq() {
        connect();
        connectReply("k1", "live://1000");

        send(Op.AUTH, 5, TOKEN);

        ArgumentCaptor<ConnectReq> request = ArgumentCaptor.forClass(ConnectReq.class);
        verify(logic).connect(request.capture(), any());
        assertThat(request.getValue().getServer()).isEqualTo("comet-1");
        assertThat(request.getValue().getCookie()).isEqualTo("c=1");
        assertThat(request.getValue().getToken().toStringUtf8()).isEqualTo(TOKEN);
        Reply reply = read();
        assertThat(reply.op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(reply.seq()).isEqualTo(5);
        assertThat(buckets.channel("k1")).isNotNull();
        assertThat(buckets.roomCount("live://1000")).isEqualTo(1);
        assertThat(meters.get("goim.comet.auth").tag("result", "ok").counter().count())
                .isEqualTo(1);
    }

    @Test
    void framesBeforeAuthAreIgnored() {
        connect();

        send(Op.HEARTBEAT, 1, "");
        send(Op.CHANGE_ROOM, 2, "live://1");

        assertThat((Object) channel.readOutbound()).isNull();
        verify(logic, never()).connect(any(), any());
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void handshakeTimeoutClosesWithItsCode() {
        config.put("goim.comet.protocol.handshake-timeout", "5s");
        connect();

        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertClosedWith(4001);
    }

    @Test
    void authRefusedByLogicClosesWithAuthFailed() {
        connect();
        when(logic.connect(any(), any()))
                .thenReturn(CompletableFuture.failedFuture(Status.INVALID_ARGUMENT.asRuntimeException()));

        send(Op.AUTH, 1, "not json");

        assertClosedWith(4002);
        assertThat(meters.get("goim.comet.auth")
                        .tag("result", "refused")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void logicUnreachableClosesWithLogicUnavailable() {
        connect();
        when(logic.connect(any(), any()))
                .thenReturn(CompletableFuture.failedFuture(Status.UNAVAILABLE.asRuntimeException()));

        send(Op.AUTH, 1, TOKEN);

        assertClosedWith(4011);
    }

    @Test
    void heartbeatRepliesOp3WithThisCometsCountWhenTheClusterCountIsUnknown() {
        authenticated("k1", "live://1000");

        send(Op.HEARTBEAT, 9, "");

        Reply reply = read();
        assertThat(reply.op()).isEqualTo(Op.HEARTBEAT_REPLY);
        assertThat(reply.seq()).isEqualTo(9);
        assertThat(reply.body()).hasSize(4);
        assertThat(reply.count()).isEqualTo(1);
    }

    @Test
    void heartbeatRepliesTheClusterWideCountWhenLogicReturnedOne() {
        authenticated("k1", "live://1000");
        online.update(Map.of("live://1000", 4242));

        send(Op.HEARTBEAT, 1, "");

        assertThat(read().count()).isEqualTo(4242);
    }

    @Test
    void heartbeatTimeoutFromConnectReplyClosesTheConnection() {
        connect();
        when(logic.connect(any(), any()))
                .thenReturn(CompletableFuture.completedFuture(ConnectReply.newBuilder()
                        .setMid(1)
                        .setKey("k1")
                        .setHeartbeat(TimeUnit.SECONDS.toNanos(10))
                        .build()));
        send(Op.AUTH, 1, TOKEN);
        read();

        // heartbeats keep it open past the timeout
        for (int i = 0; i < 3; i++) {
            channel.advanceTimeBy(6, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            send(Op.HEARTBEAT, 2, "");
            read();
        }
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertClosedWith(4003);
        assertThat(meters.get("goim.comet.heartbeat.timeouts").counter().count())
                .isEqualTo(1);
    }

    @Test
    void heartbeatRenewsTheSessionInLogicOnlyAfterTheRandomInterval() {
        config.put("goim.comet.protocol.logic-heartbeat-min", "0s");
        config.put("goim.comet.protocol.logic-heartbeat-max", "0s");
        authenticated("k1", "");
        when(logic.heartbeat(any())).thenReturn(CompletableFuture.completedFuture(HeartbeatReply.getDefaultInstance()));

        send(Op.HEARTBEAT, 1, "");
        read();

        verify(logic, times(1)).heartbeat(any());
    }

    @Test
    void heartbeatDoesNotCallLogicWithinTheInterval() {
        authenticated("k1", "");

        send(Op.HEARTBEAT, 1, "");
        read();

        verify(logic, never()).heartbeat(any());
    }

    @Test
    void changeRoomMovesTheChannelAndReplies13() {
        authenticated("k1", "live://1");

        send(Op.CHANGE_ROOM, 3, "live://2");

        Reply reply = read();
        assertThat(reply.op()).isEqualTo(Op.CHANGE_ROOM_REPLY);
        assertThat(reply.seq()).isEqualTo(3);
        assertThat(buckets.roomCount("live://1")).isZero();
        assertThat(buckets.roomCount("live://2")).isEqualTo(1);

        send(Op.CHANGE_ROOM, 4, "");
        read();
        assertThat(buckets.roomCount("live://2")).isZero();
        assertThat(buckets.channel("k1").roomId()).isEmpty();
    }

    @Test
    void subAndUnsubChangeTheAcceptedOperations() {
        authenticated("k1", "");
        Channel session = buckets.channel("k1");

        send(Op.SUB, 1, "2000,2001");
        assertThat(read().op()).isEqualTo(Op.SUB_REPLY);
        assertThat(session.accepts(2000)).isTrue();
        assertThat(session.accepts(2001)).isTrue();

        send(Op.UNSUB, 2, "2000, x");
        Reply reply = read();
        assertThat(reply.op()).isEqualTo(Op.UNSUB_REPLY);
        assertThat(reply.seq()).isEqualTo(2);
        assertThat(session.accepts(2000)).isFalse();
        assertThat(session.accepts(2001)).isTrue();
    }

    @Test
    void anyOtherOpGoesToLogicsReceiveAndIsEchoedWithAnEmptyBody() {
        authenticated("k1", "");
        when(logic.receive(any(), any(), any()))
                .thenReturn(CompletableFuture.completedFuture(ReceiveReply.getDefaultInstance()));

        send(4, 77, "upstream");

        ArgumentCaptor<ReceiveReq> request = ArgumentCaptor.forClass(ReceiveReq.class);
        verify(logic)
                .receive(
                        request.capture(),
                        org.mockito.ArgumentMatchers.eq("k1"),
                        org.mockito.ArgumentMatchers.eq("comet-1"));
        assertThat(request.getValue().getMid()).isEqualTo(123);
        assertThat(request.getValue().getProto().getOp()).isEqualTo(4);
        assertThat(request.getValue().getProto().getBody().toStringUtf8()).isEqualTo("upstream");
        Reply echo = read();
        assertThat(echo.op()).isEqualTo(4);
        assertThat(echo.seq()).isEqualTo(77);
        assertThat(echo.body()).isEmpty();
    }

    @Test
    void aBadFrameClosesWithBadFrame() {
        connect();

        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[10])));

        assertClosedWith(4004);
    }

    @Test
    void aConnectionResetByTheClientIsCountedAsClientGoneNotAsAnInternalError() {
        connect();

        channel.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));

        assertClosedWith(4014);
        assertThat(meters.get("goim.comet.closes")
                        .tags("reason", "internal-error")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void anUnexpectedErrorStillClosesWithInternalError() {
        connect();

        channel.pipeline().fireExceptionCaught(new IllegalStateException("bug"));

        assertClosedWith(4012);
    }

    @Test
    void aTextMessageClosesWithUnsupportedMessage() {
        connect();

        channel.writeInbound(new TextWebSocketFrame("hello"));

        assertClosedWith(4010);
    }

    @Test
    void tooManyFramesPerSecondCloseWithFrameRate() {
        config.put("goim.comet.limits.max-frames-per-second", "4");
        authenticated("k1", "");

        for (int i = 0; i < 3; i++) {
            send(Op.HEARTBEAT, i, "");
            assertThat(read().op()).isEqualTo(Op.HEARTBEAT_REPLY);
        }
        assertThat(channel.isActive()).isTrue();
        send(Op.HEARTBEAT, 4, "");

        // the auth frame and three heartbeats are the four frames allowed within one second
        assertClosedWith(4008);
    }

    @Test
    void closeRemovesTheChannelAndDisconnectsFromLogic() {
        authenticated("k1", "live://1");

        channel.close();

        ArgumentCaptor<DisconnectReq> request = ArgumentCaptor.forClass(DisconnectReq.class);
        verify(logic).disconnect(request.capture());
        assertThat(request.getValue().getKey()).isEqualTo("k1");
        assertThat(request.getValue().getMid()).isEqualTo(123);
        assertThat(request.getValue().getServer()).isEqualTo("comet-1");
        assertThat(buckets.channel("k1")).isNull();
        assertThat(buckets.roomCount("live://1")).isZero();
    }

    @Test
    void aReplacedChannelDoesNotDisconnectTheNewerOnesSession() {
        authenticated("k1", "");
        EmbeddedChannel older = channel;
        Channel newer = new Channel(123, "k1", "", java.util.List.of(), "ip", mock(Channel.Outbound.class));
        buckets.bucket("k1").put(newer);

        older.close();

        verify(logic, never()).disconnect(any());
        assertThat(buckets.channel("k1")).isSameAs(newer);
    }

    @Test
    void aNewerConnectionWithTheSameKeyClosesTheOlderWithReplaced() {
        authenticated("k1", "");
        EmbeddedChannel older = channel;
        // channel now refers to a second connection
        authenticated("k1", "");

        older.runPendingTasks();
        CloseWebSocketFrame close = older.readOutbound();
        assertThat(close.statusCode()).isEqualTo(4005);
        close.release();
        assertThat(older.isActive()).isFalse();
        assertThat(channel.isActive()).isTrue();
        older.finishAndReleaseAll();
    }

    private void authenticated(String key, String room) {
        connect();
        connectReply(key, room);
        send(Op.AUTH, 1, TOKEN);
        assertThat(read().op()).isEqualTo(Op.AUTH_REPLY);
    }

    private void connectReply(String key, String room) {
        when(logic.connect(any(), any()))
                .thenReturn(CompletableFuture.completedFuture(ConnectReply.newBuilder()
                        .setMid(123)
                        .setKey(key)
                        .setRoomID(room)
                        .addAccepts(1000)
                        .setHeartbeat(TimeUnit.MINUTES.toNanos(8))
                        .build()));
    }

    private void send(int op, int seq, String body) {
        channel.writeInbound(new BinaryWebSocketFrame(
                Unpooled.wrappedBuffer(Frames.encode(1, op, seq, body.getBytes(StandardCharsets.UTF_8)))));
        channel.runPendingTasks();
    }

    /** A frame comet wrote, bytes copied out. */
    private record Reply(int op, int seq, byte[] body) {
        int count() {
            return java.nio.ByteBuffer.wrap(body).getInt();
        }
    }

    /** The next frame comet wrote, decoded from its WebSocket message. */
    private Reply read() {
        BinaryWebSocketFrame message = channel.readOutbound();
        assertThat(message).as("a frame from comet").isNotNull();
        try {
            Frame frame = WebSocketFrameDecoder.decode(message.content(), Integer.MAX_VALUE);
            try {
                return new Reply(frame.op(), frame.seq(), io.netty.buffer.ByteBufUtil.getBytes(frame.content()));
            } finally {
                frame.release();
            }
        } finally {
            message.release();
        }
    }

    private void assertClosedWith(int code) {
        channel.runPendingTasks();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close).as("a close frame").isNotNull();
        assertThat(close.statusCode()).isEqualTo(code);
        close.release();
        assertThat(channel.isActive()).isFalse();
        assertThat(meters.get("goim.comet.closes")
                        .tags("reason", reasonTag(code))
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    private static String reasonTag(int code) {
        for (io.goim.comet.session.CloseReason reason : io.goim.comet.session.CloseReason.values()) {
            if (reason.code() == code) {
                return reason.tag();
            }
        }
        throw new IllegalArgumentException("no reason " + code);
    }
}
