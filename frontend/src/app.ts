// Wires the page together: the API clients, the session, the live stream, and the components.
// The items view shows only while someone is signed in; whatever reveals that the session has ended
// (a 401 from an items call, or the live stream failing while GET /api/session says 401) comes to
// endSession() below, the one place that returns the page to the sign-in form.
// An admin also has the users view: the header's Users / Back to items buttons switch the main area
// between the two views (showView), and each switch moves focus to the view's heading.

import { ItemsApi, describeError } from './api';
import { detailOf, emit } from './components/events';
import { ItemEditor } from './components/item-editor';
import { ItemList } from './components/item-list';
import { StatusBadge } from './components/status-badge';
import { required, setText } from './dom';
import { LiveEvents, type LiveState } from './live';
import { SessionApi, canEdit, type User } from './session';
import { UsersApi } from './users';
import { UsersView } from './users-view';

export const SESSION_ENDED = 'Your session has ended. Sign in again.';

type View = 'items' | 'users';

const TITLES: Record<View, string> = {
  items: 'Generic App — Items',
  users: 'Generic App — Users',
};

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

export interface App {
  /** Resolves once the first GET /api/session has been answered and the page shows the right view. */
  readonly ready: Promise<void>;
  /** Closes the live stream and removes the page-wide listeners (for tests). */
  stop(): void;
}

