// Typed client for the items API (docs/CONTRACTS.md, "HTTP API").
// Every URL is same-origin and relative: Nginx (or the Vite dev proxy) decides where the API lives.
// The session is an HttpOnly cookie the browser sends by itself; the page only copies the readable
// XSRF-TOKEN cookie into a header on unsafe requests, and never stores a token anywhere.

export interface Item {
  id: number;
  name: string;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Usernames; null for items made before there were users. */
  createdBy: string | null;
  updatedBy: string | null;
}

export interface ItemInput {
  name: string;
  description: string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as the API and Nginx send them. */
export interface ProblemDetail {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export interface ItemPage {
  items: Item[];
  /** URL of the next page (from `Link: <…>; rel="next"`), or null on the last page. */
  next: string | null;
}

/** An item together with the `ETag` to send back as `If-Match`. */
export interface VersionedItem {
  item: Item;
  etag: string;
}

/** A non-2xx answer from the API, always carrying a problem (synthesised when the body was not one). */
export class ApiError extends Error {
  readonly problem: ProblemDetail;
  /** Seconds to wait before trying again (a 429's or 503's `Retry-After`), or null. */
  readonly retryAfter: number | null;

  constructor(problem: ProblemDetail, retryAfter: number | null = null) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The edit was based on a version someone else has since replaced. */
  get isConflict(): boolean {
    return this.status === 412 || this.status === 409;
  }

  /** Validation messages keyed by field name (a field's messages joined in one sentence). */
  fieldErrors(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const { field, message } of this.problem.errors ?? []) {
      result[field] = result[field] ? `${result[field]}; ${message}` : message;
    }
    return result;
  }
}

const ITEMS = '/api/items';

/** Parses an RFC 8288 `Link` header and returns the target of `rel="next"`, if any. */
export function parseNextLink(header: string | null): string | null {
  if (!header) return null;
  // Split on commas that start a new link (a URL may itself contain commas).
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const [, url, params] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params ?? '');
    const relValues = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (url !== undefined && relValues.includes('next')) return url;
  }
  return null;
}

/** The strong validator the API expects back in `If-Match` for an item at this version. */
export function etagFor(item: Pick<Item, 'version'>): string {
  return `"${item.version}"`;
}

export function isProblem(value: unknown): value is ProblemDetail {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ProblemDetail).title === 'string' &&
    typeof (value as ProblemDetail).status === 'number'
  );
}

/** Reads a failed response into a problem, whatever the server put in the body. */
export async function problemFrom(response: Response): Promise<ProblemDetail> {
  let body: unknown = null;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (isProblem(body)) return body;
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: `The server answered ${response.status} without details.`,
  };
}

