import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  ItemsApi,
  describeError,
  etagFor,
  listUrl,
  parseNextLink,
  problemFrom,
  type Item,
} from './api';

const item: Item = {
  id: 7,
  name: 'Lamp',
  description: 'Desk lamp',
  version: 3,
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-02T10:00:00Z',
};

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': type, ...headers },
  });
}

function fakeFetch(response: Response) {
  return vi.fn<typeof fetch>(() => Promise.resolve(response));
}

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
    const fetchImpl = fakeFetch(
      json([item], 200, { Link: '</api/items?after=7&limit=1>; rel="next"' }),
    );
    const page = await new ItemsApi(fetchImpl).list({ q: 'lamp', limit: 1 });
    expect(fetchImpl).toHaveBeenCalledWith('/api/items?q=lamp&limit=1', expect.anything());
    expect(page).toEqual({ items: [item], next: '/api/items?after=7&limit=1' });
  });

  it('fetches a next page by its URL as given', async () => {
    const fetchImpl = fakeFetch(json([]));
    const page = await new ItemsApi(fetchImpl).list('/api/items?after=7&limit=1');
    expect(fetchImpl.mock.calls[0]![0]).toBe('/api/items?after=7&limit=1');
    expect(page.next).toBeNull();
  });

  it('sends If-Match on update and returns the new ETag', async () => {
    const fetchImpl = fakeFetch(json({ ...item, version: 4 }, 200, { ETag: '"4"' }));
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
    const fetchImpl = fakeFetch(new Response(null, { status: 204 }));
    await new ItemsApi(fetchImpl).remove(7, '"3"');
    const [, init] = fetchImpl.mock.calls[0]!;
    expect(init?.method).toBe('DELETE');
    expect((init?.headers as Record<string, string>)['If-Match']).toBe('"3"');
  });

  it('derives the ETag from the version when the header is missing', async () => {
    const result = await new ItemsApi(fakeFetch(json(item))).get(7);
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
    const error = await new ItemsApi(fakeFetch(json(problem, 400)))
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
    const error = (await new ItemsApi(fakeFetch(json(problem, 412)))
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
});