export function startApp(): App {
  const items = new ItemsApi();
  const session = new SessionApi();
  const usersApi = new UsersApi();

  const list = required('item-list', ItemList);
  const badge = required('status-badge', StatusBadge);
  const liveIndicator = required('#live-indicator', HTMLElement);
  const announcer = required('#announcer', HTMLElement);
  const main = required('#main', HTMLElement);
  const createSection = required('#create', HTMLElement);
  const itemsView = required('#items-view', HTMLElement);
  const itemsHeading = required('#items-heading', HTMLElement);
  const usersViewElement = required('#users-view', HTMLElement);
  const showUsersButton = required('#show-users', HTMLButtonElement);
  const showItemsButton = required('#show-items', HTMLButtonElement);
  const signInView = required('#sign-in-view', HTMLElement);
  const signInForm = required('#sign-in', HTMLFormElement);
  const username = required('#sign-in-username', HTMLInputElement);
  const password = required('#sign-in-password', HTMLInputElement);
  const signInError = required('#sign-in-error', HTMLElement);
  const signInButton = required('#sign-in-submit', HTMLButtonElement);
  const sessionBox = required('#session', HTMLElement);
  const sessionUser = required('#session-user', HTMLElement);
  const signOutButton = required('#sign-out', HTMLButtonElement);

  /** Who is signed in; null while the sign-in form shows. */
  let user: User | null = null;
  let signingIn = false;
  /** Which view the main area shows while someone is signed in. */
  let view: View = 'items';

  const createEditor = required('item-editor', ItemEditor);
  list.api = items;
  createEditor.api = items;
  items.onUnauthorized = () => {
    endSession(SESSION_ENDED);
  };
  usersApi.onUnauthorized = () => {
    endSession(SESSION_ENDED);
  };

  // One signal removes every page-wide listener at once (stop(), for the tests).
  const listening = new AbortController();
  const { signal } = listening;

  const users = new UsersView(
    usersApi,
    {
      signedInAs: () => user?.username ?? null,
      accountChanged: () => void refreshUser(),
    },
    signal,
  );

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
      if (state === 'reconnecting') {
        void badge.check();
        // An EventSource cannot see the status code: a 401 looks like any other failure.
        void confirmSession();
      }
    },
    onResync: () => void list.reload(),
  });

  function showItems(signedIn: User): void {
    if (user !== null) return;
    showUser(signedIn);
    sessionBox.hidden = false;
    signInView.hidden = true;
    showSignInError('');
    live.start();
    void list.reload();
  }

  /** Who is signed in, and what their role lets them see; also after their role changed. */
  function showUser(signedIn: User): void {
    user = signedIn;
    setText(sessionUser, `Signed in as ${signedIn.username} (${signedIn.role})`);
    const editor = canEdit(signedIn);
    createSection.hidden = !editor;
    list.canEdit = editor;
    if (signedIn.role !== 'admin' && view === 'users') {
      // No longer an admin: the users view closes, and the list it showed goes with it.
      users.clear();
      showView('items', true);
    } else showView(view, false);
  }

  /** Shows one view of the main area, and the header button that leads to the other. */
  function showView(next: View, focus: boolean): void {
    const admin = user?.role === 'admin';
    const opening = next !== view || (next === 'users' && usersViewElement.hidden);
    view = next;
    itemsView.hidden = next !== 'items';
    usersViewElement.hidden = next !== 'users';
    // Hidden, not left out, for everyone but an admin: the header is the same DOM for every role.
    showUsersButton.hidden = !admin || next !== 'items';
    showItemsButton.hidden = next !== 'users';
    document.title = TITLES[next];
    if (next === 'users' && opening) void users.reload();
    if (focus) (next === 'users' ? users.heading : itemsHeading).focus();
  }

  /** Asks the server who is signed in now (one's own role may have changed), and shows that. */
  async function refreshUser(): Promise<void> {
    const asked = user;
    if (asked === null) return;
    try {
      const current = await session.current();
      // Signed out (or in as someone else) meanwhile: this answer is about a session that is gone.
      if (user !== asked) return;
      if (current === null) endSession(SESSION_ENDED);
      else showUser(current);
    } catch {
      // Unreachable: the header keeps the role it had, and the API still checks every call.
    }
  }

  /** Back to the sign-in form, with a message (or none after signing out). */
  function showSignIn(message: string, focus: boolean): void {
    user = null;
    live.stop();
    list.clear();
    users.clear();
    setText(sessionUser, '');
    sessionBox.hidden = true;
    itemsView.hidden = true;
    usersViewElement.hidden = true;
    showUsersButton.hidden = true;
    showItemsButton.hidden = true;
    // Whoever signs in next starts on the items.
    view = 'items';
    document.title = TITLES.items;
    signInView.hidden = false;
    password.value = '';
    showSignInError(message);
    if (focus) username.focus();
  }

  /** The one place that decides the session is over: only while signed in, and only once. */
  function endSession(message: string): void {
    if (user !== null) showSignIn(message, true);
  }

  async function confirmSession(): Promise<void> {
    if (user === null) return;
    try {
      if ((await session.current()) === null) endSession(SESSION_ENDED);
    } catch {
      // The API itself is unreachable: the status badge says so, and the stream keeps retrying.
    }
  }

  function showSignInError(message: string): void {
    setText(signInError, message);
    signInError.hidden = message === '';
  }

  function setSigningIn(busy: boolean): void {
    signingIn = busy;
    signInForm.setAttribute('aria-busy', String(busy));
    signInButton.disabled = busy;
    setText(signInButton, busy ? 'Signing in…' : 'Sign in');
  }

  async function signIn(): Promise<void> {
    if (signingIn) return;
    setSigningIn(true);
    showSignInError('');
    try {
      const signedIn = await session.signIn(username.value.trim(), password.value);
      password.value = '';
      showItems(signedIn);
      main.focus();
    } catch (error) {
      showSignInError(describeError(error));
      password.focus();
    } finally {
      setSigningIn(false);
    }
  }

  async function signOut(): Promise<void> {
    signOutButton.disabled = true;
    try {
      await session.signOut();
      createEditor.reset();
      showSignIn('', true);
      emit(document, 'announce', { message: 'Signed out.' });
    } catch (error) {
      // Still signed in on the server: staying on the items is the honest answer.
      emit(document, 'announce', { message: `Not signed out. ${describeError(error)}` });
    } finally {
      signOutButton.disabled = false;
    }
  }

  let announceTimer: ReturnType<typeof setTimeout> | null = null;

  signInForm.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      void signIn();
    },
    { signal },
  );
  signOutButton.addEventListener('click', () => void signOut(), { signal });
  showUsersButton.addEventListener(
    'click',
    () => {
      showView('users', true);
    },
    { signal },
  );
  showItemsButton.addEventListener(
    'click',
    () => {
      showView('items', true);
    },
    { signal },
  );
  createSection.addEventListener(
    'item-saved',
    (event) => {
      list.addCreated(detailOf('item-saved', event).item);
    },
    { signal },
  );
  document.addEventListener(
    'announce',
    (event) => {
      // The live region stays in the page (an empty one is invisible): hiding it would silence screen readers.
      announcer.textContent = detailOf('announce', event).message;
      if (announceTimer !== null) clearTimeout(announceTimer);
      announceTimer = setTimeout(() => (announcer.textContent = ''), 4000);
    },
    { signal },
  );
  window.addEventListener(
    'pagehide',
    () => {
      live.stop();
    },
    { signal },
  );
  window.addEventListener(
    'pageshow',
    (event) => {
      if (event.persisted && user !== null) {
        live.start();
        void list.reload();
        if (view === 'users') void users.reload();
      }
    },
    { signal },
  );
  setSigningIn(false);

  const ready = session.current().then(
    (signedIn) => {
      if (signedIn) showItems(signedIn);
      else showSignIn('', false);
    },
    (error: unknown) => {
      showSignIn(describeError(error), false);
    },
  );

  return {
    ready,
    stop() {
      live.stop();
      items.onUnauthorized = null;
      usersApi.onUnauthorized = null;
      if (announceTimer !== null) clearTimeout(announceTimer);
      listening.abort();
    },
  };
}
