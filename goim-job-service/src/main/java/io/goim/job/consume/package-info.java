/** Reads {@code goim.logic.PushMsg} records from the push topic (contract section 5). */
package io.goim.job.consume;
