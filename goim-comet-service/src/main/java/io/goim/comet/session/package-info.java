/**
 * goim's Bucket, Channel and Room (contract section 7): which connections this comet holds, by key
 * and by room. No Spring and no transport types here; a Channel writes through its {@link
 * io.goim.comet.session.Channel.Outbound}.
 */
package io.goim.comet.session;
