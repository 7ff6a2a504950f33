// <item-list>: search, the list itself, "Load more", and the loading / empty / error states.
// It owns the ListState; changes from this tab and from the live stream go through item-store.ts.

import { ItemsApi, describeError, type Item } from '../api';
import { h, setText, uid } from '../dom';
import { appendPage, applyChange, matchesQuery, type Change, type ListState } from '../item-store';
import { detailOf } from './events';
import { ItemRow } from './item-row';

export const PAGE_SIZE = 20;
export const SEARCH_DEBOUNCE_MS = 300;

type Phase = 'loading' | 'ready' | 'error';

export class ItemList extends HTMLElement {
  api: ItemsApi = new ItemsApi();
  private state: ListState = { items: [], next: null, query: '' };
  private phase: Phase = 'loading';
  private error = '';
  private request = 0;
  private loadingMore = false;
  private editable = true;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private readonly rows = new Map<number, ItemRow>();
  private built = false;

  private search!: HTMLInputElement;
  private statusLine!: HTMLElement;
  private statusText!: HTMLElement;
  private retryButton!: HTMLButtonElement;
  private list!: HTMLUListElement;
  private moreButton!: HTMLButtonElement;

  private readonly onSaved = (event: Event): void => {
    const { item } = detailOf('item-saved', event);
    this.apply({ type: 'updated', item });
  };
  private readonly onRefreshed = (event: Event): void => {
    const { item } = detailOf('item-refreshed', event);
    this.apply({ type: 'updated', item });
  };
  private readonly onDeleted = (event: Event): void => {
    const { id } = detailOf('item-deleted', event);
    this.apply({ type: 'deleted', id });
  };

  connectedCallback(): void {
    if (!this.built) this.build();
    this.addEventListener('item-saved', this.onSaved);
    this.addEventListener('item-refreshed', this.onRefreshed);
    this.addEventListener('item-deleted', this.onDeleted);
    this.clock = setInterval(() => {
      this.rows.forEach((row) => {
        row.refreshTimes();
      });
    }, 60_000);
    // No load here: the page calls reload() once someone is signed in (the API answers 401 before).
  }

  disconnectedCallback(): void {
    this.removeEventListener('item-saved', this.onSaved);
    this.removeEventListener('item-refreshed', this.onRefreshed);
    this.removeEventListener('item-deleted', this.onDeleted);
    if (this.clock !== null) clearInterval(this.clock);
    if (this.debounce !== null) clearTimeout(this.debounce);
  }

  /** Whether this person may change items: passed on to every row (a viewer's rows have no Edit or Delete). */
  get canEdit(): boolean {
    return this.editable;
  }

  set canEdit(value: boolean) {
    this.editable = value;
    this.rows.forEach((row) => {
      row.canEdit = value;
    });
    if (this.built) this.renderStatus();
  }

  /** Forgets everything shown (on sign-out): an answer still on its way is dropped. */
  clear(): void {
    this.request++;
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.debounce = null;
    this.state = { items: [], next: null, query: '' };
    this.phase = 'loading';
    if (!this.built) return;
    this.search.value = '';
    this.list.setAttribute('aria-busy', 'true');
    this.renderList();
  }

  /** A change from anywhere: this tab's own saves, or the live stream. */
  apply(change: Change): void {
    this.state = applyChange(this.state, change);
    this.renderList();
  }

  /** An item this tab created: shown even when it lies beyond the loaded pages. */
  addCreated(item: Item): void {
    if (!matchesQuery(item, this.state.query)) return;
    this.state = appendPage(this.state, [item], this.state.next);
    this.renderList();
  }

  /** Fetches the first page again for the current search (after a reconnect, or on Retry). */
  async reload(): Promise<void> {
    if (!this.built) this.build();
    const request = ++this.request;
    this.phase = 'loading';
    this.list.setAttribute('aria-busy', 'true');
    this.renderStatus();
    try {
      const page = await this.api.list({ q: this.state.query, limit: PAGE_SIZE });
      if (request !== this.request) return; // a newer search has started
      this.state = { items: [], next: null, query: this.state.query };
      this.state = appendPage(this.state, page.items, page.next);
      this.phase = 'ready';
    } catch (error) {
      if (request !== this.request) return;
      this.phase = 'error';
      this.error = describeError(error);
    }
    this.list.setAttribute('aria-busy', 'false');
    this.renderList();
  }

