/** The session mapping in Redis, exactly as goim keeps it (contract section 4). */
package io.goim.logic.session;
