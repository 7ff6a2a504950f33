// The list the page shows, and how a change from the live stream or from this tab alters it.
// Pure functions, so the merge rules are unit-tested without a DOM.

import type { Item } from './api';

export type Change =
  | { type: 'created'; item: Item }
  | { type: 'updated'; item: Item }
  | { type: 'deleted'; id: number };

export interface ListState {
  items: Item[];
  /** The `rel="next"` URL of the last page loaded; null when everything matching is on screen. */
  next: string | null;
  query: string;
}

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/**
 * Client-side approximation of the API's `q` (docs/SEARCH.md): every word of the query begins a
 * word of the name or description, in any order, ignoring case. A query with no letter or digit
 * matches nothing, as in the API.
 */
export function matchesQuery(item: Item, query: string): boolean {
  if (query.trim() === '') return true;
  const wanted = words(query);
  if (wanted.length === 0) return false;
  const present = words(`${item.name} ${item.description ?? ''}`);
  return wanted.every((word) => present.some((candidate) => candidate.startsWith(word)));
}

/** Items are listed in id order, as the API pages them (keyset on id). */
function insertSorted(items: Item[], item: Item): Item[] {
  const index = items.findIndex((existing) => existing.id > item.id);
  if (index === -1) return [...items, item];
  return [...items.slice(0, index), item, ...items.slice(index)];
}

/** Appends a further page, ignoring items already shown (a live event may have brought them first). */
export function appendPage(state: ListState, items: Item[], next: string | null): ListState {
  let merged = state.items;
  for (const item of items) merged = upsert(merged, item);
  return { ...state, items: merged, next };
}

function upsert(items: Item[], item: Item): Item[] {
  const index = items.findIndex((existing) => existing.id === item.id);
  if (index === -1) return insertSorted(items, item);
  const current = items[index]!;
  // Events and responses can arrive out of order: never go back to an older version.
  if (current.version > item.version) return items;
  return items.map((existing, i) => (i === index ? item : existing));
}

export function applyChange(state: ListState, change: Change): ListState {
  if (change.type === 'deleted') {
    return { ...state, items: state.items.filter((item) => item.id !== change.id) };
  }
  const { item } = change;
  const shown = state.items.some((existing) => existing.id === item.id);
  if (!matchesQuery(item, state.query)) {
    // An edit that takes an item out of the current search removes it from the view.
    return shown
      ? { ...state, items: state.items.filter((existing) => existing.id !== item.id) }
      : state;
  }
  if (!shown && state.next !== null) {
    // Beyond the loaded pages: it will arrive with "Load more" in its place.
    const last = state.items[state.items.length - 1];
    if (last !== undefined && item.id > last.id) return state;
  }
  return { ...state, items: upsert(state.items, item) };
}

/** Parses one SSE message of `/api/items/events` into a change, or null if it is not one. */
export function parseChange(eventType: string, data: string): Change | null {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const id = (payload as { id?: unknown }).id;
  if (typeof id !== 'number') return null;
  switch (eventType) {
    case 'deleted':
      return { type: 'deleted', id };
    case 'created':
    case 'updated':
      if (typeof (payload as Item).name !== 'string') return null;
      return { type: eventType, item: payload as Item };
    default:
      return null;
  }
}
