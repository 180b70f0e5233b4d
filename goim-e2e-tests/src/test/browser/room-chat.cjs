// The demo room chat (logic's /demo/, goim.js) in a real browser: Debian's chromium driven by
// playwright-core. BrowserIT starts the system and runs this; it can also run against a system
// of your own (README, Browser client and demo):
//
//   NODE_PATH=~/.cache/goim-browser/node/node_modules node room-chat.cjs --scenario chat \
//     --logic http://127.0.0.1:3111 --comet ws://127.0.0.1:3102/sub --control http://127.0.0.1:<proxy control>
//
// Two pages join one room: page A straight to comet (--comet), page B at the WebSocket port logic's
// nodes/weighted hands clients, which BrowserIT points at a TCP proxy that --control cuts and
// resumes. Scenarios:
//   chat      A sends, both show it; B's connection is cut, B reconnects by itself; A sends again
//             and B shows it; both lists are exactly what was sent, once each, in order
//   recovery  as chat, but while B is cut 10 messages are pushed (A shows them live); after B
//             reconnects it shows every one of them exactly once, in order, then a live one
//             (needs a server that keeps history: docs/recovery.md)
// Prints one JSON line per step and ends with "RESULT PASS" (exit 0) or "RESULT FAIL <why>"
// (exit 1); screenshots of both pages go to --out.
'use strict';
const fs = require('fs');
const path = require('path');
const {chromium} = require('playwright-core');

function args() {
    const out = {scenario: 'chat', out: 'target/browser', chromium: '/usr/bin/chromium', room: 'chat://browser-' + Date.now()};
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error('usage: --name value pairs, got ' + argv[i]);
        out[argv[i].substring(2)] = argv[i + 1];
    }
    for (const required of ['logic', 'comet', 'control']) {
        if (!out[required]) throw new Error('--' + required + ' is required');
    }
    return out;
}

const options = args();
const started = Date.now();
function step(name, detail) {
    console.log(JSON.stringify(Object.assign({t: Date.now() - started, step: name}, detail || {})));
}

/** Polls fn until it returns a truthy value, at most timeoutMs; throws with what it saw last. */
async function until(what, timeoutMs, fn) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (let i = 0; i < 10000 && Date.now() < deadline; i++) {
        last = await fn();
        if (last && last.ok !== false) return last;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('timed out after ' + timeoutMs + ' ms waiting for ' + what + '; last seen: ' + JSON.stringify(last));
}

async function view(page) {
    return page.evaluate(() => ({
        state: document.getElementById('state').textContent,
        online: document.getElementById('online').textContent,
        recovery: document.getElementById('recovery').textContent,
        messages: Array.from(document.querySelectorAll('#messages li .text')).map((e) => e.textContent),
    }));
}

async function openPage(context, name, mid, comet) {
    const page = await context.newPage();
    page.on('console', (m) => step('console', {page: name, type: m.type(), text: m.text()}));
    page.on('pageerror', (e) => step('pageerror', {page: name, error: String(e)}));
    const url =
        options.logic.replace(/\/$/, '') +
        '/demo/?join=1&heartbeatMs=2000&room=' + encodeURIComponent(options.room) +
        '&mid=' + mid + '&comet=' + encodeURIComponent(comet);
    await page.goto(url);
    step('opened', {page: name, url: url});
    return page;
}

async function connected(page, name) {
    // open, and past recovery (op 19, goim's echo of op 18, or its time-out): nothing is held back
    const v = await until(name + ' connected', 60000, async () => {
        const v = await view(page);
        return v.state === 'open' && v.recovery !== '-' ? v : {ok: false, v: v};
    });
    step('connected', {page: name, recovery: v.recovery});
    return v;
}

async function send(page, text) {
    await page.fill('#text', text);
    await page.click('#send');
}

async function shows(page, name, expected, timeoutMs) {
    return until(name + ' showing ' + JSON.stringify(expected), timeoutMs, async () => {
        const v = await view(page);
        return expected.every((m) => v.messages.includes(m)) ? v : {ok: false, messages: v.messages};
    });
}

async function control(action) {
    const response = await fetch(options.control.replace(/\/$/, '') + '/' + action, {method: 'POST'});
    if (!response.ok) throw new Error('proxy control ' + action + ' answered ' + response.status);
    step('proxy', {action: action});
}

