import { describe, expect, it } from 'vitest';
import { timeAgo } from './format';

describe('timeAgo', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('says "just now" for the last few seconds', () => {
    expect(timeAgo('2026-03-10T11:59:30Z', now)).toBe('just now');
  });

  it('uses the largest whole unit', () => {
    expect(timeAgo('2026-03-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2026-03-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(timeAgo('2026-03-09T12:00:00Z', now)).toBe('yesterday');
  });

  it('copes with a date it cannot read', () => {
    expect(timeAgo('not a date', now)).toBe('unknown');
  });
});
