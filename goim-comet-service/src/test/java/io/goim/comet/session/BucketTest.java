package io.goim.comet.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.frame.Frame;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class BucketTest {
    private final Bucket bucket = new Bucket();

    @Test
    void aNewerChannelWithTheSameKeyReplacesTheOlderInMapAndRoom() {
        Channel older = channel("k", "live://1");
        Channel newer = channel("k", "live://2");

        assertThat(bucket.put(older)).isNull();
        assertThat(bucket.put(newer)).isSameAs(older);

        assertThat(bucket.channel("k")).isSameAs(newer);
        assertThat(bucket.roomCount("live://1")).isZero();
        assertThat(bucket.roomCount("live://2")).isEqualTo(1);
    }

    @Test
    void removingTheReplacedChannelKeepsTheNewerOne() {
        Channel older = channel("k", "live://1");
        Channel newer = channel("k", "live://1");
        bucket.put(older);
        bucket.put(newer);

        assertThat(bucket.remove(older)).isFalse();

        assertThat(bucket.channel("k")).isSameAs(newer);
        assertThat(bucket.roomCount("live://1")).isEqualTo(1);
        assertThat(bucket.remove(newer)).isTrue();
        assertThat(bucket.size()).isZero();
        assertThat(bucket.roomCount("live://1")).isZero();
    }

    @Test
    void changeRoomMovesTheChannelAndEmptyLeaves() {
        Channel channel = channel("k", "live://1");
        bucket.put(channel);

        bucket.changeRoom(channel, "live://2");
        assertThat(bucket.roomCount("live://1")).isZero();
        assertThat(bucket.roomCount("live://2")).isEqualTo(1);
        assertThat(channel.roomId()).isEqualTo("live://2");

        bucket.changeRoom(channel, "");
        assertThat(bucket.roomCount("live://2")).isZero();
        assertThat(channel.roomId()).isEmpty();
    }

    @Test
    void bucketsShardByKeyAndSumRoomCounts() {
        Buckets buckets = new Buckets(8);
        for (int i = 0; i < 100; i++) {
            Channel channel = channel("key-" + i, i % 2 == 0 ? "even" : "odd");
            buckets.bucket(channel.key()).put(channel);
        }

        assertThat(buckets.connectionCount()).isEqualTo(100);
        assertThat(buckets.roomCount("even")).isEqualTo(50);
        assertThat(buckets.roomCounts()).isEqualTo(Map.of("even", 50, "odd", 50));
        assertThat(buckets.bucket("key-7")).isSameAs(buckets.bucket("key-7"));
        assertThat(buckets.channel("key-7").key()).isEqualTo("key-7");
    }

    @Test
    void aRoomsChannelsComeAsOneSetPerThreadThatWritesThem() {
        Executor loopA = Runnable::run;
        Executor loopB = Runnable::run;
        Channel a1 = channel("a1", "live://1", loopA);
        Channel a2 = channel("a2", "live://1", loopA);
        Channel b1 = channel("b1", "live://1", loopB);
        bucket.put(a1);
        bucket.put(a2);
        bucket.put(b1);
        bucket.put(channel("other", "live://2", loopA));

        Map<Executor, Set<Channel>> shares = shares("live://1");
        assertThat(shares).containsOnlyKeys(loopA, loopB);
        assertThat(shares.get(loopA)).containsExactlyInAnyOrder(a1, a2);
        assertThat(shares.get(loopB)).containsExactly(b1);
        assertThat(bucket.roomCount("live://1")).isEqualTo(3);

        // the sets are live: a fan-out that reads one later sees who is in the room then
        Set<Channel> loopAShare = shares.get(loopA);
        bucket.remove(a2);
        assertThat(loopAShare).containsExactly(a1);
        // a loop with no channel left in the room is gone from it, and so is an empty room
        bucket.changeRoom(b1, "live://2");
        assertThat(shares("live://1")).containsOnlyKeys(loopA);
        assertThat(shares("live://2").get(loopB)).containsExactly(b1);
        bucket.remove(a1);
        assertThat(shares("live://1")).isEmpty();
        assertThat(bucket.roomCount("live://1")).isZero();
        assertThat(bucket.roomCount("live://2")).isEqualTo(2);
    }

    private Map<Executor, Set<Channel>> shares(String room) {
        Map<Executor, Set<Channel>> shares = new IdentityHashMap<>();
        bucket.forEachShareInRoom(room, shares::put);
        return shares;
    }

    static Channel channel(String key, String room) {
        return channel(key, room, Runnable::run);
    }

    static Channel channel(String key, String room, Executor executor) {
        return new Channel(1, key, room, List.of(1000), "127.0.0.1", new Channel.Outbound() {
            @Override
            public boolean write(Frame frame) {
                frame.release();
                return true;
            }

            @Override
            public Object encodingKey() {
                return "test";
            }

            @Override
            public io.netty.buffer.ByteBuf encode(Frame frame) {
                return frame.content().retainedDuplicate();
            }

            @Override
            public boolean writeEncoded(io.netty.buffer.ByteBuf wire) {
                wire.release();
                return true;
            }

            @Override
            public Executor executor() {
                return executor;
            }

            @Override
            public void close(CloseReason reason) {}
        });
    }
}
