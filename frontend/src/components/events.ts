// The custom events components use to talk to each other (they bubble, so a parent listens once).

import type { Item } from '../api';
import type { Role } from '../session';

export interface AppEvents {
  /** An item was created or saved by this tab (the server's answer). */
  'item-saved': { item: Item };
  /** This tab fetched a fresher copy of an item (after a conflict). */
  'item-refreshed': { item: Item };
  /** This tab deleted an item, or found it already gone. */
  'item-deleted': { id: number };
  /** An admin picked another role for a user in the users list (not yet saved). */
  'user-role-change': { username: string; role: Role };
  /** An admin confirmed removing a user (not yet removed). */
  'user-remove': { username: string };
  /** A short message for the live region ("Item saved"). */
  announce: { message: string };
}

export function emit<K extends keyof AppEvents>(
  from: EventTarget,
  type: K,
  detail: AppEvents[K],
): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

export function detailOf<K extends keyof AppEvents>(_type: K, event: Event): AppEvents[K] {
  return (event as CustomEvent<AppEvents[K]>).detail;
}
