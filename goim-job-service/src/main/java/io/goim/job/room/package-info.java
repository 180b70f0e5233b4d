/**
 * Room merging (contract section 7): a room's messages leave as one op-9 body of whole inner frames
 * (contract section 2) instead of one gRPC call per message. {@link io.goim.job.room.RoomMerger} is
 * plain Java on an injected scheduler so that tests run it in virtual time; {@link
 * io.goim.job.room.RoomFanout} puts it on one thread and hands its batches to every comet.
 */
package io.goim.job.room;
