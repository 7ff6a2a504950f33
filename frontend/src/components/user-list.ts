// <user-list>: the users table an admin sees, each user's role as a select and Remove behind an
// inline confirmation. It shows and asks, nothing more: the page (users-view.ts) calls the API on its
// events and hands back the server's answer, so a refused change shows the role the server kept.
// Rows are built once per user and then only updated, so focus survives a reload of the list.

import { actionButton, h, setText } from '../dom';
import type { Role } from '../session';
import { ROLES, type Account } from '../users';
import { emit } from './events';

type Phase = 'loading' | 'ready' | 'error';

export class UserList extends HTMLElement {
  private phase: Phase = 'loading';
  private readonly rows = new Map<string, UserRow>();
  private built = false;
  private statusLine!: HTMLElement;
  private table!: HTMLTableElement;
  private body!: HTMLTableSectionElement;

  connectedCallback(): void {
    if (!this.built) this.build();
  }

  /** The list as the server sent it; rows of users still there are kept, and updated in place. */
  show(accounts: Account[]): void {
    this.phase = 'ready';
    const wanted = new Set(accounts.map((account) => account.username));
    for (const username of this.rows.keys()) if (!wanted.has(username)) this.drop(username);
    accounts.forEach((account, index) => {
      let row = this.rows.get(account.username);
      if (row) row.account = account;
      else {
        row = new UserRow(account);
        this.rows.set(account.username, row);
      }
      // Move a row only when it is out of place, so focus inside an untouched row survives.
      if (this.body.children[index] !== row.element)
        this.body.insertBefore(row.element, this.body.children[index] ?? null);
    });
    this.render();
  }

  loading(): void {
    this.phase = 'loading';
    this.render();
  }

  failed(): void {
    this.phase = 'error';
    this.render();
  }

  /** Forgets every user (on signing out: the next person starts afresh). */
  clear(): void {
    for (const username of [...this.rows.keys()]) this.drop(username);
    this.loading();
  }

  /** A change to this user is on its way: the row waits for the answer. */
  pending(username: string): void {
    this.rows.get(username)?.setBusy(true);
  }

  /** The server's answer to a change: the row shows it. */
  put(account: Account): void {
    const row = this.rows.get(account.username);
    if (!row) return;
    row.account = account;
    row.setBusy(false);
  }

  /** The server refused a change: the row shows what it had before, focus back where the change began. */
  restore(username: string): void {
    this.rows.get(username)?.restore();
  }

  drop(username: string): void {
    this.rows.get(username)?.element.remove();
    this.rows.delete(username);
    if (this.built) this.render();
  }

  private build(): void {
    this.statusLine = h('p', { class: 'list-status', role: 'status' });
    this.body = h('tbody');
    this.table = h(
      'table',
      { class: 'users' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Username'),
          h('th', { scope: 'col' }, 'Role'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
        ),
      ),
      this.body,
    );
    this.replaceChildren(this.statusLine, this.table);
    this.built = true;
    this.render();
  }

  private render(): void {
    if (!this.built) return;
    const count = this.rows.size;
    const text =
      this.phase === 'loading'
        ? 'Loading users…'
        : this.phase === 'error'
          ? 'Could not load the users.'
          : `${count} ${count === 1 ? 'user' : 'users'}.`;
    this.statusLine.className = `list-status list-status--${this.phase}`;
    setText(this.statusLine, text);
    this.table.setAttribute('aria-busy', String(this.phase === 'loading'));
    this.table.hidden = count === 0;
  }
}

customElements.define('user-list', UserList);

/** One user's row: built once, then only its text, value and hidden flags change. */
class UserRow {
  readonly element: HTMLTableRowElement;
  private current: Account;
  private confirming = false;
  /** Which control started the change in flight, to return focus to it if it is refused. */
  private changedBy: 'role' | 'remove' | null = null;
  private readonly name: HTMLElement;
  private readonly role: HTMLSelectElement;
  private readonly removeButton: HTMLButtonElement;
  private readonly confirmText: HTMLElement;
  private readonly confirmButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;

  constructor(account: Account) {
    this.current = account;
    this.name = h('th', { scope: 'row', class: 'user-name' });
    this.role = h(
      'select',
      { class: 'user-role' },
      ...ROLES.map((role) => h('option', { value: role }, role)),
    );
    this.role.addEventListener('change', () => {
      this.changedBy = 'role';
      emit(this.element, 'user-role-change', {
        username: this.current.username,
        role: this.role.value as Role,
      });
    });
    this.removeButton = actionButton('remove', 'Remove', 'button button--quiet-danger', () => {
      this.confirm(true);
    });
    this.confirmText = h('p', { class: 'confirm-text', role: 'alert' });
    this.confirmButton = actionButton('confirm-remove', 'Remove', 'button button--danger', () => {
      this.changedBy = 'remove';
      emit(this.element, 'user-remove', { username: this.current.username });
    });
    this.cancelButton = actionButton('keep', 'Cancel', 'button', () => {
      this.confirm(false);
    });
    this.element = h(
      'tr',
      { 'data-username': account.username },
      this.name,
      h('td', {}, this.role),
      h(
        'td',
        {},
        h(
          'div',
          { class: 'user-actions' },
          this.removeButton,
          this.confirmText,
          this.confirmButton,
          this.cancelButton,
        ),
      ),
    );
    this.update();
  }

  set account(account: Account) {
    this.current = account;
    this.update();
  }

  setBusy(busy: boolean): void {
    if (!busy) this.changedBy = null;
    this.element.setAttribute('aria-busy', String(busy));
    for (const control of [this.role, this.removeButton, this.confirmButton, this.cancelButton])
      control.disabled = busy;
  }

  restore(): void {
    const from = this.changedBy;
    this.setBusy(false);
    this.confirming = false;
    this.update();
    (from === 'remove' ? this.removeButton : this.role).focus();
  }

  private confirm(confirming: boolean): void {
    this.confirming = confirming;
    this.update();
    (confirming ? this.confirmButton : this.removeButton).focus();
  }

  /** Brings the row to the current account; creates no element. */
  private update(): void {
    const { username, role } = this.current;
    setText(this.name, username);
    // Also what undoes a refused change: the select goes back to the role the server has.
    this.role.value = role;
    this.role.setAttribute('aria-label', `Role of ${username}`);
    this.removeButton.setAttribute('aria-label', `Remove ${username}`);
    this.confirmButton.setAttribute('aria-label', `Remove ${username} for good`);
    this.removeButton.hidden = this.confirming;
    this.confirmText.hidden = !this.confirming;
    this.confirmButton.hidden = !this.confirming;
    this.cancelButton.hidden = !this.confirming;
    // Empty while hidden, so showing the question fills the alert and it is announced.
    setText(
      this.confirmText,
      this.confirming ? `Remove “${username}”? They will no longer be able to sign in.` : '',
    );
  }
}
