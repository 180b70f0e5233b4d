/** comet's configuration: the {@code goim.comet} property tree and the beans built from it. */
package io.goim.comet.config;
