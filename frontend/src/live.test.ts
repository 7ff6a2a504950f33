import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveEvents, retryDelay, type LiveState } from './live';
import { FakeSource } from './test-support';

describe('LiveEvents', () => {
  let sources: FakeSource[];
  let states: LiveState[];
  let changes: unknown[];
  let resyncs: number;
  let live: LiveEvents;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('EventSource', FakeSource);
    sources = [];
    states = [];
    changes = [];
    resyncs = 0;
    live = new LiveEvents(
      '/api/items/events',
      {
        onChange: (c) => changes.push(c),
        onState: (s) => states.push(s),
        onResync: () => resyncs++,
      },
      (url) => {
        const source = new FakeSource(url);
        sources.push(source);
        return source as unknown as EventSource;
      },
    );
  });

  afterEach(() => {
    live.stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('passes item changes on once the stream is open', () => {
    live.start();
    sources[0]!.open();
    sources[0]!.message('deleted', '{"id":4}');
    sources[0]!.message('updated', 'garbage');
    expect(states).toEqual(['connecting', 'live']);
    expect(changes).toEqual([{ type: 'deleted', id: 4 }]);
    expect(resyncs).toBe(0);
  });

  it('asks for a resync when the server says it may have missed changes', () => {
    live.start();
    sources[0]!.open();
    sources[0]!.message(
      'resync',
      '{"reason":"The live connection to the database was interrupted"}',
    );
    expect(resyncs).toBe(1);
    expect(states).toEqual(['connecting', 'live']);
    expect(changes).toEqual([]);
  });

  it('lets EventSource retry by itself, then asks for a resync', () => {
    live.start();
    sources[0]!.open();
    sources[0]!.fail(FakeSource.CONNECTING);
    expect(states.at(-1)).toBe('reconnecting');
    expect(sources).toHaveLength(1);
    sources[0]!.open();
    expect(states.at(-1)).toBe('live');
    expect(resyncs).toBe(1);
  });

  it('replaces a source the browser gave up on, after a growing delay', () => {
    live.start();
    sources[0]!.fail(FakeSource.CLOSED);
    expect(sources[0]!.closed).toBe(true);
    vi.advanceTimersByTime(retryDelay(0) - 1);
    expect(sources).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sources).toHaveLength(2);
    sources[1]!.fail(FakeSource.CLOSED);
    vi.advanceTimersByTime(retryDelay(1));
    expect(sources).toHaveLength(3);
    sources[2]!.open();
    expect(resyncs).toBe(1);
  });

  it('stops retrying once stopped', () => {
    live.start();
    sources[0]!.fail(FakeSource.CLOSED);
    live.stop();
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
  });

  it('caps the retry delay', () => {
    expect(retryDelay(0)).toBe(1000);
    expect(retryDelay(100)).toBe(10000);
  });
});
