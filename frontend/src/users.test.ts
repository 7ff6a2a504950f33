// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { problem, respond, scripted } from './test-support';
import { UsersApi, userUrl } from './users';

afterEach(() => {
  document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('UsersApi', () => {
  it('puts a username in the URL as one encoded path segment', () => {
    expect(userUrl('alice')).toBe('/api/users/alice');
    expect(userUrl('a/b?c@d')).toBe('/api/users/a%2Fb%3Fc%40d');
  });

  it('sends a new password as PUT {password}, with the CSRF header', async () => {
    document.cookie = 'XSRF-TOKEN=token';
    const fetchImpl = scripted(respond({ username: 'bob', role: 'editor' }));
    await new UsersApi(fetchImpl).update('bob', { password: 'a much longer secret' });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/users/bob');
    expect(init!.method).toBe('PUT');
    expect(JSON.parse(init!.body as string)).toEqual({ password: 'a much longer secret' });
    expect((init!.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('token');
  });

  it('tells onUnauthorized of a 401, and still rejects', async () => {
    const api = new UsersApi(scripted(respond(problem(401, 'Unauthorized'), 401)));
    const told = vi.fn();
    api.onUnauthorized = told;
    await expect(api.list()).rejects.toBeInstanceOf(ApiError);
    expect(told).toHaveBeenCalledOnce();
  });

  it('rejects a refused removal with the problem, without ending the session', async () => {
    const api = new UsersApi(scripted(respond(problem(409, 'Conflict', 'Last admin.'), 409)));
    const told = vi.fn();
    api.onUnauthorized = told;
    const error = (await api.remove('alice').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(409);
    expect(error.problem.detail).toBe('Last admin.');
    expect(told).not.toHaveBeenCalled();
  });
});
