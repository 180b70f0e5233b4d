package io.goim.proto.contract;

/** goim's Kafka topic (contract section 5), the default of logic's and job's configuration. */
public final class KafkaTopics {
    /** logic publishes PushMsg records here; job consumes them. */
    public static final String PUSH = "goim-push-topic";

    /** Where job puts the records of {@link #PUSH} that it could not deliver (this project's addition). */
    public static final String PUSH_DEAD_LETTER = PUSH + ".DLT";

    private KafkaTopics() {}
}