async function push(text) {
    const split = options.room.indexOf('://');
    const query = 'operation=1000&type=' + encodeURIComponent(options.room.substring(0, split)) +
        '&room=' + encodeURIComponent(options.room.substring(split + 3));
    const response = await fetch(options.logic.replace(/\/$/, '') + '/goim/push/room?' + query, {
        method: 'POST',
        headers: {'Content-Type': 'text/plain'},
        body: JSON.stringify({text: text}), // from a back end: no mid
    });
    const reply = await response.json();
    if (reply.code !== 0) throw new Error('push ' + text + ' answered ' + JSON.stringify(reply));
}

function exactly(name, messages, expected) {
    const same = messages.length === expected.length && messages.every((m, i) => m === expected[i]);
    if (!same) {
        throw new Error(name + ' shows ' + JSON.stringify(messages) + ', expected exactly ' + JSON.stringify(expected) + ' in that order');
    }
    step('exactly', {page: name, count: messages.length});
}

async function cutB(pageB) {
    await control('cut');
    await until('B noticing the cut', 30000, async () => {
        const v = await view(pageB);
        return v.state !== 'open' ? v : {ok: false, state: v.state};
    });
    step('cut', {page: 'B'});
}

async function main() {
    fs.mkdirSync(options.out, {recursive: true});
    const browser = await chromium.launch({
        executablePath: options.chromium,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    let pages = [];
    try {
        const context = await browser.newContext({viewport: {width: 800, height: 760}});
        const a = await openPage(context, 'A', 101, options.comet);
        const b = await openPage(context, 'B', 102, 'page');
        pages = [['A', a], ['B', b]];
        await connected(a, 'A');
        await connected(b, 'B');

        const sent = ['hello from A'];
        await send(a, sent[0]);
        await shows(b, 'B', sent, 30000);
        await shows(a, 'A', sent, 30000);
        step('delivered', {from: 'A', to: 'B', text: sent[0]});

        if (options.scenario === 'chat') {
            const online = await until('an online count of 2 on B', 40000, async () => {
                const v = await view(b);
                return v.online === '2' ? v : {ok: false, online: v.online};
            });
            step('online', {page: 'B', online: online.online});

            await cutB(b);
            await control('resume');
            await connected(b, 'B');
            sent.push('after the cut');
            await send(a, sent[1]);
            exactly('B', (await shows(b, 'B', sent, 30000)).messages, sent);
            exactly('A', (await shows(a, 'A', sent, 30000)).messages, sent);
        } else if (options.scenario === 'recovery') {
            await cutB(b);
            for (let i = 1; i <= 10; i++) {
                sent.push('missed ' + i);
                await push('missed ' + i);
            }
            // delivered live to A while B was away
            await shows(a, 'A', sent, 30000);
            step('pushed while cut', {count: 10});
            await control('resume');
            await connected(b, 'B');
            await shows(b, 'B', sent, 30000).catch(async (e) => {
                exactly('B', (await view(b)).messages, sent);
                throw e;
            });
            const recovery = (await view(b)).recovery;
            if (recovery !== 'recovered') throw new Error('B shows the missed messages but its recovery says ' + recovery);
            step('recovered', {page: 'B'});
            sent.push('live after the recovery');
            await send(a, sent[sent.length - 1]);
            exactly('B', (await shows(b, 'B', sent, 30000)).messages, sent);
            exactly('A', (await shows(a, 'A', sent, 30000)).messages, sent);
        } else {
            throw new Error('unknown scenario ' + options.scenario);
        }
        await screenshots(pages);
        console.log('RESULT PASS');
    } catch (e) {
        await screenshots(pages).catch(() => {});
        for (const [name, page] of pages) step('final', Object.assign({page: name}, await view(page).catch(() => ({}))));
        console.log('RESULT FAIL ' + (e && e.message ? e.message : e));
        process.exitCode = 1;
    } finally {
        await browser.close();
    }
}

async function screenshots(pages) {
    for (const [name, page] of pages) {
        const file = path.join(options.out, options.scenario + '-page-' + name + '.png');
        await page.screenshot({path: file, fullPage: true});
        step('screenshot', {page: name, file: file});
    }
}

main().catch((e) => {
    console.log('RESULT FAIL ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
