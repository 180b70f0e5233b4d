/*
 * goim.js: a browser client for goim (and goim for the JVM), one file, no dependencies, no build.
 *
 *   <script src="http://<logic>/goim.js"></script>
 *   const client = new Goim.Client({token: {mid: 123, room_id: 'live://1000', accepts: [1000]}});
 *   client.on('message', m => console.log(m.op, m.body));
 *   client.connect();
 *
 * The wire is goim's (docs: the contract, section 2), as goim's examples/javascript client speaks
 * it: 16-byte big-endian headers, op 7 auth with the token, op 8 auth reply, op 2/3 heartbeat
 * (the reply carries the room's online count), op 9 deliveries whose body is inner frames back to
 * back. Past goim's example: the comet addresses and the reconnect back-off come from logic's
 * GET /goim/nodes/weighted; the connection comes back by itself; and with a server that keeps
 * history (docs/recovery.md), it recovers what it missed while it was away: op 18 with the room
 * and user positions it holds, sent right behind op 7 (so that comet holds live deliveries until
 * the missed ones are written), op 19 in reply, then the missed messages, op 20 for user-stream
 * deliveries, duplicates dropped by offset. A server without recovery ignores op 18 before auth
 * (goim ignores every frame but op 7 there) or echoes it after (goim echoes ops it does not know):
 * the client waits recoverTimeoutMs after op 8 for op 19, holding what comes meanwhile, then goes
 * on live with it.
 *
 * Loaded as a classic script it defines the global Goim; in CommonJS it is module.exports.
 */
