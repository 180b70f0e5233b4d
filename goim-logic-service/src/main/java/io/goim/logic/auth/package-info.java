/**
 * Verifies the auth token that comet passes to Connect (contract section 2): goim's JSON token as
 * goim reads it, or a signed JWT (contract section 8: goim trusts any token as is).
 */
package io.goim.logic.auth;
