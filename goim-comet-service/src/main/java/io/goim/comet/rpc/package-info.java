/** comet's gRPC: the Comet service job calls, and the client of logic's API (contract section 6). */
package io.goim.comet.rpc;
