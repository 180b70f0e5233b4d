package io.goim.logic.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The push API ({@code POST /goim/push/keys|mids|room|all}) served straight on Reactor Netty,
 * ahead of WebFlux: the same parameters, body, API keys, envelope and codes as {@link
 * PushController} (which still documents the API in Swagger, and serves it when {@code
 * goim.logic.api.direct-push=false}), for a fraction of the CPU. WebFlux's exchange, handler
 * mapping, argument binding, observation and writer selection took more of logic's CPU per push
 * than the push itself (README, "Measured so far"). {@code http.server.requests} is recorded here
 * with WebFlux's tags, so the dashboards see no difference.
 */
@Component
@ConditionalOnProperty(name = "goim.logic.api.direct-push", havingValue = "true", matchIfMissing = true)
final class PushRoute implements NettyRouteProvider {
    private static final int MAX_PARAMS = 4096;

    private final PushRequests requests;
    private final PushBody body;
    private final ApiKeys keys;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final byte[] ok;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    PushRoute(PushRequests requests, PushBody body, ApiKeys keys, JsonMapper json, MeterRegistry meters) {
        this.requests = requests;
        this.body = body;
        this.keys = keys;
        this.json = json;
        this.meters = meters;
        this.ok = json.writeValueAsBytes(Reply.ok());
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        HttpServerRoutes withPushes = routes;
        for (String type : PushRequests.TYPES) {
            String path = "/goim/push/" + type;
            withPushes = withPushes.post(path, (request, response) -> handle(type, path, request, response));
        }
        return withPushes;
    }

    private Publisher<Void> handle(String type, String path, HttpServerRequest request, HttpServerResponse response) {
        long start = System.nanoTime();
        if (keys.guards(path)
                && keys.refusal(path, request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION)) != null) {
            response.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return send(response, HttpResponseStatus.UNAUTHORIZED, keys.unauthorizedBody(), path, null, start);
        }
        Map<String, List<String>> query = QueryStringDecoder.builder()
                .semicolonIsNormalChar(true)
                .maxParams(MAX_PARAMS)
                .build(request.uri())
                .parameters();
        return requests.push(type, query, () -> body.read(request))
                .then(Mono.fromSupplier(() -> new Answer(ok, null)))
                .onErrorResume(e -> Mono.just(new Answer(
                        json.writeValueAsBytes(ErrorAdvice.replyFor(e)),
                        e.getClass().getSimpleName())))
                .flatMap(answer ->
                        send(response, HttpResponseStatus.OK, answer.body(), path, answer.exception(), start));
    }

    /** What a push answers: goim's envelope, and the exception behind an error (the metric's tag). */
    private record Answer(byte[] body, String exception) {}

    private Mono<Void> send(
            HttpServerResponse response,
            HttpResponseStatus status,
            byte[] answer,
            String path,
            String exception,
            long start) {
        return response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(answer.length))
                .sendByteArray(Mono.just(answer))
                .then()
                .doFinally(signal ->
                        timer(path, status, exception).record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /** {@code http.server.requests} with the tags WebFlux gives it, one timer per outcome. */
    private Timer timer(String path, HttpResponseStatus status, String exception) {
        String tag = exception == null ? "none" : exception;
        return timers.computeIfAbsent(
                path + ' ' + status.code() + ' ' + tag,
                k -> Timer.builder("http.server.requests")
                        .tag("method", "POST")
                        .tag("uri", path)
                        .tag("status", Integer.toString(status.code()))
                        .tag("outcome", status.code() < 400 ? "SUCCESS" : "CLIENT_ERROR")
                        .tag("exception", tag)
                        .tag("error", tag)
                        .register(meters));
    }
}
