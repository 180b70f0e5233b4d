/**
 * History and recovery (issue 15, docs/recovery.md): the offline inbox of pushes by mids (numbered
 * here, before publishing), and the reads of room and user streams behind comet's recover (op 18,
 * gRPC Recover) and {@code /goim/history/*}. Rooms are numbered by job.
 */
package io.goim.logic.history;
