// goim.js against a scripted server (node --test; GoimJsTest runs it): the frames it writes, the
// recovery of docs/recovery.md (ops 18, 19, 20), duplicates dropped by offset, a server without
// recovery, nodes/weighted and its back-off, reconnects. The real server and a real browser:
// goim-e2e-tests' BrowserIT.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const Goim = require(process.env.GOIM_JS || path.join(__dirname, '../../main/resources/static/goim.js'));

const decoder = new TextDecoder();

/** A WebSocket the test plays the comet for: what the client sent, decoded; frames to it. */
class FakeSocket {
    constructor(url) {
        this.url = url;
        this.sent = [];
        this.readyState = 0;
        FakeSocket.all.push(this);
        setTimeout(() => {
            this.readyState = 1;
            this.onopen && this.onopen();
        }, 0);
    }
    send(buffer) {
        for (const f of Goim.decode(buffer, 0, buffer.byteLength)) {
            this.sent.push({op: f.op, seq: f.seq, body: decoder.decode(f.bytes)});
        }
    }
    close(code) {
        if (this.readyState === 3) return;
        this.readyState = 3;
        setTimeout(() => this.onclose && this.onclose({code: code || 1006, reason: ''}), 0);
    }
    frame(op, seq, body) {
        this.onmessage({data: Goim.encode(op, seq, body)});
    }
    /** op 9 (or 20) whose body is inner frames {op 1000, seq, body}. */
    deliver(seqs, op) {
        const inner = seqs.map((s) => new Uint8Array(Goim.encode(1000, s, 'm' + s)));
        const body = new Uint8Array(inner.reduce((n, f) => n + f.byteLength, 0));
        let at = 0;
        for (const f of inner) {
            body.set(f, at);
            at += f.byteLength;
        }
        this.frame(op || Goim.Op.RAW, 0, body);
    }
    ops() {
        return this.sent.map((f) => f.op);
    }
}
FakeSocket.all = [];

const NODES = {
    domain: 'conn.example', tcp_port: 3101, ws_port: 3102, wss_port: 3103, heartbeat: 240, heartbeat_max: 2,
    nodes: ['a.example', 'b.example'],
    backoff: {max_delay: 0.05, base_delay: 0.01, factor: 1.8, jitter: 0.3},
};
const fetched = [];
global.fetch = async (url) => {
    fetched.push(url);
    return {json: async () => ({code: 0, message: 'ok', data: NODES})};
};

