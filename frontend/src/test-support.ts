// Fixtures the tests share: answers as the API sends them, fetches that give them, and an
// EventSource driven by hand.

import { vi } from 'vitest';
import type { ProblemDetail } from './api';

/** An answer with a JSON body (problem+json from 400 on); a null body sends none. */
export function respond(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': type, ...headers },
  });
}

export function problem(status: number, title: string, detail?: string): ProblemDetail {
  return detail === undefined
    ? { type: 'about:blank', title, status }
    : { type: 'about:blank', title, status, detail };
}

/** A fetch that gives the same answer to every request. */
export function answering(response: Response) {
  return vi.fn<typeof fetch>(() => Promise.resolve(response));
}

/** A fetch that answers from a queue, recording each call. */
export function scripted(...responses: Response[]) {
  return vi.fn<typeof fetch>(() => {
    const next = responses.shift();
    return next ? Promise.resolve(next) : Promise.reject(new Error('unexpected request'));
  });
}

/** Enough of EventSource to drive LiveEvents by hand; every one made is kept in `created`. */
export class FakeSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static created: FakeSource[] = [];
  readyState = FakeSource.CONNECTING;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeSource.created.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = FakeSource.CLOSED;
  }
  open(): void {
    this.readyState = FakeSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }
  message(type: string, data: string): void {
    this.dispatchEvent(new MessageEvent(type, { data }));
  }
  fail(readyState: number = FakeSource.CLOSED): void {
    this.readyState = readyState;
    this.dispatchEvent(new Event('error'));
  }
}
