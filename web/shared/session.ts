// Signing in and out, the same on every page: the identity provider's OIDC implicit flow back to the page itself,
// the local stack's token form, or a pasted token. The markup is functions/pages/layout.ts's signInSection and
// renderPage (ids `signin`, `signin-heading`, `idp-login`, `local-form`, `local-email`, `paste-form`,
// `paste-token`, `session`, `who`, `sign-out`); the page decides what signed in and signed out show.
import { apiUrl, showFailure } from './api.js';
import { byId } from './dom.js';
import { announce, clearError, showError } from './messages.js';
import { forgetToken, readToken, storeToken } from './token.js';

export { readToken } from './token.js';

/** Where the state and nonce of a sign-in this tab started wait for the identity provider's answer. */
const LOGIN_KEY = 'access-approvals.audit.login';

/** A token's claims, for display only: the API verifies the token; the page never trusts what it reads here. */
export const claimsOf = (token: string): Record<string, unknown> => {
  try {
    const part = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(part + '='.repeat((4 - (part.length % 4)) % 4));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
};

const identityOf = (claims: Record<string, unknown>): string | undefined => {
  if (typeof claims.email === 'string' && claims.email !== '') return claims.email;
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub;
  return undefined;
};

/** Who the session's token says is signed in (email, else sub), for display and defaults only. */
export const currentIdentity = (): string | undefined => {
  const token = readToken();
  return token ? identityOf(claimsOf(token)) : undefined;
};

const isExpired = (token: string): boolean => {
  const { exp } = claimsOf(token);
  return typeof exp === 'number' && exp * 1000 <= Date.now();
};

const randomHex = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export interface SessionHandlers {
  /**
   * The page is signed in: show what it shows. `how` is `restored` for a token this tab already held (or that the
   * identity provider just returned) when the page loaded, and `signed-in` for a sign-in on the page's forms, after
   * which the page may move focus to what it shows.
   */
  onSignedIn(token: string, identity: string, how: 'restored' | 'signed-in'): void;
  /** The page is signed out (or never was): hide and forget what only a signed-in person may see. */
  onSignedOut(): void;
}

export interface Session {
  /** Forgets the token and shows the sign-in; with a message, it is shown as why. */
  signOut(message?: string): void;
}

/** The state and nonce of the sign-in this tab started, if it did. */
const startedLogin = (): { state?: unknown; nonce?: unknown } | null => {
  try {
    const started: unknown = JSON.parse(sessionStorage.getItem(LOGIN_KEY) ?? 'null');
    return typeof started === 'object' && started !== null ? (started as { state?: unknown; nonce?: unknown }) : null;
  } catch {
    return null;
  }
};

/** The identity provider's answer in the fragment, if this load is one: the token it holds is stored when valid. */
const takeRedirect = (): void => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!['id_token', 'access_token', 'error'].some((key) => fragment.has(key))) return;
  // The fragment holds a bearer token: take it out of the address bar and the history entry at once.
  history.replaceState(null, '', location.pathname + location.search);
  const started = startedLogin();
  sessionStorage.removeItem(LOGIN_KEY);
  if (fragment.has('error')) {
    showError('Sign-in failed', fragment.get('error_description') || fragment.get('error') || undefined);
    return;
  }
  // A token this tab did not ask for could be someone else's, planted to make us act as them.
  const token = fragment.get('id_token') || fragment.get('access_token') || '';
  const { nonce } = claimsOf(token);
  if (!started || fragment.get('state') !== started.state || (nonce !== undefined && nonce !== started.nonce)) {
    showError(
      'Sign-in not completed',
      'The answer from the identity provider does not match a sign-in started on this page. Sign in again.',
    );
    return;
  }
  storeToken(token);
};

/**
 * Wires the sign-in section and the session bar, takes an identity provider's redirect, and shows the page signed
 * in (the handlers' onSignedIn) or signed out (onSignedOut) as the tab's token says. An expired token is signed out.
 */
export const startSession = (handlers: SessionHandlers): Session => {
  const signinSection = byId('signin');
  const sessionBar = byId('session');

  const showSignIn = (): void => {
    sessionBar.hidden = true;
    handlers.onSignedOut();
    signinSection.hidden = false;
  };
  const showSignedIn = (token: string, how: 'restored' | 'signed-in'): void => {
    const identity = identityOf(claimsOf(token)) ?? 'an unnamed identity';
    byId('who').textContent = identity;
    signinSection.hidden = true;
    sessionBar.hidden = false;
    handlers.onSignedIn(token, identity, how);
  };
  const signIn = (token: string): void => {
    storeToken(token);
    clearError();
    showSignedIn(token, 'signed-in');
  };
  const signOut = (message?: string): void => {
    forgetToken();
    showSignIn();
    if (message) showError('Signed out', message);
    else clearError();
    announce('Signed out.');
    byId('signin-heading').focus();
  };

  // The identity provider: the configured authorize URL, with this sign-in's state and nonce, and this page as the
  // place to come back to, so one authorize URL serves every page (each page's URL is registered with the IdP).
  const idpLink = document.getElementById('idp-login');
  if (idpLink instanceof HTMLAnchorElement) {
    idpLink.addEventListener('click', (event) => {
      event.preventDefault();
      const login = { state: randomHex(), nonce: randomHex() };
      sessionStorage.setItem(LOGIN_KEY, JSON.stringify(login));
      const url = new URL(idpLink.href);
      url.searchParams.set('state', login.state);
      url.searchParams.set('nonce', login.nonce);
      url.searchParams.set('redirect_uri', location.origin + location.pathname);
      location.assign(url.href);
    });
  }

  byId('local-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    const emailInput = byId<HTMLInputElement>('local-email');
    const email = emailInput.value.trim();
    if (!email) {
      showError('Enter an email address', 'Local sign-in issues a token for the email you give.');
      return;
    }
    try {
      const response = await fetch(apiUrl('local/tokens'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ sub: email, email }),
        credentials: 'omit',
      });
      if (response.status === 404) {
        showError(
          'Local sign-in is not available here',
          'It exists only on the local stack (npm start). Sign in with your identity provider or paste a token.',
        );
        return;
      }
      const body: { token?: unknown; error?: { message?: unknown } } = await response.json().catch(() => ({}));
      if (!response.ok || typeof body.token !== 'string') {
        const message = typeof body.error?.message === 'string' ? body.error.message : '';
        showError('Local sign-in failed', message || `HTTP ${response.status}`);
        return;
      }
      emailInput.value = '';
      signIn(body.token);
    } catch (error) {
      showFailure(error, { signOut });
    }
  });

  byId('paste-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearError();
    const input = byId<HTMLInputElement>('paste-token');
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    input.value = '';
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
      showError('That is not a token', 'Paste a JWT: three base64url parts separated by dots.');
      return;
    }
    signIn(token);
  });

  byId('sign-out').addEventListener('click', () => signOut());

  takeRedirect();
  const token = readToken();
  if (token && isExpired(token)) {
    forgetToken();
    showSignIn();
    showError('Signed out', 'Your sign-in has expired. Sign in again to continue.');
  } else if (token) {
    showSignedIn(token, 'restored');
  } else {
    showSignIn();
  }
  return { signOut };
};
