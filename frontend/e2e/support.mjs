// Shared helpers for the browser tests (run by ci/tests/e2e-test, which starts PostgreSQL, the API jar and
// Nginx and passes their addresses in the environment, or with --base-url points them at a running stack).

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

function env(name) {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the browser tests through ci/tests/e2e-test`);
  return value;
}

export const BASE_URL = env('E2E_BASE_URL');
export const API_URL = env('E2E_API_URL');
/** Nginx's plain HTTP port, which redirects to BASE_URL (the same as BASE_URL for a plain HTTP stack). */
export const HTTP_URL = process.env.E2E_HTTP_URL ?? BASE_URL;
export const RESULTS = env('E2E_RESULTS');
export const TMP = env('E2E_TMP');
const REPO = env('E2E_REPO');
mkdirSync(RESULTS, { recursive: true });

/**
 * The `skip` option of a test that needs ci/tests/e2e-test's own rig (its processes or its files): false on
 * the rig, the reason when the suites run against a stack that is already running (--base-url).
 */
export function rigOnly(reason) {
  return process.env.E2E_RUNNING_STACK === '1'
    ? `needs ci/tests/e2e-test's own rig: ${reason}`
    : false;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page whose console errors and CSP violations are collected: a clean page has none. It signs
 * in through its form `as` a role (editor by default), or as `{ username, password }`; null: it
 * stays on the sign-in form.
 * `clock: true` installs Playwright's clock before the page loads: time flows as usual, and
 * `page.clock.fastForward()` jumps it (and fires the timers due) without waiting.
 */
export async function openPage(browser, { clock = false, as = 'editor', ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  if (clock) await context.clock.install();
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  await page.goto(BASE_URL + '/');
  await page.locator('status-badge[data-health="up"]').waitFor({ timeout: 15_000 });
  if (as === null) return page;
  await signInThroughPage(page, typeof as === 'string' ? await session(as) : as);
  await page.locator('#live-indicator[data-state="live"]').waitFor({ timeout: 15_000 });
  return page;
}

/** Signs in with the page's own form, as a person would. */
export async function signInThroughPage(page, { username, password }) {
  await page.locator('#sign-in-username').fill(username);
  await page.locator('#sign-in-password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#session-user').filter({ hasText: username }).waitFor({ timeout: 15_000 });
}

/**
 * The first admin's password: E2E_ADMIN_PASSWORD (the rig's), or the file E2E_ADMIN_PASSWORD_FILE
 * (a running stack's secret, postgres/secrets/admin_password.txt).
 */
function adminPassword() {
  if (process.env.E2E_ADMIN_PASSWORD) return process.env.E2E_ADMIN_PASSWORD;
  if (process.env.E2E_ADMIN_PASSWORD_FILE)
    return readFileSync(process.env.E2E_ADMIN_PASSWORD_FILE, 'utf8').trim();
  throw new Error(
    'E2E_ADMIN_PASSWORD or E2E_ADMIN_PASSWORD_FILE is not set: run through ci/tests/e2e-test',
  );
}

/** Signs in on the API's own port; the session's Cookie header and CSRF token. */
export async function signIn(username, password) {
  const response = await fetch(`${API_URL}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign in as ${username}: ${response.status} ${await response.text()}`);
  const cookies = Object.fromEntries(
    response.headers.getSetCookie().map((header) => header.split(';')[0].split('=')),
  );
  if (!cookies['SESSION'] || !cookies['XSRF-TOKEN'])
    throw new Error(`sign in as ${username}: no SESSION and XSRF-TOKEN cookies`);
  return {
    username,
    password,
    cookie: `SESSION=${cookies['SESSION']}; XSRF-TOKEN=${cookies['XSRF-TOKEN']}`,
    csrf: cookies['XSRF-TOKEN'],
  };
}

const sessions = new Map();

/**
 * A session as `role`: the first admin, or a user `e2e-editor` / `e2e-viewer` that the admin creates
 * on first use (a 409 means an earlier run made it). One per role for the whole run.
 */
export function session(role = 'editor') {
  if (!sessions.has(role)) sessions.set(role, makeSession(role));
  return sessions.get(role);
}

async function makeSession(role) {
  const admin = await signIn('admin', adminPassword());
  if (role === 'admin') return admin;
  const username = `e2e-${role}`;
  const password = `e2e-${role}-password`;
  const created = await fetch(`${API_URL}/api/users`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Cookie: admin.cookie,
      'X-XSRF-TOKEN': admin.csrf,
    },
    body: JSON.stringify({ username, password, role }),
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`create user ${username}: ${created.status} ${await created.text()}`);
  return signIn(username, password);
}

/** Makes a user through the API as the admin (a test's own, with a unique name); resolves to it. */
export async function createUser(role, prefix = `e2e-${role}`) {
  const username = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const password = `${username}-password`;
  await asAdmin('POST', '/api/users', { username, password, role }, 201);
  return { username, password, role };
}

/** Changes a user's password through the API as the admin, which ends their sessions. */
export async function changePassword(username, password) {
  await asAdmin('PUT', `/api/users/${encodeURIComponent(username)}`, { password }, 200);
}

/** A JSON change on the API's own port as the first admin; fails unless it answers `expected`. */
async function asAdmin(method, path, body, expected) {
  const admin = await session('admin');
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Cookie: admin.cookie,
      'X-XSRF-TOKEN': admin.csrf,
    },
    body: JSON.stringify(body),
  });
  if (response.status !== expected)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** The headers that make a request the editor's: the cookies, and on a change the CSRF header. */
