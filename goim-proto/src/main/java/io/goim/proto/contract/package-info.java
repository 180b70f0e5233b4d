/**
 * Names the services share beyond the frame and the protobuf messages: the Eureka metadata keys
 * (contract section 7) and the Kafka topic (section 5), spelled once for every service.
 * Spring-free, like the rest of goim-proto.
 */
package io.goim.proto.contract;