  private async loadMore(): Promise<void> {
    const next = this.state.next;
    if (!next || this.loadingMore) return;
    const request = this.request;
    this.loadingMore = true;
    this.renderMore();
    try {
      const page = await this.api.list(next);
      if (request === this.request) this.state = appendPage(this.state, page.items, page.next);
    } catch (error) {
      if (request === this.request) {
        this.phase = 'error';
        this.error = describeError(error);
      }
    } finally {
      this.loadingMore = false;
    }
    this.renderList();
  }

  private build(): void {
    const searchId = uid('search');
    this.search = h('input', {
      id: searchId,
      type: 'search',
      name: 'q',
      autocomplete: 'off',
      placeholder: 'Words in the name or description',
    });
    this.search.addEventListener('input', () => {
      if (this.debounce !== null) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.state = { ...this.state, query: this.search.value };
        void this.reload();
      }, SEARCH_DEBOUNCE_MS);
    });
    const searchForm = h(
      'form',
      { class: 'search', role: 'search' },
      h('label', { for: searchId }, 'Search items'),
      this.search,
    );
    searchForm.addEventListener('submit', (event) => {
      event.preventDefault();
    });

    this.statusText = h('span');
    this.retryButton = h('button', { type: 'button', class: 'button', hidden: true }, 'Retry');
    this.retryButton.addEventListener('click', () => void this.reload());
    this.statusLine = h(
      'div',
      { class: 'list-status', role: 'status' },
      this.statusText,
      ' ',
      this.retryButton,
    );
    this.list = h('ul', { class: 'items', 'aria-label': 'Items', 'aria-busy': 'true' });
    this.moreButton = h(
      'button',
      { type: 'button', class: 'button load-more', hidden: true },
      'Load more',
    );
    this.moreButton.addEventListener('click', () => void this.loadMore());
    this.replaceChildren(searchForm, this.statusLine, this.list, this.moreButton);
    this.built = true;
  }

  private renderList(): void {
    const wanted = new Set(this.state.items.map((item) => item.id));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.closest('li')?.remove();
        this.rows.delete(id);
      }
    }
    this.state.items.forEach((item, index) => {
      let row = this.rows.get(item.id);
      if (!row) {
        row = new ItemRow();
        row.api = this.api;
        row.canEdit = this.editable;
        row.item = item;
        this.rows.set(item.id, row);
      } else {
        row.item = item;
      }
      const li = row.closest('li') ?? h('li', {}, row);
      // Move a row only when it is out of place, so focus inside an untouched row survives.
      if (this.list.children[index] !== li)
        this.list.insertBefore(li, this.list.children[index] ?? null);
    });
    this.renderStatus();
    this.renderMore();
  }

  private renderStatus(): void {
    const query = this.state.query.trim();
    let text: string;
    let retry = false;
    if (this.phase === 'loading') text = query ? `Searching for “${query}”…` : 'Loading items…';
    else if (this.phase === 'error') {
      text = `Could not load the items. ${this.error}`;
      retry = true;
    } else if (this.state.items.length === 0) {
      text = query
        ? `No items match “${query}”.`
        : this.editable
          ? 'No items yet. Add the first one with the form above.'
          : 'No items yet.';
    } else {
      const count = this.state.items.length;
      text = `${count} ${count === 1 ? 'item' : 'items'}${this.state.next ? ' shown' : ''}${query ? ` matching “${query}”` : ''}.`;
    }
    this.statusLine.className = `list-status list-status--${this.phase}`;
    // In place, like the rows: a live change does not re-announce the count or take focus off Retry.
    setText(this.statusText, text);
    this.retryButton.hidden = !retry;
  }

  private renderMore(): void {
    this.moreButton.hidden = this.state.next === null || this.phase !== 'ready';
    this.moreButton.disabled = this.loadingMore;
    setText(this.moreButton, this.loadingMore ? 'Loading…' : 'Load more');
  }
}

customElements.define('item-list', ItemList);