(function (root, factory) {
    const goim = factory();
    if (typeof module === 'object' && module.exports) {
        module.exports = goim;
    } else {
        root.Goim = goim;
    }
})(typeof self !== 'undefined' ? self : this, function () {
    'use strict';

    const HEADER = 16;
    const VERSION = 1;
    const Op = Object.freeze({
        HEARTBEAT: 2,
        HEARTBEAT_REPLY: 3,
        AUTH: 7,
        AUTH_REPLY: 8,
        RAW: 9,
        CHANGE_ROOM: 12,
        CHANGE_ROOM_REPLY: 13,
        RECOVER: 18,
        RECOVER_REPLY: 19,
        USER_RAW: 20,
    });
    const State = Object.freeze({
        CONNECTING: 'connecting',
        OPEN: 'open',
        RECONNECTING: 'reconnecting',
        CLOSED: 'closed',
    });
    // goim's defaults (logic's [backoff]), in seconds, for when nodes/weighted cannot be read
    const DEFAULT_BACKOFF = {max_delay: 300, base_delay: 3, factor: 1.8, jitter: 0.3};

    const encoder = new TextEncoder();
    const decoder = new TextDecoder();

    /** One goim frame: header and body (a Uint8Array). */
    function encode(op, seq, body) {
        const bytes = body == null ? new Uint8Array(0) : typeof body === 'string' ? encoder.encode(body) : body;
        const buffer = new ArrayBuffer(HEADER + bytes.byteLength);
        const view = new DataView(buffer);
        view.setInt32(0, HEADER + bytes.byteLength);
        view.setInt16(4, HEADER);
        view.setInt16(6, VERSION);
        view.setInt32(8, op);
        view.setInt32(12, seq);
        new Uint8Array(buffer, HEADER).set(bytes);
        return buffer;
    }

    /** The frames in bytes[from, to), back to back; a frame that does not fit ends the list. */
    function decodeAll(buffer, from, to) {
        const view = new DataView(buffer);
        const frames = [];
        let at = from;
        while (to - at >= HEADER) {
            const packLen = view.getInt32(at);
            const headerLen = view.getInt16(at + 4);
            if (packLen < headerLen || headerLen < HEADER || at + packLen > to) {
                break;
            }
            frames.push({
                ver: view.getInt16(at + 6),
                op: view.getInt32(at + 8),
                seq: view.getInt32(at + 12),
                bytes: new Uint8Array(buffer.slice(at + headerLen, at + packLen)),
            });
            at += packLen;
        }
        return frames;
    }

    /** gRPC's connection back-off, which goim's nodes/weighted hands its clients: seconds. */
    function backoffDelayMs(backoff, attempt) {
        const b = Object.assign({}, DEFAULT_BACKOFF, backoff || {});
        const delay = Math.min(b.base_delay * Math.pow(b.factor, attempt), b.max_delay);
        const jittered = delay * (1 + b.jitter * (Math.random() * 2 - 1));
        return Math.max(0, Math.round(jittered * 1000));
    }

    /** A position the server gave: an epoch ('' is history off: nothing to track). */
    function known(position) {
        return position != null && position.epoch != null && position.epoch !== '';
    }

    function scriptOrigin() {
        try {
            if (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) {
                return new URL(document.currentScript.src).origin;
            }
            if (typeof location !== 'undefined') {
                return location.origin;
            }
        } catch (ignored) {
            // no document: the caller passes logic
        }
        return '';
    }
    const LOADED_FROM = scriptOrigin();

    /**
     * A goim connection that comes back by itself.
     *
     * options:
     *   token        the op-7 body: an object (goim's JSON token: mid, key, room_id, platform,
     *                accepts), a string (e.g. a JWT when logic verifies tokens), or a function
     *                returning either (called before every connect, so a JWT can be renewed)
     *   logic        logic's base URL for GET /goim/nodes/weighted (default: where goim.js came from)
     *   platform     nodes/weighted's platform (default 'web': the nodes are host names)
     *   url          comet address(es) instead of nodes/weighted's nodes: a string, an array, or a
     *                function (nodes) => string|array given nodes/weighted's data (null when it
     *                could not be read). nodes/weighted is still read for the back-off.
     *   secure       wss and wss_port instead of ws and ws_port (default: the page is https)
     *   recover      send op 18 behind each op 7 (default true)
     *   positions    {room: {epoch, offset}, user: {epoch, offset}} to start from (e.g. kept by the page)
     *   recoverTimeoutMs  how long after op 8 to wait for op 19 before going on live (default 3000)
     *   heartbeatMs  op 2 every this many ms (default 30000, as goim's client)
     *   connectTimeoutMs  a WebSocket that has not opened by then is given up (default 10000)
     *   backoff      {base_delay, max_delay, factor, jitter} in seconds, over nodes/weighted's
     *   WebSocket    the WebSocket class (default: the global one)
     *
     * events (client.on(name, fn)):
     *   state     'connecting' | 'open' | 'reconnecting' | 'closed'
     *   message   {op, body (text), bytes (Uint8Array), seq, stream ('room', 'user' or null), offset}
     *   online    the room's online count (each heartbeat reply)
     *   recovery  {supported: true, reply} after op 19; {supported: false, reason} when the server
     *             has no recovery ('echo') or did not answer ('timeout')
     *   reset     {stream, epoch, offset}: that stream could not be recovered (history lost or too
     *             old); messages were missed, so reload that state another way
     *   close     {code, reason, url}: a connection ended (the client reconnects unless closed)
     *   error     {message, cause}
     */
    class Client {
        constructor(options) {
            this.options = Object.assign(
                {
                    logic: LOADED_FROM,
                    platform: 'web',
                    recover: true,
                    recoverTimeoutMs: 3000,
                    heartbeatMs: 30000,
                    connectTimeoutMs: 10000,
                },
                options || {},
            );
            this.listeners = {};
            this.state = State.CLOSED;
            this.online = null;
            this.nodes = null;
            this.attempt = 0;
            this.seq = 0;
            this.ws = null;
            this.timers = {};
            this.recovering = false;
            this.held = [];
            this.stopped = true;
            this.generation = 0;
            this.streams = {
                room: Object.assign({epoch: null, offset: 0}, (this.options.positions || {}).room),
                user: Object.assign({epoch: null, offset: 0}, (this.options.positions || {}).user),
            };
        }

        on(name, fn) {
            (this.listeners[name] = this.listeners[name] || []).push(fn);
            return this;
        }

        off(name, fn) {
            this.listeners[name] = (this.listeners[name] || []).filter((f) => f !== fn);
            return this;
        }

        emit(name, value) {
            for (const fn of this.listeners[name] || []) {
                try {
                    fn(value);
                } catch (e) {
                    if (typeof console !== 'undefined') console.error('goim: a ' + name + ' listener threw', e);
                }
            }
        }

        /** The stream positions held now: keep them to recover after a page reload. */
        positions() {
            return {room: Object.assign({}, this.streams.room), user: Object.assign({}, this.streams.user)};
        }

        connect() {
            if (!this.stopped) return this;
            this.stopped = false;
            this.attempt = 0;
            this.open(State.CONNECTING);
            return this;
        }

        /** Ends the connection for good (no reconnect). */
        close() {
            this.stopped = true;
            this.generation++;
            this.clearTimers();
            if (this.ws) {
                const ws = this.ws;
                this.ws = null;
                try {
                    ws.close(1000, 'client closed');
                } catch (ignored) {
                    // already closing
                }
            }
            this.setState(State.CLOSED);
        }

        /** goim's op 12: move to another room ('' leaves); the room position starts over. */
        changeRoom(roomId) {
            this.streams.room = {epoch: null, offset: 0};
            return this.send(Op.CHANGE_ROOM, roomId);
        }

        /** Any frame: an upstream message (op >= 1000 goes to logic's Receive and is echoed). */
        send(op, body) {
            if (!this.ws || this.ws.readyState !== 1) return false;
            this.ws.send(encode(op, ++this.seq, body));
            return true;
        }

        // ---- connection ---------------------------------------------------------------

        setState(state) {
            if (this.state !== state) {
                this.state = state;
                this.emit('state', state);
            }
        }

        clearTimers() {
            for (const name of Object.keys(this.timers)) {
                clearTimeout(this.timers[name]);
                clearInterval(this.timers[name]);
            }
            this.timers = {};
        }

        async open(state) {
            const generation = ++this.generation;
            this.setState(state);
            await this.readNodes();
            if (this.stopped || generation !== this.generation) return;
            const urls = this.urls();
            if (urls.length === 0) {
                this.emit('error', {message: 'no comet address: nodes/weighted listed none and no url was given'});
                this.retry();
                return;
            }
            // a different node on every attempt, from the best one
            this.dial(urls[this.attempt % urls.length]);
        }

        async readNodes() {
            const logic = this.options.logic;
            if (logic == null || typeof fetch !== 'function') return;
            const base = String(logic).replace(/\/+$/, '');
            try {
                const response = await fetch(
                    base + '/goim/nodes/weighted?platform=' + encodeURIComponent(this.options.platform),
                    {cache: 'no-store'},
                );
                const reply = await response.json();
                if (reply && reply.code === 0 && reply.data) {
                    this.nodes = reply.data;
                } else {
                    this.emit('error', {message: 'nodes/weighted answered ' + JSON.stringify(reply)});
                }
            } catch (e) {
                // logic unreachable: the last nodes read, or the url option, serve
                this.emit('error', {message: 'nodes/weighted failed', cause: e});
            }
        }

        urls() {
            const secure =
                this.options.secure != null
                    ? this.options.secure
                    : typeof location !== 'undefined' && location.protocol === 'https:';
            const given = this.options.url;
            let urls;
            if (typeof given === 'function') {
                urls = given(this.nodes);
            } else if (given != null) {
                urls = given;
            } else if (this.nodes) {
                const n = this.nodes;
                const port = secure ? n.wss_port : n.ws_port;
                const hosts = n.nodes && n.nodes.length ? n.nodes : [n.domain];
                urls = hosts.map((h) => (secure ? 'wss://' : 'ws://') + h + ':' + port + '/sub');
            } else {
                urls = [];
            }
            return (Array.isArray(urls) ? urls : [urls]).filter(Boolean);
        }

        token() {
            let token = this.options.token;
            if (typeof token === 'function') token = token();
            return typeof token === 'string' ? token : JSON.stringify(token || {});
        }

        dial(url) {
            const Socket = this.options.WebSocket || WebSocket;
            let ws;
            try {
                ws = new Socket(url);
            } catch (e) {
                this.emit('error', {message: 'cannot open ' + url, cause: e});
                this.retry();
                return;
            }
            ws.binaryType = 'arraybuffer';
            this.ws = ws;
            this.held = [];
            this.recovering = false;
            this.timers.connect = setTimeout(() => {
                if (this.ws === ws && this.state !== State.OPEN) {
                    this.emit('error', {message: 'no auth reply from ' + url + ' within ' + this.options.connectTimeoutMs + ' ms'});
                    ws.close();
                }
            }, this.options.connectTimeoutMs);
            ws.onopen = () => {
                if (this.ws !== ws) return;
                ws.send(encode(Op.AUTH, ++this.seq, this.token()));
                if (this.options.recover) {
                    // right behind op 7: comet holds live deliveries from the room join to op 19
                    this.recovering = true;
                    ws.send(encode(Op.RECOVER, ++this.seq, this.recoverBody()));
                }
            };
            ws.onmessage = (event) => {
                if (this.ws !== ws) return;
                if (typeof event.data === 'string') return; // goim sends binary frames only
                for (const frame of decodeAll(event.data, 0, event.data.byteLength)) {
                    this.frame(frame, event.data);
                }
            };
            ws.onclose = (event) => {
                if (this.ws !== ws) return;
                this.ws = null;
                this.clearTimers();
                this.emit('close', {code: event.code, reason: event.reason, url: url});
                if (!this.stopped) this.retry();
            };
            ws.onerror = () => {
                // onclose follows and reconnects
            };
        }

        retry() {
            if (this.stopped) return;
            this.setState(State.RECONNECTING);
            const backoff = Object.assign({}, (this.nodes || {}).backoff, this.options.backoff);
            const delay = backoffDelayMs(backoff, this.attempt);
            this.attempt++;
            this.timers.retry = setTimeout(() => {
                delete this.timers.retry;
                if (!this.stopped) this.open(State.CONNECTING);
            }, delay);
        }

        heartbeat() {
            this.send(Op.HEARTBEAT, null);
        }

        // ---- frames ---------------------------------------------------------------------

        frame(frame) {
            switch (frame.op) {
                case Op.AUTH_REPLY:
                    this.authenticated();
                    break;
                case Op.HEARTBEAT_REPLY:
                    if (frame.bytes.byteLength >= 4) {
                        this.online = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, 4).getInt32(0);
                        this.emit('online', this.online);
                    }
                    break;
                case Op.RAW:
                case Op.USER_RAW: {
                    const stream = frame.op === Op.USER_RAW ? 'user' : 'room';
                    for (const inner of decodeAll(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteOffset + frame.bytes.byteLength)) {
                        this.deliver(inner, stream);
                    }
                    break;
                }
                case Op.CHANGE_ROOM_REPLY:
                    // the new room's position, for the next recovery (its live messages are not held)
                    if (this.options.recover) this.send(Op.RECOVER, this.recoverBody(['room']));
                    break;
                case Op.RECOVER:
                    // goim's echo of an op it does not know: no recovery on this server
                    if (this.recovering) this.live({supported: false, reason: 'echo'});
                    break;
                case Op.RECOVER_REPLY:
                    this.recovered(frame.bytes);
                    break;
                default:
                    break; // replies to upstream messages, change room and sub/unsub: nothing to do
            }
        }

        authenticated() {
            clearTimeout(this.timers.connect);
            delete this.timers.connect;
            this.attempt = 0;
            this.setState(State.OPEN);
            // as goim's client: a heartbeat at once (it brings the online count), then periodically
            this.heartbeat();
            this.timers.heartbeat = setInterval(() => this.heartbeat(), this.options.heartbeatMs);
            if (!this.recovering) return;
            this.timers.recover = setTimeout(() => {
                if (this.recovering) this.live({supported: false, reason: 'timeout'});
            }, this.options.recoverTimeoutMs);
        }

        /** op 18's body: the positions held; {} for a stream with none ("tell me the current one"). */
        recoverBody(only) {
            const position = (s) => (known(s) ? {epoch: s.epoch, offset: s.offset} : {});
            const body = {};
            for (const name of only || ['room', 'user']) body[name] = position(this.streams[name]);
            return JSON.stringify(body);
        }

        recovered(bytes) {
            let reply;
            try {
                reply = JSON.parse(decoder.decode(bytes));
            } catch (e) {
                this.emit('error', {message: 'op 19 is not JSON', cause: e});
                this.live({supported: false, reason: 'bad reply'});
                return;
            }
            for (const name of ['room', 'user']) {
                const part = reply[name];
                if (!part || part.epoch == null) continue;
                const held = this.streams[name];
                if (part.recovered && known(held) && held.epoch === part.epoch) {
                    continue; // the missed messages follow, numbered from held.offset + 1
                }
                const hadPosition = known(held);
                this.streams[name] = {epoch: part.epoch, offset: Number(part.offset) || 0};
                if (hadPosition) {
                    this.emit('reset', {stream: name, epoch: part.epoch, offset: this.streams[name].offset});
                }
            }
            this.live({supported: true, reply: reply});
        }

        /** Recovery is over (or impossible): what came meanwhile is delivered, then live ones. */
        live(result) {
            clearTimeout(this.timers.recover);
            delete this.timers.recover;
            this.recovering = false;
            this.emit('recovery', result);
            const held = this.held;
            this.held = [];
            for (const [inner, stream] of held) this.deliver(inner, stream);
        }

        deliver(inner, stream) {
            if (this.recovering) {
                this.held.push([inner, stream]);
                return;
            }
            // a numbered frame belongs to a stream; seq 0 is goim's (key pushes, broadcasts)
            let offset = null;
            let named = null;
            if (inner.seq > 0) {
                named = stream;
                offset = inner.seq;
                const position = this.streams[stream];
                if (known(position)) {
                    if (offset <= position.offset) return; // a duplicate: delivered already
                    position.offset = offset;
                }
            }
            this.emit('message', {
                op: inner.op,
                body: decoder.decode(inner.bytes),
                bytes: inner.bytes,
                seq: inner.seq,
                stream: named,
                offset: offset,
            });
        }
    }

    return {Client: Client, Op: Op, State: State, encode: encode, decode: decodeAll, backoffDelayMs: backoffDelayMs};
});
