/**
 * Turns push requests into {@code goim.logic.PushMsg} records on Kafka (contract section 5), and
 * clients' upstream messages into records on the upstream topic.
 */
package io.goim.logic.push;
