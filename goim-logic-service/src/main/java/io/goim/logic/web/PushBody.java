package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Arrays;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

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

    /** Through WebFlux ({@link PushController}). */
    Mono<byte[]> read(ServerHttpRequest request) {
        if (request.getHeaders().getContentLength() > maxBytes) {
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

    /**
     * Straight from Reactor Netty ({@link PushRoute}): each chunk is copied as it comes (Reactor
     * Netty releases it right after), into an array that grows up to the limit.
     */
    Mono<byte[]> read(HttpServerRequest request) {
        String declared = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        int expected = 0;
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.strip());
                if (length > maxBytes) {
                    return Mono.error(tooLarge());
                }
                expected = (int) Math.max(0, length);
            } catch (NumberFormatException e) {
                return Mono.error(new RequestException("Content-Length: not a number: " + declared));
            }
        }
        int initial = expected;
        return request.receive()
                .reduceWith(() -> new Chunks(initial), this::append)
                .map(Chunks::bytes);
    }

    private Chunks append(Chunks chunks, ByteBuf chunk) {
        int length = chunk.readableBytes();
        if (length > maxBytes - chunks.size) {
            throw tooLarge();
        }
        if (chunks.size + length > chunks.array.length) {
            int grown = (int) Math.min(maxBytes, Math.max(chunks.size + (long) length, 2L * chunks.array.length));
            chunks.array = Arrays.copyOf(chunks.array, grown);
        }
        chunk.readBytes(chunks.array, chunks.size, length);
        chunks.size += length;
        return chunks;
    }

    private RequestException tooLarge() {
        return new RequestException("message too large: more than goim.logic.limits.max-body=" + maxBytes + " bytes");
    }

    /** The body read so far. */
    private static final class Chunks {
        byte[] array;
        int size;

        Chunks(int expected) {
            this.array = new byte[expected];
        }

        byte[] bytes() {
            return size == array.length ? array : Arrays.copyOf(array, size);
        }
    }
}
