// <item-row>: one item in the list. Shows it, switches to an inline editor, or asks before deleting.

import { ApiError, ItemsApi, describeError, etagFor, type Item } from '../api';
import { h } from '../dom';
import { fullTime, timeAgo } from '../format';
import { emit } from './events';
import { ItemEditor } from './item-editor';

type Mode = 'view' | 'edit' | 'confirm-delete';

export class ItemRow extends HTMLElement {
  api: ItemsApi = new ItemsApi();
  private current: Item | null = null;
  private mode: Mode = 'view';
  private message: string | null = null;

  private readonly onCancelled = (event: Event): void => {
    event.stopPropagation();
    this.show('view', 'edit');
  };

  private readonly onSaved = (): void => {
    // The list receives the event too (it bubbles on) and updates `item`; here only the mode changes.
    queueMicrotask(() => { this.show('view', 'edit'); });
  };

  connectedCallback(): void {
    this.addEventListener('edit-cancelled', this.onCancelled);
    this.addEventListener('item-saved', this.onSaved);
    this.render();
  }

  disconnectedCallback(): void {
    this.removeEventListener('edit-cancelled', this.onCancelled);
    this.removeEventListener('item-saved', this.onSaved);
  }

  get item(): Item | null {
    return this.current;
  }

  set item(item: Item | null) {
    if (item === null) return;
    const changed = this.current === null || this.current.version !== item.version || this.current.updatedAt !== item.updatedAt;
    this.current = item;
    this.dataset['id'] = String(item.id);
    // An open editor keeps what the person typed: its If-Match still names the version they started from.
    if (changed && this.mode === 'view' && this.isConnected) this.render();
  }

  /** Re-renders relative times ("2 minutes ago") without touching an open editor. */
  refreshTimes(): void {
    if (this.mode === 'view') this.render();
  }

  private show(mode: Mode, focusFrom?: Mode): void {
    if (mode !== 'view') this.message = null;
    this.mode = mode;
    this.render();
    if (mode === 'view' && focusFrom) {
      const selector = focusFrom === 'edit' ? '[data-action="edit"]' : '[data-action="delete"]';
      this.querySelector<HTMLButtonElement>(selector)?.focus();
    }
  }

  private render(): void {
    const item = this.current;
    if (!item) return;
    if (this.mode === 'edit') {
      const editor = new ItemEditor();
      editor.api = this.api;
      editor.item = item;
      this.replaceChildren(h('div', { class: 'item item--editing' }, editor));
      editor.focusFirst();
      return;
    }

    const title = h('h3', { class: 'item-name' }, item.name);
    const description = item.description
      ? h('p', { class: 'item-description' }, item.description)
      : h('p', { class: 'item-description item-description--empty' }, 'No description');
    const time = h('time', { datetime: item.updatedAt, title: fullTime(item.updatedAt) }, timeAgo(item.updatedAt));
    const meta = h('p', { class: 'item-meta' }, 'Updated ', time);

    const actions = h('div', { class: 'item-actions' });
    if (this.mode === 'confirm-delete') {
      const confirm = h('button', { type: 'button', class: 'button button--danger', 'data-action': 'confirm-delete' }, 'Delete');
      const keep = h('button', { type: 'button', class: 'button', 'data-action': 'keep' }, 'Keep');
      confirm.addEventListener('click', () => void this.deleteItem());
      keep.addEventListener('click', () => { this.show('view', 'confirm-delete'); });
      actions.append(h('p', { class: 'confirm-text', role: 'alert' }, `Delete “${item.name}”? This cannot be undone.`), confirm, keep);
      queueMicrotask(() => { confirm.focus(); });
    } else {
      const edit = h('button', { type: 'button', class: 'button', 'data-action': 'edit', 'aria-label': `Edit ${item.name}` }, 'Edit');
      const del = h('button', { type: 'button', class: 'button button--quiet-danger', 'data-action': 'delete', 'aria-label': `Delete ${item.name}` }, 'Delete');
      edit.addEventListener('click', () => { this.show('edit'); });
      del.addEventListener('click', () => { this.show('confirm-delete'); });
      actions.append(edit, del);
    }
    const message = this.message ? h('p', { class: 'item-message', role: 'alert' }, this.message) : null;
    this.replaceChildren(h('article', { class: 'item' }, h('div', { class: 'item-body' }, title, description, meta), actions, message));
  }

  private async deleteItem(): Promise<void> {
    const item = this.current!;
    this.message = null;
    try {
      await this.api.remove(item.id, etagFor(item));
      emit(this, 'item-deleted', { id: item.id });
      emit(this, 'announce', { message: `Deleted “${item.name}”.` });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        emit(this, 'item-deleted', { id: item.id });
        return;
      }
      this.message =
        error instanceof ApiError && error.isConflict
          ? 'Not deleted: someone else changed this item meanwhile. Check the latest version below, then delete again if you still want to.'
          : `Not deleted. ${describeError(error)}`;
      if (error instanceof ApiError && error.isConflict) {
        try {
          const { item: latest } = await this.api.get(item.id);
          emit(this, 'item-refreshed', { item: latest });
          this.current = latest;
        } catch {
          // The message above still holds; the live stream will bring the latest version.
        }
      }
      this.show('view', 'confirm-delete');
    }
  }
}

customElements.define('item-row', ItemRow);