async function until(what, fn) {
    for (let i = 0; i < 200; i++) {
        const v = fn();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('timed out waiting for ' + what);
}

function client(extra) {
    FakeSocket.all = [];
    const events = {state: [], message: [], online: [], recovery: [], reset: []};
    const c = new Goim.Client(Object.assign({
        logic: 'http://logic.example',
        token: {mid: 7, room_id: 'chat://1', platform: 'web', accepts: [1000]},
        WebSocket: FakeSocket,
        recoverTimeoutMs: 50,
    }, extra || {}));
    for (const name of Object.keys(events)) c.on(name, (v) => events[name].push(v));
    return {c, events};
}

async function socket(n) {
    return until('socket ' + n, () => FakeSocket.all[n] && FakeSocket.all[n].sent.length >= 1 && FakeSocket.all[n]);
}

test('op 7 with the JSON token and op 18 right behind it; a heartbeat after op 8 brings the online count', async () => {
    const {c, events} = client();
    c.connect();
    const ws = await socket(0);
    assert.strictEqual(ws.url, 'ws://a.example:3102/sub');
    assert.ok(fetched.includes('http://logic.example/goim/nodes/weighted?platform=web'));
    assert.deepStrictEqual(ws.ops(), [7, 18]);
    assert.deepStrictEqual(JSON.parse(ws.sent[0].body), {mid: 7, room_id: 'chat://1', platform: 'web', accepts: [1000]});
    assert.deepStrictEqual(JSON.parse(ws.sent[1].body), {room: {}, user: {}});
    ws.frame(Goim.Op.AUTH_REPLY, ws.sent[0].seq);
    assert.strictEqual(c.state, 'open');
    assert.deepStrictEqual(ws.ops(), [7, 18, 2]);
    const online = new Uint8Array(4);
    new DataView(online.buffer).setInt32(0, 42);
    ws.frame(Goim.Op.HEARTBEAT_REPLY, 0, online);
    assert.deepStrictEqual(events.online, [42]);
    c.close();
    assert.deepStrictEqual(events.state, ['connecting', 'open', 'closed']);
});

test('a first op 19 gives the positions; offsets are tracked, duplicates dropped, op 20 is the user stream', async () => {
    const {c, events} = client();
    c.connect();
    const ws = await socket(0);
    ws.frame(Goim.Op.AUTH_REPLY, 1);
    ws.frame(Goim.Op.RECOVER_REPLY, 2, JSON.stringify({
        room: {id: 'chat://1', recovered: false, epoch: 'e1', offset: 10},
        user: {recovered: false, epoch: 'u1', offset: 3},
    }));
    ws.deliver([11, 12, 12, 11, 13]);
    ws.deliver([4], Goim.Op.USER_RAW);
    ws.deliver([0]); // a key push or a broadcast: not numbered, always delivered
    assert.deepStrictEqual(events.message.map((m) => [m.stream, m.offset, m.body]), [
        ['room', 11, 'm11'], ['room', 12, 'm12'], ['room', 13, 'm13'], ['user', 4, 'm4'], [null, null, 'm0'],
    ]);
    assert.deepStrictEqual(c.positions(), {room: {epoch: 'e1', offset: 13}, user: {epoch: 'u1', offset: 4}});
    assert.deepStrictEqual(events.reset, [], 'no position was held: nothing was missed');
    assert.strictEqual(events.recovery[0].supported, true);
    c.close();
});

test('after a drop it reconnects with the back-off, sends its positions and shows the missed messages once, in order', async () => {
    const {c, events} = client({positions: {room: {epoch: 'e1', offset: 13}, user: {epoch: 'u1', offset: 4}}});
    c.connect();
    const first = await socket(0);
    first.frame(Goim.Op.AUTH_REPLY, 1);
    first.close(1006);
    const second = await socket(1);
    assert.strictEqual(second.url, 'ws://b.example:3102/sub', 'the next node on the next attempt');
    assert.deepStrictEqual(JSON.parse(second.sent[1].body), {room: {epoch: 'e1', offset: 13}, user: {epoch: 'u1', offset: 4}});
    second.frame(Goim.Op.AUTH_REPLY, 1);
    second.frame(Goim.Op.RECOVER_REPLY, 2, JSON.stringify({
        room: {id: 'chat://1', recovered: true, epoch: 'e1', offset: 16},
        user: {recovered: true, epoch: 'u1', offset: 5},
    }));
    second.deliver([14, 15, 16]);
    second.deliver([5], Goim.Op.USER_RAW);
    second.deliver([16, 17]); // a replayed 16, then live
    assert.deepStrictEqual(events.message.map((m) => m.offset), [14, 15, 16, 5, 17]);
    assert.deepStrictEqual(events.state, ['connecting', 'open', 'reconnecting', 'connecting', 'open']);
    assert.deepStrictEqual(events.reset, []);
    c.close();
});

test('not recovered (another epoch, or too old): a reset with the new position, then live from there', async () => {
    const {c, events} = client({positions: {room: {epoch: 'e1', offset: 13}}});
    c.connect();
    const ws = await socket(0);
    ws.frame(Goim.Op.AUTH_REPLY, 1);
    ws.frame(Goim.Op.RECOVER_REPLY, 2, JSON.stringify({
        room: {id: 'chat://1', recovered: false, epoch: 'e2', offset: 100},
        user: {recovered: false, epoch: '', offset: 0},
    }));
    ws.deliver([100, 101]);
    assert.deepStrictEqual(events.reset, [{stream: 'room', epoch: 'e2', offset: 100}]);
    assert.deepStrictEqual(events.message.map((m) => m.offset), [101]);
    c.close();
});

test('a server without recovery: silence after op 8 (what came meanwhile is held, then shown) or the echo of op 18', async () => {
    const {c, events} = client();
    c.connect();
    const ws = await socket(0);
    ws.frame(Goim.Op.AUTH_REPLY, 1);
    ws.deliver([0, 0]);
    assert.strictEqual(events.message.length, 0, 'held until op 19 or the time-out');
    await until('the time-out', () => events.recovery.length === 1);
    assert.deepStrictEqual(events.recovery[0], {supported: false, reason: 'timeout'});
    assert.strictEqual(events.message.length, 2);
    ws.deliver([0]);
    assert.strictEqual(events.message.length, 3, 'live');
    c.close();

    const echo = client();
    echo.c.connect();
    const old = await socket(0);
    old.frame(Goim.Op.AUTH_REPLY, 1);
    old.frame(Goim.Op.RECOVER, 2); // goim's echo of an op it does not know
    assert.deepStrictEqual(echo.events.recovery, [{supported: false, reason: 'echo'}]);
    old.deliver([0]);
    assert.strictEqual(echo.events.message.length, 1);
    echo.c.close();
});

test('recover: false sends no op 18; a string token (a JWT) is sent as is; the url option replaces the nodes', async () => {
    const {c} = client({recover: false, token: 'a.b.c', url: (nodes) => 'ws://fixed:' + nodes.ws_port + '/sub'});
    c.connect();
    const ws = await socket(0);
    assert.strictEqual(ws.url, 'ws://fixed:3102/sub');
    assert.deepStrictEqual(ws.ops(), [7]);
    assert.strictEqual(ws.sent[0].body, 'a.b.c');
    c.close();
});

test("the back-off is gRPC's, in seconds, as nodes/weighted gives it", () => {
    const b = {base_delay: 3, max_delay: 300, factor: 1.8, jitter: 0.3};
    for (let i = 0; i < 100; i++) {
        const first = Goim.backoffDelayMs(b, 0);
        assert.ok(first >= 2100 && first <= 3900, String(first));
        const capped = Goim.backoffDelayMs(b, 40);
        assert.ok(capped >= 210000 && capped <= 390000, String(capped));
    }
});
