package io.goim.comet.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The operations a channel accepts (contract section 2: the token's accepts, ops 14 and 16). */
class ChannelTest {

    @Test
    void acceptsTheTokensOperationsAndThoseAddedLaterUntilRemoved() {
        Channel channel = BucketTest.channel("k", "live://1");
        assertThat(channel.accepts(1000)).isTrue();
        assertThat(channel.accepts(1001)).isFalse();

        channel.accept(1003);
        channel.accept(1001);
        channel.accept(1001);
        assertThat(List.of(999, 1000, 1001, 1002, 1003, 1004).stream().filter(channel::accepts))
                .containsExactly(1000, 1001, 1003);

        channel.refuse(1000);
        channel.refuse(1002);
        assertThat(List.of(1000, 1001, 1003).stream().filter(channel::accepts)).containsExactly(1001, 1003);
        channel.refuse(1001);
        channel.refuse(1003);
        assertThat(channel.accepts(1001)).isFalse();
        assertThat(channel.accepts(1003)).isFalse();
    }
}
