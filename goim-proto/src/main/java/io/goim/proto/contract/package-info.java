/**
 * Names the services share beyond the frame and the protobuf messages: the Eureka metadata keys
 * (contract section 7), the Kafka topic (section 5) and the Redis keys of the history streams
 * (docs/recovery.md), spelled once for every service.
 * Spring-free, like the rest of goim-proto.
 */
package io.goim.proto.contract;
