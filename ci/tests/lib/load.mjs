#!/usr/bin/env node
// ┌──────────────────────────────────────────────────────────────────────┐
// │ Load, live-stream and slow-reader clients for the fault tests        │
// └──────────────────────────────────────────────────────────────────────┘
//
// Node 20, no dependencies (node:http or node:https with keep-alive agents; an https:// base trusts
// the CAs of NODE_EXTRA_CA_CERTS, as the suites set it). Three modes:
//
//   load.mjs mixed   --base URL --duration S --rate R --write-rate W --concurrency C --out FILE
//                    [--log FILE] [--no-verify] [--timeout MS]
//       Open-loop mixed load for S seconds: R requests/s in all, W of them writes (POST, PUT
//       with If-Match, DELETE with If-Match), the rest GET /api/items?limit=20 and
//       GET /api/items/{id}. --rate 0 is closed-loop reads (C in flight all the time): the
//       capacity run. A request that would exceed C in flight is not sent (counted as
//       "skipped"), never queued for later, so a stall is not followed by a burst. The writes
//       act only on items this run created, one request per item at a time, so every status
//       is unambiguous: a 404 or 412 is a failure, never "the load's own doing". Afterwards
//       (unless --no-verify) every acknowledged write is checked with a GET: created or
//       updated items at their acknowledged version, deleted ones gone.
//       Every request goes to --log as one JSON line; FILE gets the summary.
//
//   load.mjs sse     --base URL --count N --duration S --out FILE
//       N subscribers of GET /api/items/events, each writing every event it receives to FILE
//       as a JSON line {t, sub, event, id}; "_open" and "_closed" mark its connections. A
//       closed stream is reopened after 1 s (what EventSource does) until S is up or SIGTERM.
//
//   load.mjs readers --base URL --count N --bytes-per-s B --duration S --out FILE
//       N slow NDJSON readers of GET /api/items (Accept: application/x-ndjson) at once, each
//       reading about B bytes/s (the socket is paused in between); all close after S seconds.
//
// Session: every request carries the Cookie header of $E2E_COOKIE, and every change the
// X-XSRF-TOKEN header of $E2E_CSRF (ci/rig/services.sh e2e_sign_in makes both): the API wants a
// signed-in user for everything under /api.
//
// Statuses: "ok" is what the operation answers when it succeeds (200, 201, 204) with the
// right content type; "unavailable" is 503 application/problem+json (the API's own answer
// while the database is away); anything else is a failure, with its reason.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';

/** node:https for an https:// base URL, node:http otherwise. */
const transport = (base) => (new URL(base).protocol === 'https:' ? https : http);

const SESSION = process.env.E2E_COOKIE ? { Cookie: process.env.E2E_COOKIE } : {};
const CSRF = process.env.E2E_CSRF ? { 'X-XSRF-TOKEN': process.env.E2E_CSRF } : {};

const USAGE = `usage: load.mjs mixed|sse|readers [options] (see the header of ci/tests/lib/load.mjs)`;

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const key = arg.slice(2);
    if (key.startsWith('no-')) {
      opts[key.slice(3)] = false;
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      opts[key] = argv[++i];
    } else {
      opts[key] = true;
    }
  }
  return opts;
}

