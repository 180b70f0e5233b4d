package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads a push's raw body, whatever its content type (contract section 3), holding at most {@code
 * goim.logic.limits.max-body} bytes in memory: a larger body is refused with -400 as soon as it
 * passes the limit, before the rest is read.
 */
@Component
final class PushBody {
    private final int maxBytes;

    PushBody(LogicProperties properties) {
        this.maxBytes = (int)
                Math.min(Integer.MAX_VALUE - 1, properties.limits().maxBody().toBytes());
    }

    Mono<byte[]> read(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge());
        }
        return DataBufferUtils.join(request.getBody(), maxBytes)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                .defaultIfEmpty(new byte[0]);
    }

    private RequestException tooLarge() {
        return new RequestException("message too large: more than goim.logic.limits.max-body=" + maxBytes + " bytes");
    }
}
