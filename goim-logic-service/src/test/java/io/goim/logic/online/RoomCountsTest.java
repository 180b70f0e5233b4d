package io.goim.logic.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoomCountsTest {
    private final RoomCounts counts = new RoomCounts();

    @Test
    void sumsTheCometsAndSkipsEntriesOlderThanTheDeadline() {
        long now = 1_000_000;
        List<ServerOnline> entries = List.of(
                new ServerOnline("a", Map.of("live://1", 3, "live://2", 1), now - 10),
                new ServerOnline("b", Map.of("live://1", 4), now - 300),
                new ServerOnline("b", Map.of("live://3", 100), now - 301));

        assertThat(RoomCounts.sum(entries, now, 300)).containsOnly(Map.entry("live://1", 7), Map.entry("live://2", 1));
    }

    @Test
    void topOrdersTheRoomsOfATypeByCount() {
        counts.replace(Map.of("live://1", 5, "live://2", 50, "live://3", 7, "lively://9", 99, "chat://1", 1000));

        assertThat(counts.top("live", 2)).containsExactly(new RoomCounts.Top("2", 50), new RoomCounts.Top("3", 7));
        assertThat(counts.top("live", 10)).hasSize(3);
        assertThat(counts.top("none", 10)).isEmpty();
    }

    @Test
    void roomsAnswerZeroForAnEmptyRoom() {
        counts.replace(Map.of("live://1", 5));

        assertThat(counts.rooms("live", List.of("1", "2"))).containsExactly(Map.entry("1", 5), Map.entry("2", 0));
    }

    @Test
    void theHashSpreadsRoomsOverSixtyFourFields() {
        assertThat(List.of("live://1", "live://2", "x", ""))
                .allSatisfy(room -> assertThat(ServerOnlineStore.field(room)).isBetween(0, 63));
        assertThat(ServerOnlineStore.field("live://1000")).isEqualTo(ServerOnlineStore.field("live://1000"));
    }
}
