// Wires the page together: the API clients, the session, the live stream, and the components.
// The items view shows only while someone is signed in; whatever reveals that the session has ended
// (a 401 from an items call, or the live stream failing while GET /api/session says 401) comes to
// endSession() below, the one place that returns the page to the sign-in form.

import { ItemsApi, describeError } from './api';
import { detailOf, emit } from './components/events';
import { ItemEditor } from './components/item-editor';
import { ItemList } from './components/item-list';
import { StatusBadge } from './components/status-badge';
import { setText } from './dom';
import { LiveEvents, type LiveState } from './live';
import { SessionApi, canEdit, type User } from './session';

export const SESSION_ENDED = 'Your session has ended. Sign in again.';

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** The element index.html must have, checked to be of the expected class (custom elements are upgraded by now). */
function required<T extends Element>(selector: string, type: abstract new () => T): T {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`index.html lacks ${selector}`);
  return element;
}

export interface App {
  /** Resolves once the first GET /api/session has been answered and the page shows the right view. */
  readonly ready: Promise<void>;
  /** Closes the live stream and removes the page-wide listeners (for tests). */
  stop(): void;
}

export function startApp(): App {
  const items = new ItemsApi();
  const session = new SessionApi();

  const list = required('item-list', ItemList);
  const badge = required('status-badge', StatusBadge);
  const liveIndicator = required('#live-indicator', HTMLElement);
  const announcer = required('#announcer', HTMLElement);
  const main = required('#main', HTMLElement);
  const createSection = required('#create', HTMLElement);
  const itemsView = required('#items-view', HTMLElement);
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

  const createEditor = required('item-editor', ItemEditor);
  list.api = items;
  createEditor.api = items;
  items.onUnauthorized = () => {
    endSession(SESSION_ENDED);
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
    user = signedIn;
    setText(sessionUser, `Signed in as ${signedIn.username} (${signedIn.role})`);
    const editor = canEdit(signedIn);
    createSection.hidden = !editor;
    list.canEdit = editor;
    sessionBox.hidden = false;
    signInView.hidden = true;
    itemsView.hidden = false;
    showSignInError('');
    live.start();
    void list.reload();
  }

  /** Back to the sign-in form, with a message (or none after signing out). */
  function showSignIn(message: string, focus: boolean): void {
    user = null;
    live.stop();
    list.clear();
    setText(sessionUser, '');
    sessionBox.hidden = true;
    itemsView.hidden = true;
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

  // One signal removes every page-wide listener at once (stop(), for the tests).
  const listening = new AbortController();
  const { signal } = listening;
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
      if (announceTimer !== null) clearTimeout(announceTimer);
      listening.abort();
    },
  };
}
