package io.goim.logic.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class GoimTokenAuthenticatorTest {
    private final GoimTokenAuthenticator goim =
            new GoimTokenAuthenticator(JsonMapper.builder().build());

    private Identity read(String token) {
        return goim.authenticate(token.getBytes(StandardCharsets.UTF_8), "");
    }

    @Test
    void readsGoimsTokenAsGoimDoes() {
        assertThat(read("{\"mid\":123, \"key\":\"k\", \"room_id\":\"live://1000\", \"platform\":\"web\","
                        + " \"accepts\":[1000,1001,1002], \"extra\":true}"))
                .isEqualTo(new Identity(123, "k", "live://1000", "web", List.of(1000, 1001, 1002)));
    }

    @Test
    void missingFieldsAreEmpty() {
        assertThat(read("{\"mid\":5}")).isEqualTo(new Identity(5, "", "", "", List.of()));
    }

    @Test
    void notJsonIsRefused() {
        for (String bad : List.of("not json", "{\"mid\":\"abc\"}", "", "null")) {
            assertThatThrownBy(() -> read(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            AuthenticationException.class,
                            e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.MALFORMED));
        }
    }
}
