/**
 * Reads {@code goim.logic.PushMsg} records from the push topic (contract section 5) and commits an
 * offset only after the pushes it covers were accepted by the comets or dead-lettered.
 */
package io.goim.job.consume;
