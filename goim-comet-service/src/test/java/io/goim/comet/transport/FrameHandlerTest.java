package io.goim.comet.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.goim.comet.rpc.LogicClient;
import io.goim.comet.session.Buckets;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.grpc.Status;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class FrameHandlerTest {
    private static final String TOKEN = "{\"mid\":123, \"room_id\":\"live://1000\", \"accepts\":[1000]}";

    private final LogicClient logic = mock(LogicClient.class);
    private final Buckets buckets = new Buckets(4);
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new FrameHandler("comet-1", "c=1", Duration.ofSeconds(5), logic, buckets));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void authPassesTokenAndCookieToLogicAndRepliesOp8WithTheSameSeq() {
        connectReply(ConnectReply.newBuilder()
                .setMid(123)
                .setKey("k1")
                .setRoomID("live://1000")
                .addAccepts(1000)
                .setHeartbeat(TimeUnit.MINUTES.toNanos(8))
                .build());

        channel.writeInbound(frame(Op.AUTH, 5, TOKEN));
        channel.runPendingTasks();

        ArgumentCaptor<ConnectReq> request = ArgumentCaptor.forClass(ConnectReq.class);
        verify(logic).connect(request.capture());
        assertThat(request.getValue().getServer()).isEqualTo("comet-1");
        assertThat(request.getValue().getCookie()).isEqualTo("c=1");
        assertThat(request.getValue().getToken().toStringUtf8()).isEqualTo(TOKEN);
        Frame reply = channel.readOutbound();
        assertThat(reply.op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(reply.seq()).isEqualTo(5);
        reply.release();
        assertThat(buckets.channel("k1")).isNotNull();
        assertThat(buckets.roomCount("live://1000")).isEqualTo(1);
    }

    @Test
    void heartbeatRepliesOp3WithTheRoomsOnlineCount() {
        authenticate("k1", "live://1000");

        channel.writeInbound(frame(Op.HEARTBEAT, 9, ""));

        Frame reply = channel.readOutbound();
        assertThat(reply.op()).isEqualTo(Op.HEARTBEAT_REPLY);
        assertThat(reply.seq()).isEqualTo(9);
        assertThat(reply.content().readableBytes()).isEqualTo(4);
        assertThat(reply.content().getInt(0)).isEqualTo(1);
        reply.release();
    }

    @Test
    void framesBeforeAuthAreIgnored() {
        channel.writeInbound(frame(Op.HEARTBEAT, 1, ""));

        assertThat((Object) channel.readOutbound()).isNull();
        verify(logic, never()).connect(any());
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void authRefusedByLogicClosesTheConnection() {
        when(logic.connect(any()))
                .thenReturn(CompletableFuture.failedFuture(Status.INVALID_ARGUMENT.asRuntimeException()));

        channel.writeInbound(frame(Op.AUTH, 1, "not json"));
        channel.runPendingTasks();

        assertThat(channel.isActive()).isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void closeRemovesTheChannelAndDisconnectsFromLogic() {
        authenticate("k1", "");
        when(logic.disconnect(any()))
                .thenReturn(CompletableFuture.completedFuture(DisconnectReply.getDefaultInstance()));

        channel.close();

        ArgumentCaptor<DisconnectReq> request = ArgumentCaptor.forClass(DisconnectReq.class);
        verify(logic).disconnect(request.capture());
        assertThat(request.getValue().getKey()).isEqualTo("k1");
        assertThat(request.getValue().getMid()).isEqualTo(123);
        assertThat(buckets.channel("k1")).isNull();
    }

    private void authenticate(String key, String room) {
        connectReply(ConnectReply.newBuilder()
                .setMid(123)
                .setKey(key)
                .setRoomID(room)
                .setHeartbeat(TimeUnit.MINUTES.toNanos(8))
                .build());
        channel.writeInbound(frame(Op.AUTH, 1, TOKEN));
        channel.runPendingTasks();
        Frame reply = channel.readOutbound();
        assertThat(reply.op()).isEqualTo(Op.AUTH_REPLY);
        reply.release();
    }

    private void connectReply(ConnectReply reply) {
        when(logic.connect(any())).thenReturn(CompletableFuture.completedFuture(reply));
    }

    private static Frame frame(int op, int seq, String body) {
        return new Frame(1, op, seq, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }
}
