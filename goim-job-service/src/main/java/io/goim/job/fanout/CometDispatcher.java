package io.goim.job.fanout;

import com.google.protobuf.ByteString;
import io.goim.job.config.JobProperties;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.PushMsg;
import io.goim.proto.protocol.Proto;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends each PushMsg to the comets it addresses (contract sections 2 and 6): a PUSH goes to the comet
 * named in {@code server} as an op-9 Proto whose body is the inner frame, with {@code protoOp} for
 * the accepts filter. A call that fails throws, so the listener's error handler retries the record.
 */
@Component
public class CometDispatcher {
    private static final Logger log = LoggerFactory.getLogger(CometDispatcher.class);

    private final CometRegistry comets;
    private final Duration callTimeout;

    CometDispatcher(CometRegistry comets, JobProperties properties) {
        this.comets = comets;
        this.callTimeout = properties.comet().callTimeout();
    }

    public void dispatch(PushMsg msg) {
        switch (msg.getType()) {
            case PUSH -> push(msg);
            default -> log.warn("push type not handled yet type={} op={}", msg.getType(), msg.getOperation());
        }
    }

    private void push(PushMsg msg) {
        Comet comet = comets.comet(msg.getServer())
                .orElseThrow(() -> new CometUnavailableException("comet not found server=" + msg.getServer(), null));
        Proto proto = Proto.newBuilder()
                .setVer(Frame.VERSION)
                .setOp(Op.RAW)
                .setBody(ByteString.copyFrom(
                        FrameBatch.of(msg.getOperation(), msg.getMsg().toByteArray())))
                .build();
        try {
            comet.stub()
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .pushMsg(PushMsgReq.newBuilder()
                            .addAllKeys(msg.getKeysList())
                            .setProtoOp(msg.getOperation())
                            .setProto(proto)
                            .build());
        } catch (StatusRuntimeException e) {
            throw new CometUnavailableException(
                    "push to comet failed server=" + comet.server() + " status=" + e.getStatus(), e);
        }
    }
}
