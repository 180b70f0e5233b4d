/**
 * Online counts (contract sections 3, 4 and 7): comets' room counts in Redis ({@code ol_{server}}),
 * reloaded every 10 s into the cluster-wide counts that online/top, online/room and RenewOnline
 * answer from.
 */
package io.goim.logic.online;
