import { describe, expect, it } from 'vitest';
import type { Item } from './api';
import { appendPage, applyChange, matchesQuery, parseChange, type ListState } from './item-store';

function item(
  id: number,
  name = `Item ${id}`,
  version = 0,
  description: string | null = null,
): Item {
  return {
    id,
    name,
    description,
    version,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    createdBy: null,
    updatedBy: null,
  };
}

const ids = (state: ListState) => state.items.map((i) => i.id);

describe('applyChange', () => {
  const base: ListState = { items: [item(1), item(3)], next: null, query: '' };

  it('inserts a created item in id order', () => {
    expect(ids(applyChange(base, { type: 'created', item: item(2) }))).toEqual([1, 2, 3]);
    expect(ids(applyChange(base, { type: 'created', item: item(4) }))).toEqual([1, 3, 4]);
  });

  it('leaves a created item beyond the loaded pages to "Load more"', () => {
    const paged = { ...base, next: '/api/items?after=3' };
    expect(ids(applyChange(paged, { type: 'created', item: item(9) }))).toEqual([1, 3]);
    expect(ids(applyChange(paged, { type: 'created', item: item(2) }))).toEqual([1, 2, 3]);
  });

  it('does not duplicate an item this tab already shows', () => {
    const once = applyChange(base, { type: 'created', item: item(3, 'Item 3', 0) });
    expect(ids(once)).toEqual([1, 3]);
  });

  it('replaces an updated item but never with an older version', () => {
    const newer = applyChange(base, { type: 'updated', item: item(3, 'Renamed', 2) });
    expect(newer.items[1]!.name).toBe('Renamed');
    const stale = applyChange(newer, { type: 'updated', item: item(3, 'Old', 1) });
    expect(stale.items[1]!.name).toBe('Renamed');
  });

  it('removes a deleted item', () => {
    expect(ids(applyChange(base, { type: 'deleted', id: 1 }))).toEqual([3]);
    expect(ids(applyChange(base, { type: 'deleted', id: 42 }))).toEqual([1, 3]);
  });

  it('respects the current search', () => {
    const searching: ListState = { items: [item(1, 'Lamp')], next: null, query: 'lamp' };
    expect(ids(applyChange(searching, { type: 'created', item: item(2, 'Chair') }))).toEqual([1]);
    expect(ids(applyChange(searching, { type: 'created', item: item(3, 'Floor lamp') }))).toEqual([
      1, 3,
    ]);
    // Renamed out of the search: it leaves the view.
    expect(ids(applyChange(searching, { type: 'updated', item: item(1, 'Chair', 1) }))).toEqual([]);
  });
});

describe('appendPage', () => {
  it('appends a page, skipping items that arrived live, and stores the next link', () => {
    const state: ListState = { items: [item(1), item(2)], next: '/p2', query: '' };
    const merged = appendPage(state, [item(2), item(3)], null);
    expect(ids(merged)).toEqual([1, 2, 3]);
    expect(merged.next).toBeNull();
  });
});

describe('matchesQuery', () => {
  it('matches name or description, ignoring case', () => {
    expect(matchesQuery(item(1, 'Desk Lamp'), 'lamp')).toBe(true);
    expect(matchesQuery(item(1, 'Chair', 0, 'Goes with the LAMP'), 'lamp')).toBe(true);
    expect(matchesQuery(item(1, 'Chair'), 'lamp')).toBe(false);
    expect(matchesQuery(item(1, 'Chair'), '  ')).toBe(true);
  });

  it('matches every word of the query as the start of a word, in any order', () => {
    expect(matchesQuery(item(1, 'Paint the fence', 0, 'garden gate'), 'gate pai')).toBe(true);
    expect(matchesQuery(item(1, 'Paint the fence'), 'ence')).toBe(false);
    expect(matchesQuery(item(1, 'Paint the fence'), 'fence gate')).toBe(false);
    expect(matchesQuery(item(1, 'Café crème'), 'CAFÉ')).toBe(true);
    expect(matchesQuery(item(1, 'Write an e-mail'), 'mail')).toBe(true);
    expect(matchesQuery(item(1, '100% done'), '100%')).toBe(true);
    expect(matchesQuery(item(1, 'Anything'), '%')).toBe(false);
  });
});

describe('parseChange', () => {
  it('reads created, updated and deleted events', () => {
    expect(parseChange('created', JSON.stringify(item(5)))).toEqual({
      type: 'created',
      item: item(5),
    });
    expect(parseChange('updated', JSON.stringify(item(5)))).toEqual({
      type: 'updated',
      item: item(5),
    });
    expect(parseChange('deleted', '{"id":5}')).toEqual({ type: 'deleted', id: 5 });
  });

  it('ignores anything else', () => {
    expect(parseChange('created', 'not json')).toBeNull();
    expect(parseChange('created', '{"id":5}')).toBeNull();
    expect(parseChange('ping', '{"id":5}')).toBeNull();
    expect(parseChange('deleted', '{"id":"5"}')).toBeNull();
  });
});