function num(opts, key, fallback) {
  const value = opts[key] ?? fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, not '${value}'`);
  return n;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function latencyStats(values) {
  const sorted = Float64Array.from(values).sort();
  const round = (x) => Math.round(x * 10) / 10;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.length ? sorted[sorted.length - 1] : 0),
  };
}

/** GETs and HEADs retried because a kept-alive connection was closed under them (see below). */
const keepAliveRetries = { count: 0 };

/**
 * One HTTP exchange; resolves (never rejects) with status, content type, body and latency.
 *
 * A server may close an idle keep-alive connection at any moment (nginx does on reload, for its
 * old workers' idle connections), and a request already on its way over that connection then
 * meets a reset, although the server never read it. RFC 9112 §9.3.1 lets a client retry an
 * idempotent request then, and browsers do; so does this driver, once and on a new connection,
 * for GET and HEAD only, only on a reused connection, only before any byte of an answer (Node's documented pattern,
 * `request.reusedSocket`). Retries are counted in the summary, not hidden. A write cannot be
 * retried safely, so it never rides a kept-alive connection: each one opens its own (agent:
 * false), which the server cannot have idled out from under it.
 */
async function exchange(agent, base, request) {
  const started = performance.now();
  let result = await exchangeOnce(agent, base, request);
  if (result.reusedReset && (request.method === 'GET' || request.method === 'HEAD')) {
    keepAliveRetries.count++;
    // on a new connection: the pool's other idle ones may be closing under us too
    result = await exchangeOnce(false, base, request);
  }
  delete result.reusedReset;
  return { ...result, latency: performance.now() - started };
}

function exchangeOnce(agent, base, { method, path, body, headers = {}, timeoutMs }) {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latency: performance.now() - started });
    };
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = transport(base).request(
      new URL(path, base),
      {
        method,
        agent: method === 'GET' || method === 'HEAD' ? agent : false,
        headers: {
          Accept: 'application/json',
          ...SESSION,
          ...(method === 'GET' || method === 'HEAD' ? {} : CSRF),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          done({
            status: res.statusCode,
            ctype: (res.headers['content-type'] ?? '').split(';')[0].trim(),
            etag: res.headers.etag,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error) => done({ status: 0, error: `response: ${error.code ?? error.message}` }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    req.on('error', (error) =>
      done({
        status: 0,
        error: error.code ?? error.message,
        reusedReset: req.reusedSocket && error.code === 'ECONNRESET',
      }),
    );
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------- mixed
async function mixed(opts) {
  const base = opts.base ?? 'http://127.0.0.1:19080';
  const duration = num(opts, 'duration', 30) * 1000;
  const rate = num(opts, 'rate', 100);
  const writeRate = rate === 0 ? 0 : num(opts, 'write-rate', Math.min(5, rate / 10));
  const concurrency = num(opts, 'concurrency', 32);
  const timeoutMs = num(opts, 'timeout', 10000);
  const verify = opts.verify !== false;
  const out = opts.out ?? '/dev/stdout';
  const log = opts.log ? fs.createWriteStream(opts.log) : null;
  const agent = new (transport(base).Agent)({ keepAlive: true, maxSockets: concurrency });

  /** id → {version, state: present | deleted | uncertain, busy, lastOp} */
  const owned = new Map();
  const present = []; // ids with state present (may hold stale ids; checked on pick)
  const byStatus = {};
  const byOp = {};
  const latencies = { read: [], write: [] };
  const counts = { read: { ok: 0, unavailable: 0, failed: 0 }, write: { ok: 0, unavailable: 0, failed: 0 } };
  const failures = [];
  let failureCount = 0;
  let sent = 0;
  let skipped = 0;
  let inFlight = 0;
  let createUnknown = 0;
  const acknowledged = { created: 0, updated: 0, deleted: 0 };
  const t0 = performance.now();
  const startedAt = Date.now();

  const pickPresent = () => {
    for (let tries = 0; tries < 8 && present.length > 0; tries++) {
      const index = Math.floor(Math.random() * present.length);
      const id = present[index];
      const item = owned.get(id);
      if (item.state !== 'present') {
        present[index] = present[present.length - 1];
        present.pop();
        continue;
      }
      if (!item.busy) return id;
    }
    return undefined;
  };

  const record = (op, kind, req, res, expected, reason) => {
    const okCtype = expected === 204 ? true : res.ctype === 'application/json';
    let outcome;
    if (res.status === expected && okCtype) outcome = 'ok';
    else if (res.status === 503 && res.ctype === 'application/problem+json') outcome = 'unavailable';
    else outcome = 'failed';
    const key = res.status === 0 ? 'error' : String(res.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    byOp[op] ??= {};
    byOp[op][key] = (byOp[op][key] ?? 0) + 1;
    counts[kind][outcome]++;
    latencies[kind].push(res.latency);
    const t = Math.round(performance.now() - t0);
    if (outcome === 'failed') {
      failureCount++;
      if (failures.length < 200) {
        failures.push({
          t_ms: t,
          op,
          method: req.method,
          path: req.path,
          status: res.status,
          ctype: res.ctype ?? '',
          latency_ms: Math.round(res.latency),
          reason: reason ?? res.error ?? `expected ${expected}, got ${res.status} ${res.ctype ?? ''}: ${(res.body ?? '').slice(0, 200)}`,
        });
      }
    }
    log?.write(
      `${JSON.stringify({ t_ms: t, op, method: req.method, path: req.path, status: res.status, ctype: res.ctype ?? '', latency_ms: Math.round(res.latency * 10) / 10, outcome, error: res.error })}\n`,
    );
    return outcome;
  };

  const parseItem = (res) => {
    try {
      const item = JSON.parse(res.body);
      return Number.isInteger(item.id) && Number.isInteger(item.version) ? item : undefined;
    } catch {
      return undefined;
    }
  };

  async function read() {
    const id = Math.random() < 0.5 ? pickPresent() : undefined;
    if (id === undefined) {
      const req = { method: 'GET', path: '/api/items?limit=20' };
      const res = await exchange(agent, base, { ...req, timeoutMs });
      record('list', 'read', req, res, 200);
      return;
    }
    const item = owned.get(id);
    item.busy = true;
    const req = { method: 'GET', path: `/api/items/${id}` };
    const res = await exchange(agent, base, { ...req, timeoutMs });
    item.busy = false;
    const got = res.status === 200 ? parseItem(res) : undefined;
    const reason =
      res.status === 200 && (!got || got.version !== item.version)
        ? `read version ${got?.version} of item ${id}, acknowledged ${item.version}`
        : undefined;
    if (reason) res.status = -1; // a wrong body is a failure whatever the status
    record('get', 'read', req, res, 200, reason);
  }

  async function write() {
    const id = owned.size < 20 || Math.random() < 0.5 ? undefined : pickPresent();
    if (id === undefined) {
      const req = { method: 'POST', path: '/api/items' };
      const res = await exchange(agent, base, {
        ...req,
        body: { name: `fault-load ${sent}`, description: 'written by ci/tests/lib/load.mjs' },
        timeoutMs,
      });
      const item = res.status === 201 ? parseItem(res) : undefined;
      const outcome = record('create', 'write', req, res, 201, res.status === 201 && !item ? 'a 201 without an item' : undefined);
      if (outcome === 'ok' && item) {
        owned.set(item.id, { version: item.version, state: 'present', busy: false, lastOp: 'create' });
        present.push(item.id);
        acknowledged.created++;
      } else {
        createUnknown++;
      }
      return;
    }
    const item = owned.get(id);
    item.busy = true;
    const headers = { 'If-Match': `"${item.version}"` };
    if (Math.random() < 0.6) {
      const req = { method: 'PUT', path: `/api/items/${id}` };
      const res = await exchange(agent, base, {
        ...req,
        headers,
        body: { name: `fault-load ${id} v${item.version + 1}`, description: 'updated by ci/tests/lib/load.mjs' },
        timeoutMs,
      });
      item.busy = false;
      const got = res.status === 200 ? parseItem(res) : undefined;
      const outcome = record('update', 'write', req, res, 200, res.status === 200 && !got ? 'a 200 without an item' : undefined);
      item.lastOp = 'update';
      if (outcome === 'ok' && got) {
        item.version = got.version;
        acknowledged.updated++;
      } else {
        item.state = 'uncertain';
      }
    } else {
      const req = { method: 'DELETE', path: `/api/items/${id}` };
      const res = await exchange(agent, base, { ...req, headers, timeoutMs });
      item.busy = false;
      const outcome = record('delete', 'write', req, res, 204);
      item.lastOp = 'delete';
      if (outcome === 'ok') {
        item.state = 'deleted';
        acknowledged.deleted++;
      } else {
        item.state = 'uncertain';
      }
    }
  }

  const launch = (fn) => {
    if (inFlight >= concurrency) {
      skipped++;
      return;
    }
    inFlight++;
    sent++;
    fn().finally(() => {
      inFlight--;
      if (rate === 0 && performance.now() - t0 < duration) launch(read);
    });
  };

  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.once('SIGINT', () => (stopping = true));

  if (rate === 0) {
    for (let i = 0; i < concurrency; i++) launch(read);
    while (performance.now() - t0 < duration && !stopping) await new Promise((r) => setTimeout(r, 100));
  } else {
    let reads = 0;
    let writes = 0;
    const readRate = rate - writeRate;
    while (!stopping) {
      const elapsed = performance.now() - t0;
      if (elapsed >= duration) break;
      const s = elapsed / 1000;
      for (; writes < Math.floor(s * writeRate); writes++) launch(write);
      for (; reads < Math.floor(s * readRate); reads++) launch(read);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  const drainDeadline = performance.now() + timeoutMs + 1000;
  while (inFlight > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));

  // ---- every acknowledged write is there afterwards
  const verification = { checked: 0, missing: [], wrong_version: [], resurrected: [], errors: [], uncertain: 0 };
  if (verify) {
    const items = [...owned.entries()];
    const verifyAgent = new (transport(base).Agent)({ keepAlive: true, maxSockets: 8 });
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const [id, item] = items[next++];
        const res = await exchange(verifyAgent, base, { method: 'GET', path: `/api/items/${id}`, timeoutMs });
        verification.checked++;
        const got = res.status === 200 ? parseItem(res) : undefined;
        if (res.status !== 200 && res.status !== 404) {
          verification.errors.push({ id, status: res.status, error: res.error, body: (res.body ?? '').slice(0, 200) });
        } else if (item.state === 'present') {
          if (res.status === 404) verification.missing.push({ id, acknowledged_version: item.version });
          else if (got?.version !== item.version)
            verification.wrong_version.push({ id, acknowledged_version: item.version, found: got?.version });
        } else if (item.state === 'deleted') {
          if (res.status === 200) verification.resurrected.push({ id, found: got?.version });
        } else {
          verification.uncertain++;
          // the last request's outcome is unknown: it may or may not have been applied
          const fine =
            (res.status === 200 && got && got.version >= item.version) || (res.status === 404 && item.lastOp === 'delete');
          if (!fine) verification.missing.push({ id, acknowledged_version: item.version, found: got?.version ?? 404, note: `after a failed ${item.lastOp}` });
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    verifyAgent.destroy();
  }
  agent.destroy();
  await new Promise((r) => (log ? log.end(r) : r()));

  const summary = {
    started_at: new Date(startedAt).toISOString(),
    started_at_ms: startedAt,
    load_s: Math.round(loadSeconds * 10) / 10,
    settings: { base, rate, write_rate: writeRate, concurrency, timeout_ms: timeoutMs },
    sent,
    skipped,
    rps: Math.round(sent / loadSeconds),
    still_in_flight: inFlight,
    by_status: byStatus,
    by_op: byOp,
    reads: { ...counts.read, ...latencyStats(latencies.read) },
    writes: { ...counts.write, ...latencyStats(latencies.write) },
    all: latencyStats([...latencies.read, ...latencies.write]),
    failed: failureCount,
    failures,
    keep_alive_retries: keepAliveRetries.count,
    acknowledged: { ...acknowledged, create_outcome_unknown: createUnknown, items: owned.size },
    acknowledged_items: Object.fromEntries(
      [...owned.entries()].filter(([, v]) => v.state !== 'uncertain').map(([id, v]) => [id, v.state === 'deleted' ? 'deleted' : v.version]),
    ),
    verification: verify ? verification : null,
  };
  fs.writeFileSync(out, `${JSON.stringify(summary, null, 1)}\n`);
  const v = verify
    ? `; verified ${verification.checked}: ${verification.missing.length} missing, ${verification.wrong_version.length} wrong version, ${verification.resurrected.length} resurrected, ${verification.errors.length} errors`
    : '';
  process.stderr.write(
    `load: ${sent} requests in ${summary.load_s} s (${summary.rps}/s, ${skipped} skipped), statuses ${JSON.stringify(byStatus)}, ` +
      `p99 ${summary.all.p99_ms} ms, max ${summary.all.max_ms} ms, ${failureCount} failed` +
      `${keepAliveRetries.count ? `, ${keepAliveRetries.count} GET retried (kept-alive connection closed)` : ''}${v}\n`,
  );
}

// ---------------------------------------------------------------------------------- sse
async function sse(opts) {
  const base = opts.base ?? 'http://127.0.0.1:19080';
  const count = num(opts, 'count', 3);
  const duration = num(opts, 'duration', 60) * 1000;
  const out = fs.createWriteStream(opts.out ?? '/dev/stdout', { flags: 'a' });
  const deadline = Date.now() + duration;
  const requests = new Set();
  let stopping = false;
  const emit = (sub, event, id) => out.write(`${JSON.stringify({ t: Date.now(), sub, event, id })}\n`);

  const subscribe = (sub) =>
    new Promise((resolve) => {
      const req = transport(base).get(new URL('/api/items/events', base), { headers: { Accept: 'text/event-stream', ...SESSION }, agent: false }, (res) => {
        emit(sub, res.statusCode === 200 ? '_open' : `_status_${res.statusCode}`, null);
        res.setEncoding('utf8');
        let buffer = '';
        let event = 'message';
        let data = '';
        res.on('data', (chunk) => {
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            if (line === '') {
              if (data !== '' || event !== 'message') {
                let id = null;
                try {
                  id = JSON.parse(data)?.id ?? null;
                } catch {
                  /* not JSON: keep the event, without an id */
                }
                emit(sub, event, id);
              }
              event = 'message';
              data = '';
            } else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).trim();
          }
        });
        res.on('end', resolve);
        res.on('error', resolve);
      });
      requests.add(req);
      req.on('error', (error) => {
        emit(sub, `_error_${error.code ?? 'unknown'}`, null);
        resolve();
      });
      req.on('close', () => {
        requests.delete(req);
        resolve();
      });
    });

  const run = async (sub) => {
    for (let attempt = 0; attempt < 10000 && !stopping && Date.now() < deadline; attempt++) {
      await subscribe(sub);
      emit(sub, '_closed', null);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const stop = () => {
    stopping = true;
    for (const req of requests) req.destroy();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const timer = setTimeout(stop, duration);
  await Promise.all(Array.from({ length: count }, (_, i) => run(`s${i + 1}`)));
  clearTimeout(timer);
  await new Promise((r) => out.end(r));
}

// ---------------------------------------------------------------------------------- readers
async function readers(opts) {
  const base = opts.base ?? 'http://127.0.0.1:19080';
  const count = num(opts, 'count', 500);
  const bytesPerSecond = num(opts, 'bytes-per-s', 4096);
  const duration = num(opts, 'duration', 30) * 1000;
  const out = opts.out ?? '/dev/stdout';
  const tickMs = 250;
  const results = [];
  const t0 = performance.now();

  const reader = () =>
    new Promise((resolve) => {
      const result = { status: 0, ctype: '', headers_ms: null, bytes: 0, error: null, ended_early: false };
      results.push(result);
      let timer;
      const req = transport(base).get(
        new URL('/api/items', base),
        { headers: { Accept: 'application/x-ndjson', ...SESSION }, agent: false },
        (res) => {
          result.status = res.statusCode;
          result.ctype = (res.headers['content-type'] ?? '').split(';')[0].trim();
          result.headers_ms = Math.round(performance.now() - t0);
          res.pause();
          let tokens = 0;
          timer = setInterval(() => {
            tokens = Math.min(tokens + (bytesPerSecond * tickMs) / 1000, bytesPerSecond);
            while (tokens > 0) {
              const chunk = res.read();
              if (chunk === null) break;
              result.bytes += chunk.length;
              tokens -= chunk.length;
            }
          }, tickMs);
          res.on('end', () => {
            result.ended_early = true;
            clearInterval(timer);
            resolve();
          });
          res.on('error', () => {});
        },
      );
      req.on('error', (error) => {
        if (!stopping) result.error = error.code ?? error.message;
        clearInterval(timer);
        resolve();
      });
      req.on('close', () => {
        clearInterval(timer);
        resolve();
      });
      all.push(req);
    });

  const all = [];
  let stopping = false;
  const done = Promise.all(Array.from({ length: count }, reader));
  const stop = () => {
    stopping = true;
    for (const req of all) req.destroy();
  };
  process.once('SIGTERM', stop);
  const timer = setTimeout(stop, duration);
  await done;
  clearTimeout(timer);

  const byStatus = {};
  for (const r of results) {
    const key = r.error ? `error ${r.error}` : String(r.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  const streaming = results.filter((r) => r.status === 200 && r.ctype === 'application/x-ndjson');
  const summary = {
    count,
    bytes_per_s: bytesPerSecond,
    duration_s: duration / 1000,
    by_status: byStatus,
    streaming: streaming.length,
    finished_early: results.filter((r) => r.ended_early).length,
    bytes_read_total: results.reduce((a, r) => a + r.bytes, 0),
    headers_ms_max: Math.max(0, ...results.map((r) => r.headers_ms ?? 0)),
    non_ndjson_200: results.filter((r) => r.status === 200 && r.ctype !== 'application/x-ndjson').length,
  };
  fs.writeFileSync(out, `${JSON.stringify(summary, null, 1)}\n`);
  process.stderr.write(`readers: ${JSON.stringify(byStatus)}, ${streaming.length} streaming, ${summary.bytes_read_total} bytes read\n`);
}

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === '--help' || mode === '-h' || mode === undefined) {
    console.log(USAGE);
    process.exit(mode === undefined ? 2 : 0);
  }
  const opts = parseArgs(rest);
  if (mode === 'mixed') await mixed(opts);
  else if (mode === 'sse') await sse(opts);
  else if (mode === 'readers') await readers(opts);
  else throw new Error(`unknown mode '${mode}'`);
} catch (error) {
  console.error(`load.mjs: ${error.message}\n${USAGE}`);
  process.exit(2);
}