export async function sessionHeaders(method = 'GET', role = 'editor') {
  const { cookie, csrf } = await session(role);
  const safe = method === 'GET' || method === 'HEAD';
  return safe ? { Cookie: cookie } : { Cookie: cookie, 'X-XSRF-TOKEN': csrf };
}

/** fetch, as the editor. */
export async function apiFetch(url, init = {}) {
  const headers = { ...(await sessionHeaders(init.method ?? 'GET')), ...(init.headers ?? {}) };
  return fetch(url, { ...init, headers });
}

/** Runs axe-core in the page (evaluated over CDP, so the page's strict CSP need not allow it). */
export async function axeViolations(page) {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

export function screenshotPath(name) {
  return join(RESULTS, name);
}

/** Creates an item directly on the API's own port (test set-up, not a user action, and not rate-limited). */
export async function createItem(name, description = '') {
  const response = await apiFetch(`${API_URL}/api/items`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, description }),
  });
  if (response.status !== 201)
    throw new Error(`create ${name}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Changes an item directly on the API's own port, as another user would: `version` is the one it was read at. */
export async function updateItem(id, version, { name, description = '' }) {
  const response = await apiFetch(`${API_URL}/api/items/${id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'If-Match': `"${version}"` },
    body: JSON.stringify({ name, description }),
  });
  if (response.status !== 200)
    throw new Error(`update ${id}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function getItem(id) {
  const response = await apiFetch(`${API_URL}/api/items/${id}`);
  return response.status === 200 ? response.json() : null;
}

/** Stops or starts a service through ci/rig/services.sh, which also tracks it for clean-up. */
export async function service(action) {
  await run('bash', [join(REPO, 'ci/rig/services.sh'), action], {
    env: process.env,
    timeout: 150_000,
  });
}

export function uniqueName(prefix) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** The row (<item-row>) that shows the item with this name (while it shows its name, not an editor). */
export function row(page, name) {
  return page.locator('item-row', { has: page.locator('.item-name', { hasText: name }) });
}

/** The row of an item by id: still found while it shows its editor. */
export function rowById(page, id) {
  return page.locator(`item-row[data-id="${id}"]`);
}

/** The id of the item a row shows by name. */
export async function idOf(page, name) {
  return Number(await row(page, name).getAttribute('data-id'));
}
