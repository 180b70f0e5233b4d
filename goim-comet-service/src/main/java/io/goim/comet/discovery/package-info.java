/** comet's registration in Eureka with goim's metadata (contract section 7). */
package io.goim.comet.discovery;
