/** logic's configuration: the {@code goim.logic} property tree and the beans built from it. */
package io.goim.logic.config;
