import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  ItemsApi,
  describeError,
  etagFor,
  listUrl,
  parseNextLink,
  problemFrom,
  readCookie,
  retryAfterSeconds,
  type Item,
} from './api';
import { answering, problem, respond } from './test-support';

const item: Item = {
  id: 7,
  name: 'Lamp',
  description: 'Desk lamp',
  version: 3,
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-02T10:00:00Z',
  createdBy: 'alice',
  updatedBy: 'alice',
};

/** These tests run in node: a stand-in `document` carries the cookies the page could read. */
function setCookies(cookie: string): void {
  vi.stubGlobal('document', { cookie });
}

const headersOf = (fetchImpl: ReturnType<typeof answering>, call = 0) =>
  fetchImpl.mock.calls[call]![1]!.headers as Record<string, string>;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('parseNextLink', () => {
  it('finds rel="next" among several links', () => {
    const header =
      '</api/items?after=1&limit=2>; rel="prev", </api/items?after=20&limit=20&q=a,b>; rel="next"';
    expect(parseNextLink(header)).toBe('/api/items?after=20&limit=20&q=a,b');
  });

  it('accepts an unquoted rel and a rel list', () => {
    expect(parseNextLink('</p2>; rel=next')).toBe('/p2');
    expect(parseNextLink('</p2>; title="x"; rel="last next"')).toBe('/p2');
  });

  it('returns null without a next link', () => {
    expect(parseNextLink(null)).toBeNull();
    expect(parseNextLink('')).toBeNull();
    expect(parseNextLink('</p1>; rel="prev"')).toBeNull();
  });
});

describe('listUrl', () => {
  it('omits empty parameters and trims the query', () => {
    expect(listUrl({})).toBe('/api/items');
    expect(listUrl({ q: '  ', limit: 20 })).toBe('/api/items?limit=20');
    expect(listUrl({ q: ' lamp ', limit: 5, after: 9 })).toBe('/api/items?q=lamp&limit=5&after=9');
  });
});

describe('ItemsApi', () => {
  it('lists a page and follows the Link header', async () => {
    const fetchImpl = answering(
      respond([item], 200, { Link: '</api/items?after=7&limit=1>; rel="next"' }),
    );
    const page = await new ItemsApi(fetchImpl).list({ q: 'lamp', limit: 1 });
    expect(fetchImpl).toHaveBeenCalledWith('/api/items?q=lamp&limit=1', expect.anything());
    expect(page).toEqual({ items: [item], next: '/api/items?after=7&limit=1' });
  });

  it('fetches a next page by its URL as given', async () => {
    const fetchImpl = answering(respond([]));
    const page = await new ItemsApi(fetchImpl).list('/api/items?after=7&limit=1');
    expect(fetchImpl.mock.calls[0]![0]).toBe('/api/items?after=7&limit=1');
    expect(page.next).toBeNull();
  });

  it('sends If-Match on update and returns the new ETag', async () => {
    const fetchImpl = answering(respond({ ...item, version: 4 }, 200, { ETag: '"4"' }));
    const result = await new ItemsApi(fetchImpl).update(
      7,
      { name: 'Lamp', description: '' },
      '"3"',
    );
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/items/7');
    expect(init?.method).toBe('PUT');
    expect((init?.headers as Record<string, string>)['If-Match']).toBe('"3"');
    expect(JSON.parse(init?.body as string)).toEqual({ name: 'Lamp', description: '' });
    expect(result.etag).toBe('"4"');
  });

  it('sends If-Match on delete', async () => {
    const fetchImpl = answering(new Response(null, { status: 204 }));
    await new ItemsApi(fetchImpl).remove(7, '"3"');
    const [, init] = fetchImpl.mock.calls[0]!;
    expect(init?.method).toBe('DELETE');
    expect((init?.headers as Record<string, string>)['If-Match']).toBe('"3"');
  });

  it('derives the ETag from the version when the header is missing', async () => {
    const result = await new ItemsApi(answering(respond(item))).get(7);
    expect(result.etag).toBe(etagFor(item));
    expect(etagFor(item)).toBe('"3"');
  });

  it('turns a validation problem into an ApiError with field messages', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid request content.',
      errors: [
        { field: 'name', message: 'must not be blank' },
        { field: 'name', message: 'size must be between 1 and 100' },
        { field: 'description', message: 'too long' },
      ],
    };
    const error = await new ItemsApi(answering(respond(problem, 400)))
      .create({ name: '', description: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.isConflict).toBe(false);
    expect(apiError.fieldErrors()).toEqual({
      name: 'must not be blank; size must be between 1 and 100',
      description: 'too long',
    });
  });

  it('reports a 412 as a conflict', async () => {
    const problem = { type: 'about:blank', title: 'Precondition Failed', status: 412 };
    const error = (await new ItemsApi(answering(respond(problem, 412)))
      .update(7, { name: 'x', description: '' }, '"1"')
      .catch((e: unknown) => e)) as ApiError;
    expect(error.isConflict).toBe(true);
  });

  it('synthesises a problem when the body is not one', async () => {
    const response = new Response('<html>Bad gateway</html>', {
      status: 502,
      statusText: 'Bad Gateway',
      headers: { 'Content-Type': 'text/html' },
    });
    const problem = await problemFrom(response);
    expect(problem).toMatchObject({ status: 502, title: 'Bad Gateway' });
  });
});

