package io.goim.comet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallAdmissionTest {
    private final List<String> started = new ArrayList<>();
    private final List<Throwable> rejected = new ArrayList<>();

    private void submit(CallAdmission admission, String name) {
        admission.submit(() -> started.add(name), rejected::add);
    }

    @Test
    void startsAtMostMaxInFlightAndTheRestInArrivalOrder() {
        CallAdmission admission = new CallAdmission(2, 10, Duration.ofMinutes(1));
        submit(admission, "a");
        submit(admission, "b");
        submit(admission, "c");
        submit(admission, "d");

        assertThat(started).containsExactly("a", "b");
        assertThat(admission.inFlight()).isEqualTo(2);
        assertThat(admission.waiting()).isEqualTo(2);

        admission.release();
        assertThat(started).containsExactly("a", "b", "c");
        admission.release();
        assertThat(started).containsExactly("a", "b", "c", "d");
        assertThat(admission.inFlight()).isEqualTo(2);

        admission.release();
        admission.release();
        assertThat(admission.inFlight()).isZero();
        assertThat(rejected).isEmpty();
    }

    @Test
    void refusesAtOnceWhenTooManyWait() {
        CallAdmission admission = new CallAdmission(1, 1, Duration.ofMinutes(1));
        submit(admission, "a");
        submit(admission, "b");
        submit(admission, "c");

        assertThat(started).containsExactly("a");
        assertThat(rejected)
                .singleElement()
                .satisfies(
                        e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void dropsACallThatWaitedTooLongAndGivesItsTurnToTheNext() {
        // a negative limit: every call that had to wait has waited too long
        CallAdmission admission = new CallAdmission(1, 10, Duration.ofNanos(-1));
        submit(admission, "a");
        submit(admission, "b");
        submit(admission, "c");

        admission.release();

        assertThat(started).containsExactly("a");
        assertThat(rejected)
                .hasSize(2)
                .allSatisfy(
                        e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.waiting()).isZero();
    }

    @Test
    void callsThatEndAsTheyStartGiveTheirTurnOnWithoutNestingTheNextInside() {
        // calls that end inside their own start: a logic channel that fails them at once (its replies
        // run on the caller's thread), or clients that left while their Connect waited. Each release
        // used to start the next call inside itself: a long queue overflowed the stack, and the calls
        // it was starting never gave their places back (comet then stayed at maxInFlight for good)
        CallAdmission admission = new CallAdmission(1, 200_000, Duration.ofMinutes(1));
        submit(admission, "first");
        int[] ended = new int[1];
        for (int i = 0; i < 100_000; i++) {
            admission.submit(
                    () -> {
                        ended[0]++;
                        admission.release();
                    },
                    rejected::add);
        }

        admission.release();

        assertThat(ended[0]).isEqualTo(100_000);
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.waiting()).isZero();
        assertThat(rejected).isEmpty();

        // and the place is free again
        submit(admission, "after");
        assertThat(started).containsExactly("first", "after");
        assertThat(admission.inFlight()).isEqualTo(1);
    }
}
