// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, describeError } from './api';
import { SessionApi, canEdit } from './session';
import { answering, problem, respond } from './test-support';

const unauthorized = problem(401, 'Unauthorized');

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('SessionApi', () => {
  it('answers null without asking when there is no XSRF-TOKEN cookie (never signed in, or signed out)', async () => {
    const fetchImpl = answering(respond({ username: 'alice', role: 'editor' }));
    expect(await new SessionApi(fetchImpl).current()).toBeNull();
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('answers who is signed in', async () => {
    document.cookie = 'XSRF-TOKEN=abc';
    const fetchImpl = answering(respond({ username: 'alice', role: 'editor' }));
    expect(await new SessionApi(fetchImpl).current()).toEqual({
      username: 'alice',
      role: 'editor',
    });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/session');
    expect(init?.method ?? 'GET').toBe('GET');
    expect(init?.credentials).toBe('same-origin');
  });

  it('answers null when nobody is signed in (401)', async () => {
    document.cookie = 'XSRF-TOKEN=abc';
    expect(await new SessionApi(answering(respond(unauthorized, 401))).current()).toBeNull();
  });

  it('rejects on other failures, so "API down" is not mistaken for "signed out"', async () => {
    document.cookie = 'XSRF-TOKEN=abc';
    const gateway = respond(problem(502, 'Bad Gateway'), 502);
    await expect(new SessionApi(answering(gateway)).current()).rejects.toBeInstanceOf(ApiError);
  });

  it('signs in with a JSON body and returns the user', async () => {
    const fetchImpl = answering(respond({ username: 'bob', role: 'viewer' }));
    const user = await new SessionApi(fetchImpl).signIn('bob', 's3cret');
    expect(user).toEqual({ username: 'bob', role: 'viewer' });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/session');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init?.body as string)).toEqual({ username: 'bob', password: 's3cret' });
  });

  it('rejects a wrong password with a 401 that reads plainly', async () => {
    const error = await new SessionApi(answering(respond(unauthorized, 401)))
      .signIn('bob', 'wrong')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(describeError(error)).toBe('The username or password is wrong.');
  });

  it('says how long to wait after too many attempts (429 with Retry-After)', async () => {
    const tooMany = problem(429, 'Too Many Requests', 'Too many failed sign-ins.');
    const error = await new SessionApi(answering(respond(tooMany, 429, { 'Retry-After': '42' })))
      .signIn('bob', 'wrong')
      .catch((e: unknown) => e);
    expect((error as ApiError).retryAfter).toBe(42);
    expect(describeError(error)).toBe('Too many attempts. Try again in 42 seconds.');
  });

  it('signs out with DELETE and the CSRF header', async () => {
    vi.stubGlobal('document', { cookie: 'XSRF-TOKEN=token-9' });
    const fetchImpl = answering(new Response(null, { status: 204 }));
    await new SessionApi(fetchImpl).signOut();
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/session');
    expect(init?.method).toBe('DELETE');
    expect((init?.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('token-9');
  });

  it('counts a session that has already ended as signed out', async () => {
    await expect(
      new SessionApi(answering(respond(unauthorized, 401))).signOut(),
    ).resolves.toBeUndefined();
  });
});

describe('canEdit', () => {
  it('lets editors and admins change items, not viewers', () => {
    expect(canEdit({ username: 'v', role: 'viewer' })).toBe(false);
    expect(canEdit({ username: 'e', role: 'editor' })).toBe(true);
    expect(canEdit({ username: 'a', role: 'admin' })).toBe(true);
  });
});