describe('readCookie', () => {
  it('finds one cookie among several, decoded', () => {
    setCookies('theme=dark; XSRF-TOKEN=a%2Bb%3D; other=1');
    expect(readCookie('XSRF-TOKEN')).toBe('a+b=');
    expect(readCookie('TOKEN')).toBeNull();
  });

  it('is null without a document or without the cookie', () => {
    expect(readCookie('XSRF-TOKEN')).toBeNull();
    setCookies('');
    expect(readCookie('XSRF-TOKEN')).toBeNull();
  });
});

describe('ItemsApi and CSRF', () => {
  const input = { name: 'Lamp', description: '' };

  it('sends X-XSRF-TOKEN from the cookie on POST, PUT and DELETE', async () => {
    setCookies('XSRF-TOKEN=token-1');
    const created = answering(respond(item, 201));
    await new ItemsApi(created).create(input);
    expect(created.mock.calls[0]![1]!.method).toBe('POST');
    expect(headersOf(created)['X-XSRF-TOKEN']).toBe('token-1');

    const updated = answering(respond(item));
    await new ItemsApi(updated).update(7, input, '"3"');
    expect(headersOf(updated)['X-XSRF-TOKEN']).toBe('token-1');
    expect(headersOf(updated)['If-Match']).toBe('"3"');

    const removed = answering(new Response(null, { status: 204 }));
    await new ItemsApi(removed).remove(7, '"3"');
    expect(headersOf(removed)['X-XSRF-TOKEN']).toBe('token-1');
  });

  it('reads the cookie anew for each request, since signing in replaces it', async () => {
    const fetchImpl = vi.fn<typeof fetch>(() => Promise.resolve(respond(item, 201)));
    const api = new ItemsApi(fetchImpl);
    setCookies('XSRF-TOKEN=first');
    await api.create(input);
    setCookies('XSRF-TOKEN=second');
    await api.create(input);
    expect(headersOf(fetchImpl, 0)['X-XSRF-TOKEN']).toBe('first');
    expect(headersOf(fetchImpl, 1)['X-XSRF-TOKEN']).toBe('second');
  });

  it('sends no CSRF header on GET, and none at all without the cookie', async () => {
    setCookies('XSRF-TOKEN=token-1');
    const listed = answering(respond([item]));
    await new ItemsApi(listed).list();
    expect(headersOf(listed)).not.toHaveProperty('X-XSRF-TOKEN');
    const got = answering(respond(item));
    await new ItemsApi(got).get(7);
    expect(headersOf(got)).not.toHaveProperty('X-XSRF-TOKEN');

    setCookies('theme=dark');
    const created = answering(respond(item, 201));
    await new ItemsApi(created).create(input);
    expect(headersOf(created)).not.toHaveProperty('X-XSRF-TOKEN');
  });

  it('lets the browser send the session cookie (same-origin credentials)', async () => {
    setCookies('XSRF-TOKEN=token-1');
    const fetchImpl = answering(respond([item]));
    await new ItemsApi(fetchImpl).list();
    expect(fetchImpl.mock.calls[0]![1]!.credentials).toBe('same-origin');
  });

  it('tells onUnauthorized of a 401, and still rejects with it', async () => {
    const api = new ItemsApi(answering(respond(problem(401, 'Unauthorized'), 401)));
    const onUnauthorized = vi.fn();
    api.onUnauthorized = onUnauthorized;
    const error = await api.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledWith(error);
  });

  it('does not call onUnauthorized for a 403', async () => {
    const api = new ItemsApi(answering(respond(problem(403, 'Forbidden', 'No.'), 403)));
    const onUnauthorized = vi.fn();
    api.onUnauthorized = onUnauthorized;
    await expect(api.create(input)).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds or an HTTP date', () => {
    expect(retryAfterSeconds('30')).toBe(30);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:42 GMT', now)).toBe(42);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });
});

describe('describeError', () => {
  it('speaks plainly about an unreachable API, a rate limit and a network failure', () => {
    const gateway = new ApiError({ type: 'about:blank', title: 'Bad Gateway', status: 502 });
    expect(describeError(gateway)).toMatch(/not reachable/);
    const dbDown = new ApiError({
      type: 'about:blank',
      title: 'Service unavailable',
      status: 503,
      detail: 'The database is unavailable right now.',
    });
    expect(describeError(dbDown)).toBe('The database is unavailable right now.');
    const limited = new ApiError({ type: 'about:blank', title: 'Too Many Requests', status: 429 });
    expect(describeError(limited)).toMatch(/Too many changes/);
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
  });

  it('uses the problem title and detail otherwise', () => {
    const notFound = new ApiError({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Item 9 does not exist',
    });
    expect(describeError(notFound)).toBe('Not Found: Item 9 does not exist');
  });

  it('says a wrong sign-in plainly, preferring the detail the API gives', () => {
    const plain = new ApiError(problem(401, 'Sign-in failed'));
    expect(describeError(plain)).toBe('The username or password is wrong.');
    const detailed = new ApiError(problem(401, 'Sign-in failed', 'Bad credentials.'));
    expect(describeError(detailed)).toBe('Bad credentials.');
  });

  it('says how long to wait after too many attempts, from Retry-After', () => {
    const tooMany = problem(429, 'Too Many Requests');
    expect(describeError(new ApiError(tooMany, 30))).toBe(
      'Too many attempts. Try again in 30 seconds.',
    );
    expect(describeError(new ApiError(tooMany, 1))).toBe(
      'Too many attempts. Try again in 1 second.',
    );
  });

  it("gives a 403's detail", () => {
    const forbidden = new ApiError(problem(403, 'Forbidden', 'Only editors can change items.'));
    expect(describeError(forbidden)).toBe('Only editors can change items.');
  });
});
