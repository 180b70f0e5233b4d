/** goim's push and query HTTP API with its {code, message, data} envelope (contract section 3). */
package io.goim.logic.web;
