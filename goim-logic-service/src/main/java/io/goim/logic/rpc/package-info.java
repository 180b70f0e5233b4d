/** logic's gRPC API for comets (contract section 6) and its registration in Eureka. */
package io.goim.logic.rpc;
