// The users view, for admins: the list of users, the form that adds one, and what the API answers to
// each change. app.ts decides when the view shows; this module calls /api/users and shows the answers.
// The API alone guards the last admin (409): its detail is shown as it comes, never second-guessed here.

import { ApiError, describeError } from './api';
import { detailOf, emit } from './components/events';
import { UserList } from './components/user-list';
import { required, setText } from './dom';
import type { Role } from './session';
import type { UsersApi } from './users';

const FIELDS = ['username', 'password', 'role'] as const;
type Field = (typeof FIELDS)[number];

const LABELS: Record<Field, string> = { username: 'Username', password: 'Password', role: 'Role' };

export interface UsersViewHooks {
  /** The username signed in now, to notice a change to one's own account. */
  signedInAs(): string | null;
  /** One's own account changed (or an admin call was refused): the session's role may have too. */
  accountChanged(): void;
}

export class UsersView {
  readonly heading = required('#users-heading', HTMLElement);
  private readonly list = required('#user-list', UserList);
  private readonly listHeading = required('#users-list-heading', HTMLElement);
  private readonly alert = required('#users-error', HTMLElement);
  private readonly form = required('#add-user', HTMLFormElement);
  private readonly submitButton = required('#add-user-submit', HTMLButtonElement);
  private readonly inputs: Record<Field, HTMLInputElement | HTMLSelectElement> = {
    username: required('#new-user-username', HTMLInputElement),
    password: required('#new-user-password', HTMLInputElement),
    role: required('#new-user-role', HTMLSelectElement),
  };
  private readonly errors: Record<Field, HTMLElement> = {
    username: required('#new-user-username-error', HTMLElement),
    password: required('#new-user-password-error', HTMLElement),
    role: required('#new-user-role-error', HTMLElement),
  };
  /** Bumped by clear(): an answer to a request made before it is dropped. */
  private generation = 0;
  private adding = false;

  private readonly api: UsersApi;
  private readonly hooks: UsersViewHooks;

  constructor(api: UsersApi, hooks: UsersViewHooks, signal: AbortSignal) {
    this.api = api;
    this.hooks = hooks;
    this.form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        void this.add();
      },
      { signal },
    );
    this.list.addEventListener(
      'user-role-change',
      (event) => {
        const { username, role } = detailOf('user-role-change', event);
        void this.changeRole(username, role);
      },
      { signal },
    );
    this.list.addEventListener(
      'user-remove',
      (event) => {
        void this.remove(detailOf('user-remove', event).username);
      },
      { signal },
    );
  }

  /** Loads the users afresh (each time the view opens: another admin may have changed them). */
  async reload(): Promise<void> {
    const generation = this.generation;
    this.list.loading();
    try {
      const accounts = await this.api.list();
      if (generation === this.generation) this.list.show(accounts);
    } catch (error) {
      if (generation !== this.generation) return;
      this.list.failed();
      this.fail(error, 'Could not load the users.');
    }
  }

  /** Forgets the users, the form and its messages (the session ended: the next person starts afresh). */
  clear(): void {
    this.generation += 1;
    this.list.clear();
    this.form.reset();
    this.clearFieldErrors();
    this.showAlert('');
    this.setAdding(false);
  }

  private async add(): Promise<void> {
    if (this.adding) return;
    const generation = this.generation;
    this.setAdding(true);
    this.clearFieldErrors();
    this.showAlert('');
    try {
      const account = await this.api.create({
        username: this.inputs.username.value.trim(),
        password: this.inputs.password.value,
        role: this.inputs.role.value as Role,
      });
      if (generation !== this.generation) return;
      this.form.reset();
      emit(this.form, 'announce', {
        message: `Added “${account.username}” as ${withArticle(account.role)}.`,
      });
      this.inputs.username.focus();
      await this.reload();
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.problem.errors?.length) this.showFieldErrors(error);
      else this.fail(error, 'Not added.');
    } finally {
      if (generation === this.generation) this.setAdding(false);
    }
  }

  private async changeRole(username: string, role: Role): Promise<void> {
    const generation = this.generation;
    this.showAlert('');
    this.list.pending(username);
    try {
      const account = await this.api.update(username, { role });
      if (generation !== this.generation) return;
      this.list.put(account);
      emit(this.list, 'announce', {
        message: `${account.username} is now ${withArticle(account.role)}.`,
      });
      if (username === this.hooks.signedInAs()) this.hooks.accountChanged();
    } catch (error) {
      if (generation === this.generation) this.refused(username, error, 'Role not changed.');
    }
  }

  private async remove(username: string): Promise<void> {
    const generation = this.generation;
    this.showAlert('');
    this.list.pending(username);
    try {
      await this.api.remove(username);
      if (generation !== this.generation) return;
      this.gone(username);
      emit(this.list, 'announce', { message: `Removed “${username}”.` });
      if (username === this.hooks.signedInAs()) this.hooks.accountChanged();
    } catch (error) {
      if (generation === this.generation) this.refused(username, error, 'Not removed.');
    }
  }

  /** A change to one user failed: a 404 means they are gone, anything else leaves them as they were. */
  private refused(username: string, error: unknown, what: string): void {
    if (error instanceof ApiError && error.status === 404) this.gone(username);
    else this.list.restore(username);
    this.fail(error, what);
  }

  /** The row is gone; focus, which was in it, goes to the list's heading rather than to the page. */
  private gone(username: string): void {
    this.list.drop(username);
    this.listHeading.focus();
  }

  /** Shows what went wrong in the view's alert; a 401 is the page's (the sign-in form is back already). */
  private fail(error: unknown, what: string): void {
    if (error instanceof ApiError && error.status === 401) return;
    this.showAlert(`${what} ${describeError(error)}`);
    // No longer an admin (another admin changed that): the session's role says so, and the page follows.
    if (error instanceof ApiError && error.status === 403) this.hooks.accountChanged();
  }

  private showFieldErrors(error: ApiError): void {
    let first: HTMLElement | null = null;
    const unmatched: string[] = [];
    for (const [field, message] of Object.entries(error.fieldErrors())) {
      if (!isField(field)) {
        unmatched.push(`${field}: ${message}`);
        continue;
      }
      // The API's messages are bean-validation style ("is taken"): they follow the field's name.
      const text = /^[A-Z]/.test(message) ? message : `${LABELS[field]} ${message}`;
      setText(this.errors[field], text);
      this.errors[field].hidden = false;
      this.inputs[field].setAttribute('aria-invalid', 'true');
      first ??= this.inputs[field];
    }
    if (unmatched.length) this.showAlert(`Not added. ${unmatched.join(' ')}`);
    first?.focus();
  }

  private clearFieldErrors(): void {
    for (const field of FIELDS) {
      this.errors[field].hidden = true;
      setText(this.errors[field], '');
      this.inputs[field].removeAttribute('aria-invalid');
    }
  }

  private showAlert(message: string): void {
    setText(this.alert, message);
    this.alert.hidden = message === '';
  }

  private setAdding(busy: boolean): void {
    this.adding = busy;
    this.form.setAttribute('aria-busy', String(busy));
    this.submitButton.disabled = busy;
    setText(this.submitButton, busy ? 'Adding…' : 'Add user');
  }
}

function isField(field: string): field is Field {
  return (FIELDS as readonly string[]).includes(field);
}

/** "an admin", "an editor", "a viewer". */
function withArticle(role: Role): string {
  return `${role === 'viewer' ? 'a' : 'an'} ${role}`;
}
