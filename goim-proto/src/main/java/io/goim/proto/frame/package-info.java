/**
 * goim's client frame (contract section 2): the value, its operations, and Netty codecs for TCP
 * byte streams and WebSocket binary messages. Spring-free, so clients and tools can use it.
 */
package io.goim.proto.frame;
