// Typed client for the items API (docs/CONTRACTS.md, "HTTP API").
// Every URL is same-origin and relative: Nginx (or the Vite dev proxy) decides where the API lives.

export interface Item {
  id: number;
  name: string;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
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

  constructor(problem: ProblemDetail) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.problem = problem;
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

type Fetch = typeof fetch;

export interface ListOptions {
  q?: string;
  limit?: number;
  after?: number;
}

export class ItemsApi {
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

  private async send(url: string, init: RequestInit): Promise<Response> {
    const response = await this.fetchImpl(url, init);
    if (!response.ok) throw new ApiError(await problemFrom(response));
    return response;
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

function jsonRequest(method: string, body: unknown, etag?: string): RequestInit {
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
    if (status === 429)
      return 'Too many changes in a short time. Wait a few seconds and try again.';
    // A 503 names its cause (the API's "database unavailable", or Nginx's own): the detail says it all.
    if (status === 503)
      return detail ?? 'The service is unavailable right now. Try again in a moment.';
    return detail ? `${title}: ${detail}` : title;
  }
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  return error instanceof Error ? error.message : String(error);
}
