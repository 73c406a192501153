import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { api, unwrap } from './api/client';
import { announceSignOut, getAccessToken, onSessionChange, refreshSession, REFRESH_COOKIE_HEADER, setAccessToken } from './api/session';
import { useI18n } from './i18n/i18n';

/** True once the page knows whether it has a session (after one refresh attempt at load). */
export function useSession(): { ready: boolean; signedIn: boolean } {
  const [state, setState] = useState({ ready: getAccessToken() !== null, signedIn: getAccessToken() !== null });
  useEffect(() => {
    const off = onSessionChange((signedIn) => setState({ ready: true, signedIn }));
    if (!state.ready) void refreshSession().then((ok) => setState({ ready: true, signedIn: ok }));
    return off; // once per mount: the refresh at load
  }, []);
  return state;
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/api/v1/me')) });
}

/** Pages behind a session: without one, the sign-in page, which comes back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }): ReactNode {
  const { ready, signedIn } = useSession();
  const location = useLocation();
  const { t } = useI18n();
  if (!ready) return <p className="loading">{t('common.loading')}</p>;
  if (!signedIn) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return children;
}

export async function signIn(email: string, password: string): Promise<void> {
  const body = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password }, headers: REFRESH_COOKIE_HEADER }));
  setAccessToken(body.accessToken);
}

export async function signUp(input: { email: string; password: string; name: string; organization: string }): Promise<string> {
  const body = await unwrap(api.POST('/api/v1/auth/signup', { body: input, headers: REFRESH_COOKIE_HEADER }));
  setAccessToken(body.accessToken);
  return body.tenant.id;
}

export function useSignOut(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await api.POST('/api/v1/auth/logout', { body: {}, headers: REFRESH_COOKIE_HEADER });
    setAccessToken(null);
    client.clear();
    announceSignOut();
  };
}
