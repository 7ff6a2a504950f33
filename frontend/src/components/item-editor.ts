// <item-editor>: the form that creates an item, or edits one in place.
// Validation messages come from the API's problem `errors`; a 412 shows a conflict with a reload button.

import { ApiError, ItemsApi, describeError, etagFor, type Item, type ItemInput } from '../api';
import { h, uid } from '../dom';
import { emit } from './events';

const FIELDS = ['name', 'description'] as const;
type Field = (typeof FIELDS)[number];

export class ItemEditor extends HTMLElement {
  api: ItemsApi = new ItemsApi();
  /** The item being edited; null for a create form. */
  item: Item | null = null;
  private etag: string | null = null;
  private form: HTMLFormElement | null = null;
  private inputs = new Map<Field, HTMLInputElement | HTMLTextAreaElement>();
  private errors = new Map<Field, HTMLElement>();
  private alert: HTMLElement | null = null;
  private submitButton: HTMLButtonElement | null = null;
  private busy = false;

  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.item !== null) {
      event.preventDefault();
      this.cancel();
    }
  };

  connectedCallback(): void {
    if (!this.form) this.render();
    this.addEventListener('keydown', this.onKeydown);
  }

  disconnectedCallback(): void {
    this.removeEventListener('keydown', this.onKeydown);
  }

  get isEdit(): boolean {
    return this.item !== null;
  }

  focusFirst(): void {
    this.inputs.get('name')?.focus();
  }

  /** Empties the form and its messages (on sign-out: the next person starts afresh). */
  reset(): void {
    if (!this.form) return;
    this.form.reset();
    this.clearMessages();
  }

  private render(): void {
    const prefix = uid(this.isEdit ? 'edit' : 'create');
    const label = this.isEdit ? `Edit ${this.item!.name}` : 'Add an item';
    this.etag = this.item ? etagFor(this.item) : null;

    const fields = FIELDS.map((field) => {
      const id = `${prefix}-${field}`;
      const errorId = `${id}-error`;
      const control =
        field === 'name'
          ? h('input', {
              id,
              name: field,
              type: 'text',
              autocomplete: 'off',
              'aria-describedby': errorId,
            })
          : h('textarea', { id, name: field, rows: '2', 'aria-describedby': errorId });
      control.value = field === 'name' ? (this.item?.name ?? '') : (this.item?.description ?? '');
      const error = h('p', { class: 'field-error', id: errorId, hidden: true });
      this.inputs.set(field, control);
      this.errors.set(field, error);
      const text = field === 'name' ? 'Name' : 'Description';
      return h(
        'div',
        { class: `field field--${field}` },
        h(
          'label',
          { for: id },
          text,
          field === 'description' ? h('span', { class: 'optional' }, ' (optional)') : null,
        ),
        control,
        error,
      );
    });

    this.alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
    this.submitButton = h(
      'button',
      { type: 'submit', class: 'button button--primary' },
      this.isEdit ? 'Save' : 'Add item',
    );
    const actions = h('div', { class: 'form-actions' }, this.submitButton);
    if (this.isEdit) {
      const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
      cancel.addEventListener('click', () => {
        this.cancel();
      });
      actions.append(cancel);
    }

    this.form = h(
      'form',
      {
        class: `editor ${this.isEdit ? 'editor--edit' : 'editor--create'}`,
        novalidate: true,
        'aria-label': label,
      },
      ...fields,
      this.alert,
      actions,
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.replaceChildren(this.form);
  }

  private values(): ItemInput {
    return {
      name: this.inputs.get('name')!.value.trim(),
      description: this.inputs.get('description')!.value.trim(),
    };
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    this.setBusy(true);
    this.clearMessages();
    try {
      if (this.item) {
        const { item, etag } = await this.api.update(
          this.item.id,
          this.values(),
          this.etag ?? undefined,
        );
        this.item = item;
        this.etag = etag;
        emit(this, 'item-saved', { item });
        emit(this, 'announce', { message: `Saved “${item.name}”.` });
      } else {
        const item = await this.api.create(this.values());
        this.form!.reset();
        emit(this, 'item-saved', { item });
        emit(this, 'announce', { message: `Added “${item.name}”.` });
        this.focusFirst();
      }
    } catch (error) {
      this.showError(error);
    } finally {
      this.setBusy(false);
    }
  }

  private showError(error: unknown): void {
    // The session has ended: the page returns to the sign-in form (ItemsApi.onUnauthorized), and
    // what was typed stays here for when the person is back.
    if (error instanceof ApiError && error.status === 401) return;
    if (error instanceof ApiError && error.isConflict && this.item) {
      this.showAlert(
        'Someone else changed this item after you started editing. Reload it to see their version, then make your change again.',
        'Reload latest version',
        () => void this.reloadLatest(),
      );
      return;
    }
    if (error instanceof ApiError && error.status === 404 && this.item) {
      this.showAlert('This item no longer exists: someone else deleted it.', 'Close', () => {
        emit(this, 'item-deleted', { id: this.item!.id });
      });
      return;
    }
    if (error instanceof ApiError && error.problem.errors?.length) {
      const byField = error.fieldErrors();
      let first: HTMLElement | null = null;
      const unmatched: string[] = [];
      for (const [field, message] of Object.entries(byField)) {
        if ((FIELDS as readonly string[]).includes(field)) {
          this.showFieldError(field as Field, message);
          first ??= this.inputs.get(field as Field) ?? null;
        } else {
          unmatched.push(`${field}: ${message}`);
        }
      }
      if (unmatched.length) this.showAlert(unmatched.join(' '));
      first?.focus();
      return;
    }
    this.showAlert(describeError(error));
  }

  private async reloadLatest(): Promise<void> {
    if (!this.item) return;
    try {
      const { item, etag } = await this.api.get(this.item.id);
      this.item = item;
      this.etag = etag;
      this.inputs.get('name')!.value = item.name;
      this.inputs.get('description')!.value = item.description ?? '';
      this.clearMessages();
      emit(this, 'item-refreshed', { item });
      emit(this, 'announce', { message: `Reloaded the latest version of “${item.name}”.` });
      this.focusFirst();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        emit(this, 'item-deleted', { id: this.item.id });
        return;
      }
      this.showAlert(describeError(error));
    }
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent('edit-cancelled', { bubbles: true }));
  }

  private showFieldError(field: Field, message: string): void {
    const error = this.errors.get(field)!;
    // The API's messages are bean-validation style ("must not be blank"): start them with a capital.
    error.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    error.hidden = false;
    this.inputs.get(field)!.setAttribute('aria-invalid', 'true');
  }

  private showAlert(message: string, actionLabel?: string, action?: () => void): void {
    const alert = this.alert!;
    alert.replaceChildren(h('p', {}, message));
    if (actionLabel && action) {
      const button = h('button', { type: 'button', class: 'button' }, actionLabel);
      button.addEventListener('click', action);
      alert.append(button);
    }
    alert.hidden = false;
  }

  private clearMessages(): void {
    for (const [field, error] of this.errors) {
      error.hidden = true;
      error.textContent = '';
      this.inputs.get(field)!.removeAttribute('aria-invalid');
    }
    this.alert!.hidden = true;
    this.alert!.replaceChildren();
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.form?.setAttribute('aria-busy', String(busy));
    if (this.submitButton) this.submitButton.disabled = busy;
  }
}

customElements.define('item-editor', ItemEditor);
