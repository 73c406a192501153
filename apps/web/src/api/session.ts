// The browser session: the access token lives in this module's memory only (never in storage,
// a URL or a log); the refresh token is an HttpOnly cookie the page cannot read, sent by the
// browser to /api/v1/auth/refresh and /logout only. A reload or a new tab asks /refresh for a
// new access token. Tabs tell each other about sign-out over a BroadcastChannel.

type Listener = (signedIn: boolean) => void;

let accessToken: string | null = null;
const listeners = new Set<Listener>();
const channel: BroadcastChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('dutybook-session');

export const REFRESH_COOKIE_HEADER = { 'x-refresh-cookie': '1' } as const;

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of listeners) listener(token !== null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.data === 'signed-out') setAccessToken(null);
});

export function announceSignOut(): void {
  channel?.postMessage('signed-out');
}

interface RefreshBody {
  accessToken: string;
}

let inFlight: Promise<boolean> | null = null;

/**
 * A new access token from the refresh cookie. One refresh at a time across every tab (Web Locks):
 * two tabs spending the same refresh token would look like reuse and revoke the session.
 */
export function refreshSession(): Promise<boolean> {
  inFlight ??= (async () => {
    const run = async (): Promise<boolean> => {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...REFRESH_COOKIE_HEADER, 'content-type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) {
        setAccessToken(null);
        return false;
      }
      setAccessToken(((await res.json()) as RefreshBody).accessToken);
      return true;
    };
    try {
      return typeof navigator !== 'undefined' && 'locks' in navigator
        ? await navigator.locks.request('dutybook-refresh', run)
        : await run();
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}
