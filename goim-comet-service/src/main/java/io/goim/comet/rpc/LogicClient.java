package io.goim.comet.rpc;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.IoLoops;
import io.goim.proto.contract.DiscoveryMetadata;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReply;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.LogicGrpc;
import io.goim.proto.logic.OnlineReply;
import io.goim.proto.logic.OnlineReq;
import io.goim.proto.logic.ReceiveReply;
import io.goim.proto.logic.ReceiveReq;
import io.goim.proto.logic.RecoverReply;
import io.goim.proto.logic.RecoverReq;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.grpc.client.ChannelBuilderOptions;
import org.springframework.grpc.client.GrpcChannelBuilderCustomizer;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.stereotype.Component;

/**
 * Calls logic's gRPC API on an instance that Eureka lists with its {@code grpc.port}; one reused
 * channel per logic address. Every call has a deadline and never blocks the caller's thread; at most
 * {@code goim.comet.logic.max-in-flight} run at once, the others wait their turn ({@link
 * CallAdmission}).
 */
@Component
public class LogicClient implements DisposableBean {
    static final String GRPC_PORT = DiscoveryMetadata.GRPC_PORT;
    static final Metadata.Key<String> KEY_HEADER = Metadata.Key.of("goim-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SERVER_HEADER = Metadata.Key.of("goim-server", Metadata.ASCII_STRING_MARSHALLER);
    private static final long REDIAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DiscoveryClient discovery;
    private final GrpcChannelFactory channelFactory;
    private final String serviceId;
    private final Duration callTimeout;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** When each failing logic's channel was last told to dial again (nanoTime). */
    private final Map<String, Long> redialedAt = new ConcurrentHashMap<>();

    private final CallAdmission admission;
    private final ChannelBuilderOptions channelOptions;

    LogicClient(
            DiscoveryClient discovery,
            GrpcChannelFactory channelFactory,
            IoLoops loops,
            CometProperties properties,
            MeterRegistry meters) {
        this.discovery = discovery;
        this.channelFactory = channelFactory;
        this.channelOptions = ChannelBuilderOptions.defaults().withCustomizer(onConnectionLoops(loops));
        CometProperties.Logic logic = properties.logic();
        this.serviceId = logic.serviceId();
        this.callTimeout = logic.callTimeout();
        this.admission = new CallAdmission(logic.maxInFlight(), logic.maxWaiting(), logic.maxWait());
        Gauge.builder("goim.comet.logic.waiting", admission, CallAdmission::waiting)
                .description("calls to logic waiting for their turn")
                .register(meters);
        Gauge.builder("goim.comet.logic.in.flight", admission, CallAdmission::inFlight)
                .description("calls to logic under way")
                .register(meters);
    }

    /**
     * Connect, for a client that may leave while its call waits its turn: when the turn comes and
     * {@code wanted} says no, the call is not made and fails with CANCELLED.
     */
    public CompletableFuture<ConnectReply> connect(ConnectReq request, BooleanSupplier wanted) {
        return call((stub, observer) -> stub.connect(request, observer), wanted);
    }

    public CompletableFuture<DisconnectReply> disconnect(DisconnectReq request) {
        return call((stub, observer) -> stub.disconnect(request, observer));
    }

    public CompletableFuture<HeartbeatReply> heartbeat(HeartbeatReq request) {
        return call((stub, observer) -> stub.heartbeat(request, observer));
    }

    public CompletableFuture<OnlineReply> renewOnline(OnlineReq request) {
        return call((stub, observer) -> stub.renewOnline(request, observer));
    }

    /**
     * Receive carries only mid; the connection's key and this comet's server id go along as gRPC
     * metadata ({@code goim-key}, {@code goim-server}) so that logic's upstream record names the
     * connection. A key that is not printable ASCII cannot be a header value and is left out.
     */
    /** Not goim's (issue 15, docs/recovery.md): a connection's missed room and user messages. */
    public CompletableFuture<RecoverReply> recover(RecoverReq request) {
        return call((stub, observer) -> stub.recover(request, observer));
    }

    public CompletableFuture<ReceiveReply> receive(ReceiveReq request, String key, String server) {
        Metadata headers = new Metadata();
        if (isHeaderSafe(key)) {
            headers.put(KEY_HEADER, key);
        }
        if (isHeaderSafe(server)) {
            headers.put(SERVER_HEADER, server);
        }
        return call((stub, observer) -> stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .receive(request, observer));
    }

    private static boolean isHeaderSafe(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private <T> CompletableFuture<T> call(Call<T> call) {
        return call(call, () -> true);
    }

    private <T> CompletableFuture<T> call(Call<T> call, BooleanSupplier wanted) {
        CompletableFuture<T> result = new CompletableFuture<>();
        admission.submit(
                () -> {
                    result.whenComplete((reply, error) -> admission.release());
                    if (!wanted.getAsBoolean()) {
                        // its client has left: logic would make a session for nobody
                        result.completeExceptionally(Status.CANCELLED
                                .withDescription("the connection closed while its call to logic waited")
                                .asRuntimeException());
                        return;
                    }
                    try {
                        start(call, result);
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                },
                result::completeExceptionally);
        return result;
    }

    private <T> void start(Call<T> call, CompletableFuture<T> result) {
        ManagedChannel channel;
        try {
            channel = pickChannel();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        LogicGrpc.LogicStub stub =
                LogicGrpc.newStub(channel).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        call.invoke(stub, new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.completeExceptionally(
                        Status.INTERNAL.withDescription("no reply").asRuntimeException());
            }
        });
    }

    /** The logic gRPC addresses Eureka lists now. */
    public List<String> addresses() {
        return discovery.getInstances(serviceId).stream()
                .filter(instance -> instance.getMetadata().containsKey(GRPC_PORT))
                .map(LogicClient::grpcAddress)
                .toList();
    }

    private ManagedChannel pickChannel() {
        List<String> addresses = addresses();
        if (addresses.isEmpty()) {
            throw Status.UNAVAILABLE
                    .withDescription("no " + serviceId + " instance in Eureka")
                    .asRuntimeException();
        }
        forgetGone(addresses);
        List<String> usable = addresses.stream().filter(this::notFailing).toList();
        // every listed logic failing: try one anyway, its channel reconnects
        List<String> from = usable.isEmpty() ? addresses : usable;
        String address = from.get(ThreadLocalRandom.current().nextInt(from.size()));
        ManagedChannel channel =
                channels.computeIfAbsent(address, a -> channelFactory.createChannel("static://" + a, channelOptions));
        if (usable.isEmpty()) {
            reconnectSoon(address, channel);
        }
        return channel;
    }

    /**
     * Every listed logic failing: a channel in TRANSIENT_FAILURE fails each call at once and only
     * dials again when gRPC's reconnect backoff ends, which grows by 1.6 times per failed attempt up
     * to 2 minutes. A logic restarted at the same address (a redeploy, a crash and restart) is
     * listed again within seconds, but comet refused every client with 4011 until that backoff ran
     * out. While calls keep coming, the channel dials again at most once a second instead.
     */
    private void reconnectSoon(String address, ManagedChannel channel) {
        long now = System.nanoTime();
        Long last = redialedAt.get(address);
        boolean due = last == null
                ? redialedAt.putIfAbsent(address, now) == null
                : now - last >= REDIAL_NANOS && redialedAt.replace(address, last, now);
        if (due) {
            channel.resetConnectBackoff();
        }
    }

    /**
     * A logic that died (SIGKILL, a lost node) stays in Eureka until its lease expires, 15 s and
     * more; its channel meanwhile is in TRANSIENT_FAILURE (connection refused or timed out). Calls
     * go to the other logics then instead of failing at random (issue 13: half of the connects were
     * refused with 4011 while one logic of two was dead).
     */
    private boolean notFailing(String address) {
        ManagedChannel channel = channels.get(address);
        return channel == null || channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE;
    }

    /**
     * Shuts down the channels of logic instances Eureka no longer lists (a redeployed logic comes
     * back at another address): calls under way on them finish, and nothing keeps reconnecting to
     * an address that is gone. An empty list closes nothing: that is more likely Eureka than logic.
     */
    private void forgetGone(List<String> addresses) {
        if (channels.size() <= addresses.size() && addresses.containsAll(channels.keySet())) {
            return;
        }
        channels.entrySet().removeIf(entry -> {
            if (addresses.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().shutdown();
            redialedAt.remove(entry.getKey());
            return true;
        });
    }

    /**
     * Channels to logic run on the connections' event loops, and their replies complete there: a
     * Connect's reply then reaches its connection without waking gRPC's own transport and executor
     * threads (two more hand-offs per Connect and Disconnect, on a machine with as few cores as
     * event loops). Nothing that completes a call blocks.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static GrpcChannelBuilderCustomizer onConnectionLoops(IoLoops loops) {
        return (GrpcChannelBuilderCustomizer) (String name, ManagedChannelBuilder builder) -> {
            if (builder instanceof NettyChannelBuilder netty) {
                netty.directExecutor().eventLoopGroup(loops.group()).channelType(loops.socketChannelType());
            }
        };
    }

    /**
     * The channels run on comet's event loops ({@link IoLoops}), which stop after this bean: they
     * are shut down here first, calls under way given a moment to finish.
     */
    @Override
    public void destroy() throws InterruptedException {
        channels.values().forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ManagedChannel channel : channels.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                channel.shutdownNow();
            }
        }
        channels.clear();
    }

    private static String grpcAddress(ServiceInstance instance) {
        return instance.getHost() + ":" + instance.getMetadata().get(GRPC_PORT);
    }

    @FunctionalInterface
    private interface Call<T> {
        void invoke(LogicGrpc.LogicStub stub, StreamObserver<T> observer);
    }
}
