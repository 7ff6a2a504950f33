// <item-row>: one item in the list. Shows it, switches to an inline editor, or asks before deleting.
// The view is built once; a new version of the item or the minute tick only sets its text and
// attributes, so a focused button stays focused (TodoMVC's todo-item does the same).

import { ApiError, ItemsApi, describeError, etagFor, type Item } from '../api';
import { actionButton, h, setText } from '../dom';
import { fullTime, timeAgo } from '../format';
import { emit } from './events';
import { ItemEditor } from './item-editor';

type Mode = 'view' | 'edit' | 'confirm-delete';

export class ItemRow extends HTMLElement {
  api: ItemsApi = new ItemsApi();
  private current: Item | null = null;
  private mode: Mode = 'view';
  private message: string | null = null;
  private editable = true;
  private built = false;

  private article!: HTMLElement;
  private name!: HTMLElement;
  private description!: HTMLElement;
  private time!: HTMLTimeElement;
  private author!: HTMLElement;
  private actions!: HTMLElement;
  private editButton!: HTMLButtonElement;
  private deleteButton!: HTMLButtonElement;
  private confirmText!: HTMLElement;
  private confirmButton!: HTMLButtonElement;
  private keepButton!: HTMLButtonElement;
  private messageLine!: HTMLElement;

  private readonly onCancelled = (event: Event): void => {
    event.stopPropagation();
    this.show('view', 'edit');
  };

  private readonly onSaved = (): void => {
    // The list receives the event too (it bubbles on) and updates `item`; here only the mode changes.
    queueMicrotask(() => {
      this.show('view', 'edit');
    });
  };

  connectedCallback(): void {
    this.addEventListener('edit-cancelled', this.onCancelled);
    this.addEventListener('item-saved', this.onSaved);
    // Connected again after a move: the DOM (and an open editor) is still there.
    if (!this.built) this.build();
    this.update();
  }

  disconnectedCallback(): void {
    this.removeEventListener('edit-cancelled', this.onCancelled);
    this.removeEventListener('item-saved', this.onSaved);
  }

  get item(): Item | null {
    return this.current;
  }

  set item(item: Item | null) {
    if (item === null || item === this.current) return;
    this.current = item;
    this.dataset['id'] = String(item.id);
    // The view is updated even behind an open editor, ready for when it closes. The editor itself is
    // left alone and keeps what the person typed: its If-Match still names the version they started from.
    if (this.built) this.update();
  }

  /** Whether this person may change items (a viewer may not): without it the row has no Edit or Delete. */
  get canEdit(): boolean {
    return this.editable;
  }

  set canEdit(value: boolean) {
    if (value === this.editable) return;
    this.editable = value;
    if (!this.built) return;
    if (!value && this.mode !== 'view') this.show('view');
    else this.update();
  }

  /** Updates relative times ("2 minutes ago") in place, without touching an open editor. */
  refreshTimes(): void {
    if (this.built) this.update();
  }

  private show(mode: Mode, focusFrom?: Mode): void {
    if (mode !== 'view') this.message = null;
    this.mode = mode;
    if (mode === 'edit') {
      this.openEditor();
      return;
    }
    if (this.firstElementChild !== this.article) this.replaceChildren(this.article);
    this.update();
    if (mode === 'confirm-delete') this.confirmButton.focus();
    else if (focusFrom) (focusFrom === 'edit' ? this.editButton : this.deleteButton).focus();
  }

  private openEditor(): void {
    const editor = new ItemEditor();
    editor.api = this.api;
    editor.item = this.current;
    this.replaceChildren(h('div', { class: 'item item--editing' }, editor));
    editor.focusFirst();
  }

  private build(): void {
    this.name = h('h3', { class: 'item-name' });
    this.description = h('p', { class: 'item-description' });
    this.time = h('time');
    this.author = h('span', { class: 'item-author' });
    const meta = h('p', { class: 'item-meta' }, 'Updated ', this.time, this.author);

    this.editButton = actionButton('edit', 'Edit', 'button', () => {
      this.show('edit');
    });
    this.deleteButton = actionButton('delete', 'Delete', 'button button--quiet-danger', () => {
      this.show('confirm-delete');
    });
    this.confirmText = h('p', { class: 'confirm-text', role: 'alert' });
    this.confirmButton = actionButton('confirm-delete', 'Delete', 'button button--danger', () => {
      void this.deleteItem();
    });
    this.keepButton = actionButton('keep', 'Keep', 'button', () => {
      this.show('view', 'confirm-delete');
    });
    this.actions = h(
      'div',
      { class: 'item-actions' },
      this.editButton,
      this.deleteButton,
      this.confirmText,
      this.confirmButton,
      this.keepButton,
    );

    this.messageLine = h('p', { class: 'item-message', role: 'alert' });
    this.article = h(
      'article',
      { class: 'item' },
      h('div', { class: 'item-body' }, this.name, this.description, meta),
      this.actions,
      this.messageLine,
    );
    this.replaceChildren(this.article);
    this.built = true;
  }

  /** Brings the view's text and attributes to the current item and mode; creates no element. */
  private update(): void {
    const item = this.current;
    if (!item) return;
    setText(this.name, item.name);
    setText(this.description, item.description ? item.description : 'No description');
    this.description.classList.toggle('item-description--empty', !item.description);
    this.time.dateTime = item.updatedAt;
    this.time.title = fullTime(item.updatedAt);
    setText(this.time, timeAgo(item.updatedAt));
    // items made before there were users name nobody
    setText(this.author, item.updatedBy ? ` by ${item.updatedBy}` : '');
    this.editButton.setAttribute('aria-label', `Edit ${item.name}`);
    this.deleteButton.setAttribute('aria-label', `Delete ${item.name}`);

    const confirming = this.mode === 'confirm-delete';
    // Hidden, not left out: the row's DOM is the same for every role, only what shows differs.
    this.actions.hidden = !this.editable;
    this.editButton.hidden = confirming || !this.editable;
    this.deleteButton.hidden = confirming || !this.editable;
    this.confirmText.hidden = !confirming;
    this.confirmButton.hidden = !confirming;
    this.keepButton.hidden = !confirming;
    // Empty while hidden, so showing the question fills the alert and it is announced.
    setText(this.confirmText, confirming ? `Delete “${item.name}”? This cannot be undone.` : '');
    this.messageLine.hidden = this.message === null;
    setText(this.messageLine, this.message ?? '');
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
          this.item = latest;
        } catch {
          // The message above still holds; the live stream will bring the latest version.
        }
      }
      this.show('view', 'confirm-delete');
    }
  }
}

customElements.define('item-row', ItemRow);
