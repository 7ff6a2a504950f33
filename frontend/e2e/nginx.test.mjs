// What Nginx itself must do, checked over HTTPS (and its plain HTTP port): TLS, headers, caching,
// compression, limits, streaming, the seed's routes, and JSON errors.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { API_URL, BASE_URL, HTTP_URL, TMP, rigOnly, sessionHeaders } from './support.mjs';

const base = new URL(BASE_URL);
const secure = base.protocol === 'https:';

/**
 * One HTTP request, with the path sent exactly as given (no normalisation, unlike fetch), as the
 * editor (its session's headers) unless `anonymous`.
 */
async function request(
  path,
  { method = 'GET', headers = {}, body, anonymous = false, localAddress } = {},
) {
  const session = anonymous ? {} : await sessionHeaders(method);
  return send(path, { method, headers: { ...session, ...headers }, body, localAddress });
}

function send(path, { method, headers, body, localAddress }) {
  return new Promise((resolve, reject) => {
    // HTTPS trusts the development CA through NODE_EXTRA_CA_CERTS (ci/tests/e2e-test sets it).
    const req = (secure ? https : http).request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method,
        headers,
        localAddress,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const json = (response) => JSON.parse(response.body.toString('utf8'));

function assertSecurityHeaders(response, where) {
  const h = response.headers;
  assert.match(h['content-security-policy'] ?? '', /default-src 'self'/, `CSP on ${where}`);
  assert.doesNotMatch(
    h['content-security-policy'] ?? '',
    /unsafe-inline/,
    `no unsafe-inline on ${where}`,
  );
  assert.match(
    h['content-security-policy'] ?? '',
    /frame-ancestors 'none'/,
    `frame-ancestors on ${where}`,
  );
  assert.equal(h['x-content-type-options'], 'nosniff', `X-Content-Type-Options on ${where}`);
  assert.ok(h['referrer-policy'], `Referrer-Policy on ${where}`);
  assert.ok(h['permissions-policy'], `Permissions-Policy on ${where}`);
  assert.equal(h['x-frame-options'], 'DENY', `X-Frame-Options on ${where}`);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', `COOP on ${where}`);
  assert.equal(h['server'], 'nginx', `no version in Server on ${where}`);
  if (secure)
    assert.match(
      h['strict-transport-security'] ?? '',
      /^max-age=(\d+); includeSubDomains$/,
      `HSTS on ${where}`,
    );
}

/** A TLS handshake with BASE_URL's host, limited to the given protocol versions. */
function handshake(options) {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: base.hostname,
      port: base.port,
      servername: base.hostname === '127.0.0.1' ? undefined : base.hostname,
      ...options,
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('handshake timeout')));
    socket.once('secureConnect', () => {
      const result = {
        protocol: socket.getProtocol(),
        alpn: socket.alpnProtocol,
        cipher: socket.getCipher().name,
        ticket: socket.getTLSTicket(),
        authorized: socket.authorized,
      };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error) => resolve({ error: error.code ?? error.message }));
  });
}

function assertProblem(response, status) {
  assert.equal(response.status, status);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = json(response);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.detail, 'string');
  return problem;
}

async function assetPaths() {
  const html = (await request('/')).body.toString('utf8');
  const paths = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(paths.length >= 2, 'index.html links its hashed script and stylesheet');
  return paths;
}

