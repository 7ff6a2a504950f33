// Client for the users API (`/api/users`, admins only): list, add, change a role or password, remove.
// Like ItemsApi, every 401 goes to onUnauthorized, the page's one way back to the sign-in form.

import { jsonRequest, sendInSession, type ApiError, type ApiRequest, type Fetch } from './api';
import type { Role } from './session';

export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export interface Account {
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface NewAccount {
  username: string;
  password: string;
  role: Role;
}

/** What a PUT may change: the role, the password, or both. */
export interface AccountChange {
  role?: Role;
  password?: string;
}

const USERS = '/api/users';

export class UsersApi {
  /** Told of every 401: the session has ended, and the page (one place) decides what follows. */
  onUnauthorized: ((error: ApiError) => void) | null = null;
  private readonly fetchImpl: Fetch;

  constructor(fetchImpl: Fetch = (input, init) => fetch(input, init)) {
    this.fetchImpl = fetchImpl;
  }

  /** Every user, ordered by username. */
  async list(): Promise<Account[]> {
    const response = await this.send(USERS, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
    return (await response.json()) as Account[];
  }

  /** Rejects with 409 when the name is taken, 400 with field errors for a bad name, password or role. */
  async create(input: NewAccount): Promise<Account> {
    const response = await this.send(USERS, jsonRequest('POST', input));
    return (await response.json()) as Account;
  }

  /** Rejects with 409 when it would demote the last admin, 404 when the user is gone. */
  async update(username: string, change: AccountChange): Promise<Account> {
    const response = await this.send(userUrl(username), jsonRequest('PUT', change));
    return (await response.json()) as Account;
  }

  /** Rejects with 409 for the last admin, 404 when the user is gone. */
  async remove(username: string): Promise<void> {
    await this.send(userUrl(username), { method: 'DELETE' });
  }

  private send(url: string, init: ApiRequest): Promise<Response> {
    return sendInSession(this.fetchImpl, url, init, this.onUnauthorized);
  }
}

/** A username may hold '@' and '.': it is one path segment, encoded as such. */
export function userUrl(username: string): string {
  return `${USERS}/${encodeURIComponent(username)}`;
}
