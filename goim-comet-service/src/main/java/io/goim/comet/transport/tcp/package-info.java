/** The TCP listener: goim frames back to back on a byte stream (contract section 2). */
package io.goim.comet.transport.tcp;
