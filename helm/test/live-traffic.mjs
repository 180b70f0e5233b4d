// Traffic for the live dashboard check: goim clients on comet (WebSocket and TCP, contract
// section 2), pushes of every type through logic's API, and one TCP client that authenticates and
// then stops reading, so that comet drops what it cannot queue for it (goim_comet_drops_total).
//
//   node --experimental-websocket live-traffic.mjs <comet ws port> <comet tcp port> <logic http port> <seconds>
//   env: GOIM_TEST_JWT_SECRET: tokens are HS256 JWTs signed with it (logic in jwt mode);
//        GOIM_TEST_API_KEY: the push API's bearer key
//
// Exits 1 when a client is not authenticated or a WebSocket client receives no push.
import { createHmac } from 'node:crypto';
import net from 'node:net';

const [wsPort, tcpPort, httpPort, seconds] = process.argv.slice(2).map(Number);
const ROOM = 'live://1000';

function frame(op, body = '', seq = 1) {
  const b = Buffer.from(body);
  const f = Buffer.alloc(16 + b.length);
  f.writeInt32BE(16 + b.length, 0);
  f.writeInt16BE(16, 4);
  f.writeInt16BE(1, 6);
  f.writeInt32BE(op, 8);
  f.writeInt32BE(seq, 12);
  b.copy(f, 16);
  return f;
}
const JWT_SECRET = process.env.GOIM_TEST_JWT_SECRET;
const API_KEY = process.env.GOIM_TEST_API_KEY;
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(mid, key) {
  const claims = { key, room_id: ROOM, platform: 'web', accepts: [1000, 1001] };
  if (!JWT_SECRET) return JSON.stringify({ mid, ...claims });
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: String(mid), exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${unsigned}.${createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}
const headers = API_KEY ? { Authorization: `Bearer ${API_KEY}` } : {};

function wsClient(mid) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/sub`);
    ws.binaryType = 'arraybuffer';
    const client = { ws, mid, authed: false, pushes: 0 };
    const timer = setTimeout(() => reject(new Error(`ws client ${mid}: no auth reply in 15 s`)), 15000);
    ws.onopen = () => ws.send(frame(7, token(mid, `ws-${mid}`)));
    ws.onmessage = (m) => {
      const op = Buffer.from(m.data).readInt32BE(8);
      if (op === 8 && !client.authed) {
        client.authed = true;
        clearTimeout(timer);
        client.beat = setInterval(() => ws.send(frame(2)), 5000);
        resolve(client);
      } else if (op === 9) {
        client.pushes++;
      }
    };
    ws.onerror = (e) => reject(new Error(`ws client ${mid}: ${e.message ?? 'error'}`));
  });
}

// authenticates over TCP, then never reads again: the kernel's buffers fill, then comet's queue
function stalledTcpClient(key) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(tcpPort, '127.0.0.1');
    socket.setNoDelay(true);
    const timer = setTimeout(() => reject(new Error('tcp client: no auth reply in 15 s')), 15000);
    socket.on('connect', () => socket.write(frame(7, token(0, key))));
    socket.once('data', (d) => {
      if (d.readInt32BE(8) !== 8) return reject(new Error(`tcp client: op ${d.readInt32BE(8)} instead of 8`));
      clearTimeout(timer);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', (e) => reject(new Error(`tcp client: ${e.message}`)));
  });
}

// a push's goim code; a -500 (Redis or Kafka slow on a loaded machine) is counted, not fatal
const codes = {};
async function push(path, body) {
  const reply = await fetch(`http://127.0.0.1:${httpPort}${path}`, { method: 'POST', body, headers })
    .then((r) => r.json())
    .catch((e) => ({ code: e.message }));
  codes[reply.code] = (codes[reply.code] ?? 0) + 1;
  return reply.code;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (API_KEY) {
  // the key protects the push API: without it, HTTP 401
  const r = await fetch(`http://127.0.0.1:${httpPort}/goim/push/mids?operation=1000&mids=101`, { method: 'POST', body: 'x' });
  if (r.status !== 401) {
    console.error(`live-traffic: a push without the API key was answered ${r.status}, not 401`);
    process.exit(1);
  }
}
const clients = await Promise.all([1, 2, 3, 4, 5].map((mid) => wsClient(100 + mid)));
const stalled = await stalledTcpClient('stalled-tcp');
// a client that comes and goes: auth, then a close (goim_comet_closes_total, connects, disconnects)
(await wsClient(999)).ws.close();
console.log(`live-traffic: ${clients.length} WebSocket clients and a stalled TCP client authenticated`);

const big = 'x'.repeat(60 * 1024);
const end = Date.now() + seconds * 1000;
let round = 0;
while (Date.now() < end) {
  round++;
  await push(`/goim/push/room?operation=1000&type=live&room=1000`, `room ${round}`);
  await push(`/goim/push/mids?operation=1000&mids=101&mids=102`, `mids ${round}`);
  await push(`/goim/push/keys?operation=1000&keys=ws-103`, `keys ${round}`);
  if (round % 5 === 0) await push(`/goim/push/all?operation=1001&speed=1000`, `all ${round}`);
  // a bad request: answered -400 and counted as rejected
  await fetch(`http://127.0.0.1:${httpPort}/goim/push/room?operation=1000`, { method: 'POST', body: 'x', headers });
  // 60 KB pushes to the stalled client: more than its socket buffers and comet's queue hold
  if (round <= 20) {
    for (let i = 0; i < 4; i++) {
      await Promise.all(Array.from({ length: 5 }, () => push(`/goim/push/keys?operation=1000&keys=stalled-tcp`, big)));
    }
  }
  await sleep(500);
}
await sleep(2000);
const starved = clients.filter((c) => c.pushes === 0).map((c) => c.mid);
for (const c of clients) {
  clearInterval(c.beat);
  c.ws.close();
}
stalled.destroy();
if (starved.length) {
  console.error(`live-traffic: clients ${starved} received no push`);
  process.exit(1);
}
console.log(`live-traffic: ${round} rounds of pushes, answers by goim code ${JSON.stringify(codes)}; pushes received: ${clients.map((c) => c.pushes).join(' ')}`);
if (!codes[0]) {
  console.error('live-traffic: no push succeeded');
  process.exit(1);
}
process.exit(0); // the stalled socket's and WebSockets' handles would keep node waiting
