// @vitest-environment jsdom
// The whole page as index.html builds it, against a scripted API: signing in, roles, signing out,
// and the session ending under the page's feet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Item } from './api';
import { SESSION_ENDED, startApp, type App } from './app';
import html from '../index.html?raw';
import { FakeSource, problem, respond } from './test-support';

const item: Item = {
  id: 1,
  name: 'Lamp',
  description: 'Desk lamp',
  version: 0,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  createdBy: 'alice',
  updatedBy: 'alice',
};

const unauthorized = problem(401, 'Unauthorized');

/**
 * A fake API: each "METHOD /path" answers from its own queue, in order; /status is always up.
 * A handler may also set cookies, as the server's Set-Cookie would.
 */
function fakeApi(routes: Record<string, (() => Response)[]>) {
  return vi.fn<typeof fetch>((input, init) => {
    const url = new URL(urlOf(input), 'http://localhost');
    const key = `${init?.method ?? 'GET'} ${url.pathname}`;
    if (key === 'GET /status') return Promise.resolve(respond({ status: 'UP' }));
    const next = routes[key]?.shift();
    return next ? Promise.resolve(next()) : Promise.reject(new Error(`unexpected ${key}`));
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const $ = (selector: string) => document.querySelector<HTMLElement>(selector)!;
const $input = (selector: string) => document.querySelector<HTMLInputElement>(selector)!;
const $form = (selector: string) => document.querySelector<HTMLFormElement>(selector)!;
const $button = (selector: string) => document.querySelector<HTMLButtonElement>(selector)!;
const urlOf = (input: RequestInfo | URL) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
const callsTo = (api: ReturnType<typeof fakeApi>, key: string) =>
  api.mock.calls.filter(
    ([input, init]) => `${init?.method ?? 'GET'} ${urlOf(input).split('?')[0]}` === key,
  );
const visible = (selector: string) => !$(selector).closest('[hidden]');

let app: App | null = null;

async function open(api: ReturnType<typeof fakeApi>): Promise<void> {
  vi.stubGlobal('fetch', api);
  const page = new DOMParser().parseFromString(html, 'text/html');
  document.body.replaceChildren(
    ...[...page.body.childNodes].map((node) => document.importNode(node, true)),
  );
  app = startApp();
  await app.ready;
  await settle();
}

async function signIn(username: string, password: string): Promise<void> {
  $input('#sign-in-username').value = username;
  $input('#sign-in-password').value = password;
  $form('#sign-in').requestSubmit();
  await settle();
}

function clearCookie(): void {
  document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
}

beforeEach(() => {
  FakeSource.created = [];
  vi.stubGlobal('EventSource', FakeSource);
});

afterEach(() => {
  app?.stop();
  app = null;
  document.body.replaceChildren();
  clearCookie();
  vi.unstubAllGlobals();
});

describe('signing in', () => {
  it('shows only the form while nobody is signed in, and loads nothing', async () => {
    const api = fakeApi({ 'GET /api/session': [() => respond(unauthorized, 401)] });
    await open(api);
    expect(visible('#sign-in')).toBe(true);
    expect(visible('#create')).toBe(false);
    expect(visible('item-list')).toBe(false);
    expect(visible('#live-indicator')).toBe(false);
    expect(visible('#session-user')).toBe(false);
    expect($('#sign-in-error').hidden).toBe(true);
    expect(callsTo(api, 'GET /api/items')).toHaveLength(0);
    expect(FakeSource.created).toHaveLength(0);

    const username = $input('#sign-in-username');
    const password = $input('#sign-in-password');
    expect(username.labels![0]!.textContent).toBe('Username');
    expect(username.autocomplete).toBe('username');
    expect(password.type).toBe('password');
    expect(password.autocomplete).toBe('current-password');
    expect(username.required && password.required).toBe(true);
  });

  it('signs in, then shows the user, the items and the live stream', async () => {
    const api = fakeApi({
      'GET /api/session': [() => respond(unauthorized, 401)],
      'POST /api/session': [
        () => {
          document.cookie = 'XSRF-TOKEN=fresh';
          return respond({ username: 'alice', role: 'editor' });
        },
      ],
      'GET /api/items': [() => respond([item])],
      'POST /api/items': [() => respond({ ...item, id: 2, name: 'Chair' }, 201)],
    });
    await open(api);
    $input('#sign-in-username').value = ' alice ';
    $input('#sign-in-password').value = 'wonderland';
    $form('#sign-in').requestSubmit();
    const button = $button('#sign-in button[type=submit]');
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe('Signing in…');
    await settle();

    const [, init] = callsTo(api, 'POST /api/session')[0]!;
    expect(JSON.parse(init!.body as string)).toEqual({
      username: 'alice',
      password: 'wonderland',
    });
    expect(visible('#sign-in')).toBe(false);
    expect($('#session-user').textContent).toBe('Signed in as alice (editor)');
    expect(visible('#sign-out')).toBe(true);
    expect(visible('#create')).toBe(true);
    expect(visible('#live-indicator')).toBe(true);
    expect($('item-row .item-name').textContent).toBe('Lamp');
    expect($button('item-row [data-action=edit]').hidden).toBe(false);
    expect(FakeSource.created.map((source) => source.url)).toEqual(['/api/items/events']);
    expect(button.disabled).toBe(false);
    expect(button.textContent).toBe('Sign in');
    expect($input('#sign-in-password').value).toBe('');

    // The cookie the sign-in set is the one the next change carries.
    $input('#create input[name=name]').value = 'Chair';
    $form('#create form').requestSubmit();
    await settle();
    const [, create] = callsTo(api, 'POST /api/items')[0]!;
    expect((create!.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('fresh');
  });

  it('says so when the username or password is wrong, and stays on the form', async () => {
    const api = fakeApi({
      'GET /api/session': [() => respond(unauthorized, 401)],
      'POST /api/session': [
        () => respond(unauthorized, 401),
        () =>
          respond(problem(429, 'Too Many Requests'), 429, {
            'Retry-After': '30',
          }),
      ],
    });
    await open(api);
    await signIn('alice', 'wrong');
    const alert = $('#sign-in-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toBe('The username or password is wrong.');
    expect(visible('#sign-in')).toBe(true);
    expect(visible('#create')).toBe(false);
    expect(document.activeElement).toBe($('#sign-in-password'));

    await signIn('alice', 'wrong again');
    expect(alert.textContent).toBe('Too many attempts. Try again in 30 seconds.');
    expect(callsTo(api, 'GET /api/items')).toHaveLength(0);
  });

  it('signs out: back to the form, the stream closed and the list emptied', async () => {
    document.cookie = 'XSRF-TOKEN=current';
    const api = fakeApi({
      'GET /api/session': [() => respond({ username: 'alice', role: 'admin' })],
      'GET /api/items': [() => respond([item])],
      'DELETE /api/session': [() => new Response(null, { status: 204 })],
    });
    await open(api);
    expect(visible('#sign-in')).toBe(false);
    expect(document.querySelectorAll('item-row')).toHaveLength(1);

    $button('#sign-out').click();
    await settle();
    const [, init] = callsTo(api, 'DELETE /api/session')[0]!;
    expect((init!.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('current');
    expect(visible('#sign-in')).toBe(true);
    expect($('#sign-in-error').hidden).toBe(true);
    expect(visible('#session-user')).toBe(false);
    expect(visible('item-list')).toBe(false);
    expect(document.querySelectorAll('item-row')).toHaveLength(0);
    expect(FakeSource.created[0]!.closed).toBe(true);
    expect(document.activeElement).toBe($('#sign-in-username'));
  });
});

describe('opening the page', () => {
  it('asks nothing without the XSRF-TOKEN cookie: nobody is signed in, and no 401 is logged', async () => {
    const api = fakeApi({});
    await open(api);
    expect(callsTo(api, 'GET /api/session')).toHaveLength(0);
    expect(visible('#sign-in')).toBe(true);
  });

  it('shows the form when a cookie is left but the session ended (401)', async () => {
    document.cookie = 'XSRF-TOKEN=stale';
    const api = fakeApi({
      'GET /api/session': [() => respond(problem(401, 'Unauthorized'), 401)],
    });
    await open(api);
    expect(callsTo(api, 'GET /api/session')).toHaveLength(1);
    expect(visible('#sign-in')).toBe(true);
    expect(visible('item-list')).toBe(false);
  });
});

describe('roles', () => {
  it('gives a viewer no create form and no Edit or Delete buttons', async () => {
    document.cookie = 'XSRF-TOKEN=from-an-earlier-sign-in';
    const api = fakeApi({
      'GET /api/session': [() => respond({ username: 'vera', role: 'viewer' })],
      'GET /api/items': [() => respond([item, { ...item, id: 2, name: 'Chair' }])],
    });
    await open(api);
    expect($('#session-user').textContent).toBe('Signed in as vera (viewer)');
    expect(visible('#create')).toBe(false);
    expect(visible('item-list')).toBe(true);
    const rows = [...document.querySelectorAll('item-row')];
    expect(rows.map((row) => row.querySelector('.item-name')!.textContent)).toEqual([
      'Lamp',
      'Chair',
    ]);
    for (const row of rows) {
      for (const action of ['edit', 'delete']) {
        expect(row.querySelector<HTMLElement>(`[data-action=${action}]`)!.hidden).toBe(true);
      }
    }
  });
});

describe('the session ending', () => {
  /** Signed in as an editor with one item shown; `later` answers the requests after that. */
  async function signedInEditor(later: Record<string, (() => Response)[]>) {
    const routes: Record<string, (() => Response)[]> = {
      'GET /api/session': [() => respond({ username: 'alice', role: 'editor' })],
      'GET /api/items': [() => respond([item])],
    };
    for (const [key, answers] of Object.entries(later)) (routes[key] ??= []).push(...answers);
    document.cookie = 'XSRF-TOKEN=from-an-earlier-sign-in';
    const api = fakeApi(routes);
    await open(api);
    expect(visible('#create')).toBe(true);
    return api;
  }

  it('returns to the form when an item call answers 401', async () => {
    await signedInEditor({ 'POST /api/items': [() => respond(unauthorized, 401)] });
    $input('#create input[name=name]').value = 'Chair';
    $form('#create form').requestSubmit();
    await settle();
    expect(visible('#sign-in')).toBe(true);
    expect($('#sign-in-error').textContent).toBe(SESSION_ENDED);
    expect(SESSION_ENDED).toBe('Your session has ended. Sign in again.');
    expect(visible('#create')).toBe(false);
    expect(FakeSource.created[0]!.closed).toBe(true);
    expect(document.querySelectorAll('item-row')).toHaveLength(0);
    // The editor keeps what was typed, without a misleading message, for after signing in again.
    expect($input('#create input[name=name]').value).toBe('Chair');
    expect($('#create .form-alert').hidden).toBe(true);
  });

  it('returns to the form when the live stream resyncs into a 401', async () => {
    await signedInEditor({ 'GET /api/items': [() => respond(unauthorized, 401)] });
    FakeSource.created[0]!.dispatchEvent(new Event('resync'));
    await settle();
    expect(visible('#sign-in')).toBe(true);
    expect($('#sign-in-error').textContent).toBe(SESSION_ENDED);
  });

  it('asks GET /api/session when the live stream fails, and returns to the form on 401', async () => {
    const api = await signedInEditor({ 'GET /api/session': [() => respond(unauthorized, 401)] });
    FakeSource.created[0]!.fail();
    await settle();
    expect(callsTo(api, 'GET /api/session')).toHaveLength(2);
    expect(visible('#sign-in')).toBe(true);
    expect($('#sign-in-error').textContent).toBe(SESSION_ENDED);
  });

  it('stays signed in when the stream fails but the session is still valid', async () => {
    await signedInEditor({
      'GET /api/session': [() => respond({ username: 'alice', role: 'editor' })],
    });
    FakeSource.created[0]!.fail();
    await settle();
    expect(visible('#sign-in')).toBe(false);
    expect($('#live-indicator').dataset['state']).toBe('reconnecting');
  });
});
