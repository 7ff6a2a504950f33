// Wires the page together: one API client, the live stream, and the components.

import './styles.css';
import { ItemsApi } from './api';
import { detailOf } from './components/events';
import { ItemEditor } from './components/item-editor';
import { ItemList } from './components/item-list';
import { StatusBadge } from './components/status-badge';
import { LiveEvents, type LiveState } from './live';

const api = new ItemsApi();

/** The element index.html must have, checked to be of the expected class (custom elements are upgraded by now). */
function required<T extends Element>(selector: string, type: abstract new () => T): T {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`index.html lacks ${selector}`);
  return element;
}

const list = required('item-list', ItemList);
const badge = required('status-badge', StatusBadge);
const liveIndicator = required('#live-indicator', HTMLElement);
const announcer = required('#announcer', HTMLElement);
const createSection = required('#create', HTMLElement);

list.api = api;
required('item-editor', ItemEditor).api = api;

createSection.addEventListener('item-saved', (event) => {
  list.addCreated(detailOf('item-saved', event).item);
});

let announceTimer: ReturnType<typeof setTimeout> | null = null;
document.addEventListener('announce', (event) => {
  // The live region stays in the page (an empty one is invisible): hiding it would silence screen readers.
  announcer.textContent = detailOf('announce', event).message;
  if (announceTimer !== null) clearTimeout(announceTimer);
  announceTimer = setTimeout(() => (announcer.textContent = ''), 4000);
});

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

const live = new LiveEvents('/api/items/events', {
  onChange: (change) => {
    list.apply(change);
  },
  onState: (state) => {
    liveIndicator.dataset['state'] = state;
    liveIndicator.textContent = LIVE_TEXT[state];
    liveIndicator.title =
      state === 'live'
        ? 'Changes made elsewhere appear here as they happen.'
        : 'Live updates are paused; retrying.';
    if (state === 'reconnecting') void badge.check();
  },
  onResync: () => void list.reload(),
});
live.start();
window.addEventListener('pagehide', () => {
  live.stop();
});
window.addEventListener('pageshow', (event) => {
  if (event.persisted) {
    live.start();
    void list.reload();
  }
});
