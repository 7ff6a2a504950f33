// Client for the session API (`/api/session`): who is signed in, signing in and signing out.
// The server keeps the session in an HttpOnly cookie; this client never sees or stores a token.

import { ApiError, CSRF_COOKIE, jsonRequest, readCookie, send, type Fetch } from './api';

export type Role = 'viewer' | 'editor' | 'admin';

export interface User {
  username: string;
  role: Role;
}

const SESSION = '/api/session';

/** Editors and admins create, replace and delete items; a viewer only reads them. */
export function canEdit(user: User): boolean {
  return user.role === 'editor' || user.role === 'admin';
}

export class SessionApi {
  private readonly fetchImpl: Fetch;

  constructor(fetchImpl: Fetch = (input, init) => fetch(input, init)) {
    this.fetchImpl = fetchImpl;
  }

  /** The signed-in user, or null when there is no valid session (401). */
  async current(): Promise<User | null> {
    // Signing in sets the readable XSRF-TOKEN cookie beside the session's, and signing out
    // clears both: without it there is no session to ask about, and no 401 to log in the console.
    if (readCookie(CSRF_COOKIE) === null) return null;
    try {
      const response = await send(this.fetchImpl, SESSION, {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      return (await response.json()) as User;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  /** Rejects with an ApiError: 401 for a wrong username or password, 429 after too many failures. */
  async signIn(username: string, password: string): Promise<User> {
    const response = await send(
      this.fetchImpl,
      SESSION,
      jsonRequest('POST', { username, password }),
    );
    return (await response.json()) as User;
  }

  /** Ends the session; one that has already ended (401) counts as signed out. */
  async signOut(): Promise<void> {
    try {
      await send(this.fetchImpl, SESSION, { method: 'DELETE' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      throw error;
    }
  }
}
