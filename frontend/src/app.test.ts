// @vitest-environment jsdom
// The whole page as index.html builds it, against a scripted API: signing in, roles, signing out,
// and the session ending under the page's feet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Item } from './api';
import { SESSION_ENDED, startApp, type App } from './app';
import type { Role } from './session';
import type { Account } from './users';
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

/** Signed in as alice (a session from an earlier visit) with one item shown; `later` answers the requests after that. */
async function signedInAs(role: Role, later: Record<string, (() => Response)[]>) {
  const routes: Record<string, (() => Response)[]> = {
    'GET /api/session': [() => respond({ username: 'alice', role })],
    'GET /api/items': [() => respond([item])],
  };
  for (const [key, answers] of Object.entries(later)) (routes[key] ??= []).push(...answers);
  document.cookie = 'XSRF-TOKEN=from-an-earlier-sign-in';
  const api = fakeApi(routes);
  await open(api);
  return api;
}

describe('the session ending', () => {
  /** Signed in as an editor with one item shown; `later` answers the requests after that. */
  async function signedInEditor(later: Record<string, (() => Response)[]>) {
    const api = await signedInAs('editor', later);
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

describe('the users view', () => {
  const account = (username: string, role: Role = 'editor'): Account => ({
    username,
    role,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });
  const alice = account('alice', 'admin');
  const bob = account('bob');

  const signedInAdmin = (later: Record<string, (() => Response)[]>) => signedInAs('admin', later);

  /** Signed in as alice and switched to the users view, which lists `accounts`. */
  async function onUsers(accounts: Account[], later: Record<string, (() => Response)[]> = {}) {
    const api = await signedInAdmin({
      ...later,
      'GET /api/users': [() => respond(accounts), ...(later['GET /api/users'] ?? [])],
    });
    $button('#show-users').click();
    await settle();
    return api;
  }

  const row = (username: string) =>
    document.querySelector<HTMLElement>(`#user-list [data-username="${username}"]`);
  const usernames = () =>
    [...document.querySelectorAll<HTMLElement>('#user-list [data-username]')].map(
      (element) => element.dataset['username'],
    );
  const roleSelect = (username: string) => row(username)!.querySelector('select')!;
  const bodyOf = (api: ReturnType<typeof fakeApi>, key: string, index = 0) =>
    JSON.parse(callsTo(api, key)[index]![1]!.body as string) as unknown;
  const headersOf = (api: ReturnType<typeof fakeApi>, key: string, index = 0) =>
    callsTo(api, key)[index]![1]!.headers as Record<string, string>;
  const conflict = (detail: string) => () => respond(problem(409, 'Conflict', detail), 409);

  it('offers Users to an admin, and switches views with focus on the heading', async () => {
    const api = await signedInAdmin({ 'GET /api/users': [() => respond([alice, bob])] });
    expect(visible('#show-users')).toBe(true);
    expect(visible('#show-items')).toBe(false);
    expect(visible('#users-view')).toBe(false);
    expect(callsTo(api, 'GET /api/users')).toHaveLength(0);

    $button('#show-users').click();
    await settle();
    expect(visible('#users-view')).toBe(true);
    expect(visible('#items-view')).toBe(false);
    expect(document.activeElement).toBe($('#users-heading'));
    expect($('#users-heading').tabIndex).toBe(-1);
    expect(document.title).toBe('Generic App — Users');
    expect(visible('#show-users')).toBe(false);
    expect(visible('#show-items')).toBe(true);

    $button('#show-items').click();
    expect(visible('#items-view')).toBe(true);
    expect(visible('#users-view')).toBe(false);
    expect(document.activeElement).toBe($('#items-heading'));
    expect(visible('#show-users')).toBe(true);
  });

  it.each(['viewer', 'editor'] as const)('never offers Users to an %s', async (role) => {
    document.cookie = 'XSRF-TOKEN=token';
    await open(
      fakeApi({
        'GET /api/session': [() => respond({ username: 'eve', role })],
        'GET /api/items': [() => respond([item])],
      }),
    );
    expect(visible('#items-view')).toBe(true);
    expect($('#show-users').hidden).toBe(true);
    expect($('#show-items').hidden).toBe(true);
    expect(visible('#users-view')).toBe(false);
  });

  it('lists every user with their role, in the order the API sent them', async () => {
    const carol = account('carol', 'viewer');
    await onUsers([alice, bob, carol]);
    expect(usernames()).toEqual(['alice', 'bob', 'carol']);
    expect(row('bob')!.querySelector('.user-name')!.textContent).toBe('bob');
    expect([alice, bob, carol].map((a) => roleSelect(a.username).value)).toEqual([
      'admin',
      'editor',
      'viewer',
    ]);
    expect(roleSelect('carol').getAttribute('aria-label')).toBe('Role of carol');
    expect(row('carol')!.querySelector('[data-action=remove]')!.getAttribute('aria-label')).toBe(
      'Remove carol',
    );
    expect($('#user-list [role=status]').textContent).toBe('3 users.');
  });

  it('adds a user: posts it with the CSRF header, reloads the list, clears the form', async () => {
    const dave = account('dave', 'viewer');
    const api = await onUsers([alice, bob], {
      'POST /api/users': [() => respond(dave, 201)],
      'GET /api/users': [() => respond([alice, bob, dave])],
    });
    const username = $input('#new-user-username');
    const password = $input('#new-user-password');
    const role = document.querySelector<HTMLSelectElement>('#new-user-role')!;
    expect(username.labels![0]!.textContent).toBe('Username');
    expect(password.labels![0]!.textContent).toBe('Password');
    expect(role.labels[0]!.textContent).toBe('Role');
    expect(password.type).toBe('password');
    expect(password.autocomplete).toBe('new-password');
    expect(password.minLength).toBe(12);
    expect(role.value).toBe('editor');

    username.value = ' dave ';
    password.value = 'correct horse battery';
    role.value = 'viewer';
    $form('#add-user').requestSubmit();
    await settle();

    expect(bodyOf(api, 'POST /api/users')).toEqual({
      username: 'dave',
      password: 'correct horse battery',
      role: 'viewer',
    });
    expect(headersOf(api, 'POST /api/users')['X-XSRF-TOKEN']).toBe('from-an-earlier-sign-in');
    expect(callsTo(api, 'GET /api/users')).toHaveLength(2);
    expect(usernames()).toEqual(['alice', 'bob', 'dave']);
    expect(username.value).toBe('');
    expect(password.value).toBe('');
    expect(role.value).toBe('editor');
    expect($('#announcer').textContent).toBe('Added “dave” as a viewer.');
    expect(document.activeElement).toBe(username);
    expect($('#users-error').hidden).toBe(true);
  });

  it("shows a 400's and a 409's field errors next to their fields", async () => {
    await onUsers([alice, bob], {
      'POST /api/users': [
        () =>
          respond(
            {
              ...problem(400, 'Bad Request'),
              errors: [
                { field: 'username', message: 'must start with a letter or digit' },
                { field: 'password', message: 'must be at most 256 characters' },
              ],
            },
            400,
          ),
        () =>
          respond(
            {
              ...problem(409, 'Conflict', 'That username is taken.'),
              errors: [{ field: 'username', message: 'is taken' }],
            },
            409,
          ),
      ],
    });
    const username = $input('#new-user-username');
    const password = $input('#new-user-password');
    const errorOf = (input: HTMLElement) => {
      const ids = input.getAttribute('aria-describedby')!.split(' ');
      return $(`#${ids.find((id) => id.endsWith('-error'))!}`);
    };
    username.value = '-dave';
    password.value = 'correct horse battery';
    $form('#add-user').requestSubmit();
    await settle();
    expect(errorOf(username).hidden).toBe(false);
    expect(errorOf(username).textContent).toBe('Username must start with a letter or digit');
    expect(username.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(password).textContent).toBe('Password must be at most 256 characters');
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(username);
    expect($('#users-error').hidden).toBe(true);
    // What was typed stays, to be corrected.
    expect(username.value).toBe('-dave');

    username.value = 'bob';
    $form('#add-user').requestSubmit();
    await settle();
    expect(errorOf(username).textContent).toBe('Username is taken');
    expect(errorOf(password).hidden).toBe(true);
    expect(password.hasAttribute('aria-invalid')).toBe(false);
  });

  it('changes a role with a PUT of {role}', async () => {
    const api = await onUsers([alice, bob], {
      'PUT /api/users/bob': [() => respond({ ...bob, role: 'viewer' })],
    });
    const select = roleSelect('bob');
    select.value = 'viewer';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(bodyOf(api, 'PUT /api/users/bob')).toEqual({ role: 'viewer' });
    expect(headersOf(api, 'PUT /api/users/bob')['X-XSRF-TOKEN']).toBe('from-an-earlier-sign-in');
    expect(select.value).toBe('viewer');
    expect(select.disabled).toBe(false);
    expect($('#announcer').textContent).toBe('bob is now a viewer.');
    // Someone else's role: the session is not asked again.
    expect(callsTo(api, 'GET /api/session')).toHaveLength(1);
  });

  it("shows the API's detail when the last admin would be demoted, and keeps the role", async () => {
    const detail = 'alice is the last admin: make another admin first.';
    const api = await onUsers([alice, bob], { 'PUT /api/users/alice': [conflict(detail)] });
    const select = roleSelect('alice');
    select.value = 'editor';
    select.dispatchEvent(new Event('change'));
    await settle();
    const alert = $('#users-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toBe(`Role not changed. Conflict: ${detail}`);
    expect(select.value).toBe('admin');
    expect(document.activeElement).toBe(select);
    expect(callsTo(api, 'GET /api/session')).toHaveLength(1);
    expect(visible('#users-view')).toBe(true);
  });

  it('reloads the session after an admin gives up their own admin role', async () => {
    const api = await onUsers([alice, account('root', 'admin')], {
      'PUT /api/users/alice': [() => respond({ ...alice, role: 'editor' })],
      'GET /api/session': [() => respond({ username: 'alice', role: 'editor' })],
    });
    const select = roleSelect('alice');
    select.value = 'editor';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(callsTo(api, 'GET /api/session')).toHaveLength(2);
    expect($('#session-user').textContent).toBe('Signed in as alice (editor)');
    expect($('#show-users').hidden).toBe(true);
    expect($('#show-items').hidden).toBe(true);
    expect(visible('#users-view')).toBe(false);
    expect(visible('#items-view')).toBe(true);
    expect(document.activeElement).toBe($('#items-heading'));
    expect(usernames()).toEqual([]);
  });

  it('asks before removing, then DELETEs with the name encoded, and the row is gone', async () => {
    const carol = account('carol@example.com');
    const api = await onUsers([alice, carol], {
      'DELETE /api/users/carol%40example.com': [() => new Response(null, { status: 204 })],
    });
    row('carol@example.com')!.querySelector<HTMLButtonElement>('[data-action=remove]')!.click();
    const question = row('carol@example.com')!.querySelector('.confirm-text')!;
    expect(question.textContent).toMatch(/^Remove “carol@example.com”\?/);
    const confirm = row('carol@example.com')!.querySelector<HTMLButtonElement>(
      '[data-action=confirm-remove]',
    )!;
    expect(document.activeElement).toBe(confirm);
    expect(callsTo(api, 'DELETE /api/users/carol%40example.com')).toHaveLength(0);

    // Cancel first: nothing is sent, and the Remove button is back.
    row('carol@example.com')!.querySelector<HTMLButtonElement>('[data-action=keep]')!.click();
    expect(confirm.hidden).toBe(true);
    expect(callsTo(api, 'DELETE /api/users/carol%40example.com')).toHaveLength(0);

    row('carol@example.com')!.querySelector<HTMLButtonElement>('[data-action=remove]')!.click();
    confirm.click();
    await settle();
    const [, init] = callsTo(api, 'DELETE /api/users/carol%40example.com')[0]!;
    expect((init!.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe(
      'from-an-earlier-sign-in',
    );
    expect(row('carol@example.com')).toBeNull();
    expect(usernames()).toEqual(['alice']);
    expect($('#announcer').textContent).toBe('Removed “carol@example.com”.');
    expect(document.activeElement).toBe($('#users-list-heading'));
  });

  it('keeps the last admin when the API refuses to remove them, and says why', async () => {
    const detail = 'alice is the last admin.';
    await onUsers([alice, bob], { 'DELETE /api/users/alice': [conflict(detail)] });
    row('alice')!.querySelector<HTMLButtonElement>('[data-action=remove]')!.click();
    row('alice')!.querySelector<HTMLButtonElement>('[data-action=confirm-remove]')!.click();
    await settle();
    expect($('#users-error').textContent).toBe(`Not removed. Conflict: ${detail}`);
    expect(usernames()).toEqual(['alice', 'bob']);
    expect(row('alice')!.querySelector<HTMLButtonElement>('[data-action=remove]')!.hidden).toBe(
      false,
    );
  });

  it('returns to the sign-in form on a 401 from GET /api/users; signing in again starts on the items', async () => {
    await signedInAdmin({
      'GET /api/users': [() => respond(unauthorized, 401)],
      'POST /api/session': [() => respond({ username: 'alice', role: 'admin' })],
      'GET /api/items': [() => respond([item])],
    });
    $button('#show-users').click();
    await settle();
    expect(visible('#sign-in')).toBe(true);
    expect($('#sign-in-error').textContent).toBe(SESSION_ENDED);
    expect(visible('#users-view')).toBe(false);
    expect($('#users-error').hidden).toBe(true);
    expect($('#show-users').hidden).toBe(true);

    await signIn('alice', 'wonderland');
    expect(visible('#items-view')).toBe(true);
    expect(visible('#users-view')).toBe(false);
    expect(visible('#show-users')).toBe(true);
  });

  it('forgets the users and the form on signing out', async () => {
    await onUsers([alice, bob], {
      'DELETE /api/session': [() => new Response(null, { status: 204 })],
    });
    $input('#new-user-username').value = 'half-typed';
    $button('#sign-out').click();
    await settle();
    expect(visible('#sign-in')).toBe(true);
    expect(visible('#users-view')).toBe(false);
    expect(usernames()).toEqual([]);
    expect($input('#new-user-username').value).toBe('');
  });
});
