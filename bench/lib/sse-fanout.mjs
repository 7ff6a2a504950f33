// SSE fan-out probe: opens N subscribers to the live stream (through Nginx), waits until every one
// has its "connected" comment, then makes K changes through the API and measures, per subscriber
// and change, the time from just before the write was sent to the event's arrival.
// Node built-ins only. Prints one JSON line. An https:// EVENTS_URL is trusted through
// NODE_EXTRA_CA_CERTS (bench/run exports the rig's development CA).
//
//   node sse-fanout.mjs EVENTS_URL API_URL [subscribers=1000] [changes=20] [interval_ms=200]
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

// bench/run's session (everything under /api wants one).
const session = process.env.BENCH_COOKIE ? { Cookie: process.env.BENCH_COOKIE } : {};

const [eventsUrl, apiUrl] = process.argv.slice(2, 4);
const subscribers = Number(process.argv[4] ?? 1000);
const changes = Number(process.argv[5] ?? 20);
const intervalMs = Number(process.argv[6] ?? 200);
const run = `sse-probe-${process.pid}-${Date.now()}`;
const NAME_FIELD = '"name":"';

const sentAt = new Map(); // item name -> performance.now() just before the POST
const latencies = [];
let connected = 0;
let failed = 0;
const requests = [];

const client = new URL(eventsUrl).protocol === 'https:' ? https : http;

function subscribe() {
  const req = client.get(eventsUrl, { agent: false, headers: { Accept: 'text/event-stream', ...session } }, (res) => {
    if (res.statusCode !== 200) {
      failed++;
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let pending = '';
    res.on('data', (chunk) => {
      const now = performance.now();
      pending += chunk;
      let end;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (block.startsWith(':connected') || block.includes('\n:connected')) {
          connected++;
          continue;
        }
        // The probe's own items are named `${run}-N` (no character JSON escapes): the name is
        // found without parsing the event, which at 10,000 subscribers is most of the probe's
        // CPU time on the machine under test.
        const at = block.indexOf(NAME_FIELD);
        if (at < 0) continue;
        const close = block.indexOf('"', at + NAME_FIELD.length);
        const t0 = sentAt.get(block.slice(at + NAME_FIELD.length, close));
        if (t0 !== undefined) latencies.push(now - t0);
      }
    });
    res.on('error', () => {});
  });
  req.on('error', () => failed++);
  requests.push(req);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await sleep(50);
  return condition();
}

// Open in batches so the accept queues are not flooded all at once.
for (let i = 0; i < subscribers; i++) {
  subscribe();
  if (i % 100 === 99) await sleep(100);
}
const allConnected = await waitFor(() => connected + failed >= subscribers, 60_000);

let writeErrors = 0;
for (let i = 0; i < changes && allConnected; i++) {
  const name = `${run}-${i}`;
  sentAt.set(name, performance.now());
  try {
    const res = await fetch(`${apiUrl}/api/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...session, 'X-XSRF-TOKEN': process.env.BENCH_CSRF ?? '' },
      body: JSON.stringify({ name, description: 'SSE fan-out probe' }),
    });
    if (res.status !== 201) writeErrors++;
    await res.arrayBuffer();
  } catch {
    writeErrors++;
  }
  await sleep(intervalMs);
}
const expected = connected * changes;
await waitFor(() => latencies.length >= expected, 10_000);

for (const req of requests) req.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : null);
const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
console.log(JSON.stringify({
  subscribers, connected, failed, changes, writeErrors, expected, received: latencies.length,
  p50: round(pct(50)), p95: round(pct(95)), p99: round(pct(99)), max: round(latencies.at(-1) ?? null),
}));
process.exit(0);