/** `Retry-After` in seconds: the header is either a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The value of a cookie the page may read (XSRF-TOKEN), or null; read anew each time, as it changes. */
export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const pair of document.cookie.split(';')) {
    const index = pair.indexOf('=');
    if (index === -1 || pair.slice(0, index).trim() !== name) continue;
    const value = pair.slice(index + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'X-XSRF-TOKEN';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type Fetch = typeof fetch;

/** A request as this client builds it: headers as a plain record, so a test can read them back. */
export type ApiRequest = Omit<RequestInit, 'headers'> & { headers?: Record<string, string> };

/**
 * Sends one request to the API and throws an ApiError for any answer that is not 2xx.
 * An unsafe request carries the CSRF cookie's current value in X-XSRF-TOKEN (the API refuses it without).
 */
export async function send(
  fetchImpl: Fetch,
  url: string,
  init: ApiRequest = {},
): Promise<Response> {
  const headers = { ...init.headers };
  const token = readCookie(CSRF_COOKIE);
  if (token && UNSAFE_METHODS.has((init.method ?? 'GET').toUpperCase()))
    headers[CSRF_HEADER] = token;
  const response = await fetchImpl(url, { ...init, headers, credentials: 'same-origin' });
  if (!response.ok) {
    const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'));
    throw new ApiError(await problemFrom(response), retryAfter);
  }
  return response;
}

/** send() for a call that needs the session: a 401 is reported to `onUnauthorized` before it is thrown. */
export async function sendInSession(
  fetchImpl: Fetch,
  url: string,
  init: ApiRequest,
  onUnauthorized: ((error: ApiError) => void) | null,
): Promise<Response> {
  try {
    return await send(fetchImpl, url, init);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) onUnauthorized?.(error);
    throw error;
  }
}

export interface ListOptions {
  q?: string;
  limit?: number;
  after?: number;
}

export class ItemsApi {
  /** Told of every 401: the session has ended, and the page (one place) decides what follows. */
  onUnauthorized: ((error: ApiError) => void) | null = null;
  private readonly fetchImpl: Fetch;

  constructor(fetchImpl: Fetch = (input, init) => fetch(input, init)) {
    this.fetchImpl = fetchImpl;
  }

  /** First page of a listing, or the page behind a `next` URL the API gave earlier. */
  async list(options: ListOptions | string = {}): Promise<ItemPage> {
    const url = typeof options === 'string' ? options : listUrl(options);
    const response = await this.send(url, { headers: { Accept: 'application/json' } });
    const items = (await response.json()) as Item[];
    return { items, next: parseNextLink(response.headers.get('Link')) };
  }

  async get(id: number): Promise<VersionedItem> {
    const response = await this.send(`${ITEMS}/${id}`, { headers: { Accept: 'application/json' } });
    const item = (await response.json()) as Item;
    return { item, etag: response.headers.get('ETag') ?? etagFor(item) };
  }

  async create(input: ItemInput): Promise<Item> {
    const response = await this.send(ITEMS, jsonRequest('POST', input));
    return (await response.json()) as Item;
  }

  /** Replaces an item; with an `etag` the API refuses (412) if someone changed it meanwhile. */
  async update(id: number, input: ItemInput, etag?: string): Promise<VersionedItem> {
    const response = await this.send(`${ITEMS}/${id}`, jsonRequest('PUT', input, etag));
    const item = (await response.json()) as Item;
    return { item, etag: response.headers.get('ETag') ?? etagFor(item) };
  }

  async remove(id: number, etag?: string): Promise<void> {
    const headers: Record<string, string> = {};
    if (etag) headers['If-Match'] = etag;
    await this.send(`${ITEMS}/${id}`, { method: 'DELETE', headers });
  }

  private send(url: string, init: ApiRequest): Promise<Response> {
    return sendInSession(this.fetchImpl, url, init, this.onUnauthorized);
  }
}

export function listUrl({ q, limit, after }: ListOptions): string {
  const params = new URLSearchParams();
  if (q && q.trim() !== '') params.set('q', q.trim());
  if (limit !== undefined) params.set('limit', String(limit));
  if (after !== undefined) params.set('after', String(after));
  const query = params.toString();
  return query ? `${ITEMS}?${query}` : ITEMS;
}

export function jsonRequest(method: string, body: unknown, etag?: string): ApiRequest {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  if (etag) headers['If-Match'] = etag;
  return { method, headers, body: JSON.stringify(body) };
}

/** Turns any thrown value into a sentence a person can read. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const { title, detail, status } = error.problem;
    if (status === 502 || status === 504)
      return 'The API is not reachable right now. Try again in a moment.';
    if (status === 429) {
      if (error.retryAfter === null)
        return 'Too many changes in a short time. Wait a few seconds and try again.';
      const seconds = Math.max(1, error.retryAfter);
      return `Too many attempts. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
    }
    // The API answers 401 to a wrong sign-in; any other 401 ends the session (app.ts).
    if (status === 401) return detail ?? 'The username or password is wrong.';
    if (status === 403) return detail ?? 'You are not allowed to do that.';
    // A 503 names its cause (the API's "database unavailable", or Nginx's own): the detail says it all.
    if (status === 503)
      return detail ?? 'The service is unavailable right now. Try again in a moment.';
    return detail ? `${title}: ${detail}` : title;
  }
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  return error instanceof Error ? error.message : String(error);
}
