// The live stream of item changes (`/api/items/events`, server-sent events), kept open across hiccups.
//
// EventSource reconnects by itself after a dropped connection, but gives up for good when an answer is
// not an event stream (a 502 from Nginx while the API restarts). So a closed source is replaced after a
// growing delay, and every reconnect asks the page to reload, since changes made meanwhile were missed.
// The server sends a `resync` event for the same reason when its own link to the database was cut
// while this stream stayed open.

import { parseChange, type Change } from './item-store';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onChange(change: Change): void;
  onState(state: LiveState): void;
  /** Called when the stream is back after a gap: the caller should refetch what it shows. */
  onResync(): void;
}

type SourceFactory = (url: string) => EventSource;

export const RETRY_DELAYS_MS = [1000, 2000, 5000, 10000];

export function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
}

export class LiveEvents {
  private source: EventSource | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private hadGap = false;
  private stopped = true;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
    private readonly createSource: SourceFactory = (u) => new EventSource(u),
  ) {}

  start(): void {
    this.stopped = false;
    this.handlers.onState('connecting');
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
  }

  private open(): void {
    const source = this.createSource(this.url);
    this.source = source;
    source.addEventListener('open', () => {
      this.attempt = 0;
      this.handlers.onState('live');
      if (this.hadGap) {
        this.hadGap = false;
        this.handlers.onResync();
      }
    });
    for (const type of ['created', 'updated', 'deleted']) {
      source.addEventListener(type, (event) => {
        const change = parseChange(type, (event as MessageEvent<string>).data);
        if (change) this.handlers.onChange(change);
      });
    }
    source.addEventListener('resync', () => {
      this.handlers.onResync();
    });
    source.addEventListener('error', () => {
      if (this.stopped || this.source !== source) return;
      this.hadGap = true;
      this.handlers.onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) this.scheduleReopen();
    });
  }

  private scheduleReopen(): void {
    this.source?.close();
    this.source = null;
    const delay = retryDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }
}