describe(
  'nginx TLS',
  { skip: secure ? false : 'the stack under test is served over plain HTTP' },
  () => {
    it('redirects plain HTTP to HTTPS: 301 for reads, 308 for writes, keeping path and query', async () => {
      const http1 = new URL(HTTP_URL);
      const ask = (method, path) =>
        new Promise((resolve, reject) => {
          const req = http.request(
            { host: http1.hostname, port: http1.port, path, method, agent: false, timeout: 5_000 },
            (res) => {
              res.resume();
              resolve({
                status: res.statusCode,
                location: res.headers.location,
                headers: res.headers,
              });
            },
          );
          req.on('error', reject);
          req.end();
        });
      const read = await ask('GET', '/api/items?limit=3');
      assert.equal(read.status, 301);
      assert.equal(read.location, `${base.origin}/api/items?limit=3`);
      assert.equal(read.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
      const write = await ask('POST', '/api/items');
      assert.equal(write.status, 308);
      assert.equal(write.location, `${base.origin}/api/items`);
      const probe = await ask('GET', '/healthz');
      assert.equal(probe.status, 200, 'the probes keep plain HTTP /healthz');
    });

    it('answers plain HTTP sent to the HTTPS port with the same redirect', async () => {
      const response = await new Promise((resolve, reject) => {
        const req = http.request(
          { host: base.hostname, port: base.port, path: '/x?y=1', agent: false, timeout: 5_000 },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode, location: res.headers.location });
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(response, { status: 301, location: `${base.origin}/x?y=1` });
    });

    it('speaks TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers and no session tickets', async () => {
      const tls13 = await handshake({ minVersion: 'TLSv1.3' });
      assert.equal(tls13.protocol, 'TLSv1.3', JSON.stringify(tls13));
      assert.equal(tls13.authorized, true, 'the certificate verifies against the development CA');
      const tls12 = await handshake({ maxVersion: 'TLSv1.2' });
      assert.equal(tls12.protocol, 'TLSv1.2', JSON.stringify(tls12));
      assert.match(
        tls12.cipher,
        /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/,
      );
      assert.equal(tls12.ticket, undefined, 'no session ticket on TLS 1.2');
      for (const version of ['TLSv1', 'TLSv1.1']) {
        const old = await handshake({
          minVersion: version,
          maxVersion: version,
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        assert.ok(old.error, `${version} must be refused: ${JSON.stringify(old)}`);
      }
      const weak = await handshake({
        maxVersion: 'TLSv1.2',
        ciphers: 'AES128-SHA:AES256-SHA:DES-CBC3-SHA',
      });
      assert.ok(weak.error, `a static-RSA or CBC cipher must be refused: ${JSON.stringify(weak)}`);
    });

    it('negotiates HTTP/2 and serves the UI and the API over it', async () => {
      assert.equal((await handshake({ ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2');
      const client = http2.connect(base.origin);
      try {
        const status = await new Promise((resolve, reject) => {
          const stream = client.request({ ':path': '/healthz' });
          stream.on('response', (headers) => resolve(headers[':status']));
          stream.on('error', reject);
          stream.resume();
        });
        assert.equal(status, 200);
      } finally {
        client.close();
      }
    });
  },
);

describe('nginx', () => {
  it('puts the security headers on pages, assets, API answers and its own errors', async () => {
    const [asset] = await assetPaths();
    for (const path of [
      '/',
      '/index.html',
      asset,
      '/api/items',
      '/status',
      '/healthz',
      '/no-such-page',
      '/actuator/health',
    ]) {
      assertSecurityHeaders(await request(path), path);
    }
  });

  it('never caches index.html and caches hashed assets for a year, immutable', async () => {
    for (const path of ['/', '/index.html']) {
      const response = await request(path);
      assert.equal(response.status, 200);
      assert.equal(response.headers['cache-control'], 'no-cache', path);
      assert.ok(response.headers['etag'], `${path} can be revalidated`);
    }
    for (const path of await assetPaths()) {
      const response = await request(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', path);
    }
  });

  it("compresses text with gzip, the API's JSON included", async () => {
    const js = (await assetPaths()).find((p) => p.endsWith('.js'));
    for (const path of [js, '/api/items']) {
      const response = await request(path, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(response.headers['content-encoding'], 'gzip', path);
      assert.match(response.headers['vary'] ?? '', /Accept-Encoding/i, path);
      assert.ok(
        gunzipSync(response.body).length > response.body.length,
        `${path} is smaller compressed`,
      );
    }
  });

  it('denies dotfiles and answers unknown paths with a problem, not HTML', async () => {
    assertProblem(await request('/.env'), 403);
    assertProblem(await request('/.git/config'), 403);
    assertProblem(await request('/no-such-page'), 404);
  });

  it('does not expose /actuator, even through /api/..', async () => {
    for (const path of [
      '/actuator',
      '/actuator/health',
      '/actuator/prometheus',
      '/actuator/env',
      '/api/../actuator/health',
      '/api/%2e%2e/actuator/prometheus',
    ]) {
      const response = await request(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body.toString('utf8'), /"components"|jvm_/, path);
    }
  });

  it('answers its own /healthz', async () => {
    const response = await request('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(json(response), { status: 'UP' });
  });

  it('answers 401 problem+json under /api and at /items without a session; /status and /healthz stay open', async () => {
    for (const path of ['/api/items', '/api/items/events', '/api/session', '/items']) {
      const response = await request(path, { anonymous: true });
      const problem = assertProblem(response, 401);
      assert.match(problem.detail, /Sign in/, path);
      assertSecurityHeaders(response, `a 401 at ${path}`);
    }
    assert.equal((await request('/status', { anonymous: true })).status, 200);
    assert.equal((await request('/healthz', { anonymous: true })).status, 200);
  });

  it("keeps the seed's routes: /status is the API's readiness, /items the item list", async () => {
    const status = await request('/status');
    assert.equal(status.status, 200);
    assert.equal(status.headers['cache-control'], 'no-store');
    const health = json(status);
    assert.equal(health.status, 'UP');
    assert.equal(health.components.db.status, 'UP');

    const items = await request('/items');
    assert.equal(items.status, 200);
    const list = json(items);
    assert.ok(Array.isArray(list) && list.length > 0, '/items lists the items');
    assert.ok(list.every((item) => typeof item.id === 'number' && typeof item.name === 'string'));

    // Read-only, as in the seed: a write cannot slip past the /api/ rate limit this way.
    const post = await request('/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"x"}',
    });
    assertProblem(post, 405);
  });

  it(
    'passes a client X-Request-ID through to the API and back, and logs it as JSON',
    { skip: rigOnly("it reads the rig's nginx access log") },
    async () => {
      const id = `e2e-${Date.now()}`;
      const response = await request('/api/items?limit=1', { headers: { 'X-Request-ID': id } });
      assert.equal(response.headers['x-request-id'], id, 'echoed once, unchanged');
      const generated = await request('/api/items?limit=1');
      assert.match(generated.headers['x-request-id'], /^[0-9a-f]{32}$/, 'generated when absent');

      const log = readFileSync(join(TMP, 'nginx', 'access.log'), 'utf8');
      const line = log.split('\n').find((l) => l.includes(`"request_id":"${id}"`));
      assert.ok(line, 'the access log has a line with the request id');
      const entry = JSON.parse(line);
      assert.equal(entry.status, 200);
      assert.match(entry.upstream_response_time, /^\d+\.\d{3}$/);
    },
  );

  it('refuses a body over 64 KiB with 413 as problem+json', async () => {
    const name = 'x'.repeat(70 * 1024);
    const response = await request('/api/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    assertProblem(response, 413);
  });

  it('streams server-sent events unbuffered: an event arrives within a second', async () => {
    const headers = await sessionHeaders();
    const events = await new Promise((resolve, reject) => {
      const req = (secure ? https : http).get(
        { host: base.hostname, port: base.port, path: '/api/items/events', headers, agent: false },
        (res) => {
          assert.equal(res.statusCode, 200);
          assert.match(res.headers['content-type'], /^text\/event-stream/);
          let text = '';
          let sentAt = 0;
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            text += chunk;
            if (sentAt === 0 && text.includes(':connected')) {
              sentAt = performance.now();
              void request('/api/items', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ name: 'SSE timing probe' }),
              });
            }
            if (sentAt && /event:\s?created\ndata:.*SSE timing probe/.test(text)) {
              const elapsed = performance.now() - sentAt;
              req.destroy();
              resolve({ elapsed, text });
            }
          });
        },
      );
      req.on('error', (error) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      setTimeout(() => {
        req.destroy();
        reject(new Error('no created event within 5 s'));
      }, 5_000);
    });
    assert.ok(events.elapsed < 1000, `event arrived after ${Math.round(events.elapsed)} ms`);
  });

  it('streams an NDJSON export as it comes, uncompressed', async () => {
    const response = await request('/api/items', {
      headers: { Accept: 'application/x-ndjson', 'Accept-Encoding': 'gzip' },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'], /^application\/x-ndjson/);
    assert.equal(response.headers['content-encoding'], undefined, 'gzip would hold lines back');
    assert.equal(
      response.headers['content-length'],
      undefined,
      'streamed (chunked), not buffered whole',
    );
    const lines = response.body
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const all = json(await request('/api/items?limit=500'));
    assert.equal(lines.length, all.length);
  });

  const keepaliveSkip = rigOnly(
    "it counts nginx's closed connections to the API with ss on this machine; a stack's nginx may have them in another network namespace",
  );
  it(
    'keeps connections to the API alive (HTTP/1.1 keepalive) instead of opening one per request',
    { skip: keepaliveSkip },
    async () => {
      const port = new URL(API_URL).port;
      // Connections nginx closed to the API linger in TIME-WAIT on nginx's side.
      const closed = () =>
        execFileSync('ss', ['-Htn', 'state', 'time-wait', 'dst', `127.0.0.1:${port}`], {
          encoding: 'utf8',
        })
          .split('\n')
          .filter(Boolean).length;
      const before = closed();
      for (let i = 0; i < 40; i++) assert.equal((await request('/api/items?limit=1')).status, 200);
      const opened = closed() - before;
      assert.ok(opened < 10, `${opened} connections to the API were closed for 40 requests`);
    },
  );

  const ownAddressSkip = rigOnly(
    'it sends from another loopback address (127.0.0.9) so that its burst has a bucket of its own',
  );
  it(
    'limits sign-in attempts per client address with 429, Retry-After and a problem',
    { skip: ownAddressSkip },
    async () => {
      const attempt = () =>
        request('/api/session', {
          method: 'POST',
          anonymous: true,
          localAddress: '127.0.0.9',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
      const answers = await Promise.all(Array.from({ length: 40 }, attempt));
      const limited = answers.filter((a) => a.status === 429);
      assert.ok(limited.length >= 10, `${limited.length} of 40 attempts refused by nginx`);
      const problem = assertProblem(limited[0], 429);
      assert.match(problem.detail, /sign-in attempts/);
      assert.equal(limited[0].headers['retry-after'], '60');
      assertSecurityHeaders(limited[0], 'the sign-in 429');
      assert.ok(
        answers.some((a) => a.status === 400),
        'the first attempts reach the API (which refuses the empty body)',
      );
      // who-am-I is not counted, and other addresses have their own bucket
      assert.equal(
        (await request('/api/session', { anonymous: true, localAddress: '127.0.0.9' })).status,
        401,
      );
      const elsewhere = await request('/api/session', {
        method: 'POST',
        anonymous: true,
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(elsewhere.status, 400);
    },
  );

  it('limits bursts of writes from one client with 429 as problem+json, but never reads', async () => {
    const post = () =>
      request('/api/items', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":""}',
      });
    const answers = await Promise.all(Array.from({ length: 40 }, post));
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length > 0, 'some writes of the burst are refused');
    assertProblem(limited[0], 429);
    assert.ok(
      answers.some((a) => a.status === 400),
      'the first writes reach the API',
    );

    const reads = await Promise.all(
      Array.from({ length: 40 }, () => request('/api/items?limit=1')),
    );
    assert.ok(
      reads.every((r) => r.status === 200),
      'reads are not limited',
    );
    // Let the bucket refill (10 writes/s) so that later tests write freely.
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
});
