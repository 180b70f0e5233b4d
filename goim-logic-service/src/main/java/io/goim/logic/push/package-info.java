/** Turns push requests into {@code goim.logic.PushMsg} records on Kafka (contract section 5). */
package io.goim.logic.push;
