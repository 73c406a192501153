import { useLayoutEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { useFormAction } from '../components/useFormAction';
import { useI18n } from '../i18n/i18n';

/** "Forgotten password?": asks for a reset link. The confirmation is the same whether the address has an account or not. */
export function ForgotPassword(): ReactNode {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const { submit, busy, error, done: sent } = useFormAction(() => unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } })));
  return (
    <main id="main" className="auth-page">
      <h1>{t('reset.requestTitle')}</h1>
      {sent ? (
        <p role="status" className="ok">
          {t('reset.requested')}
        </p>
      ) : (
        <form onSubmit={submit} className="stack">
          <p>{t('reset.requestIntro')}</p>
          <Field label={t('auth.email')}>
            {(id) => (
              <input
                id={id}
                type="email"
                autoComplete="username"
                required
                maxLength={254}
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {t('reset.send')}
          </button>
        </form>
      )}
      <p>
        <Link to="/signin">{t('reset.backToSignIn')}</Link>
      </p>
    </main>
  );
}

/** Codes after which only a new link helps. */
const DEAD_LINK = new Set(['PASSWORD_RESET_TOKEN_INVALID', 'PASSWORD_RESET_TOKEN_EXPIRED']);

/**
 * The page the reset mail links to: `/password-reset?token=…`. The token is read once into this
 * page's memory and removed from the address bar at once (history.replaceState), so it stays out
 * of the history, bookmarks and any later Referer; it is never stored.
 */
export function ResetPassword(): ReactNode {
  const { t } = useI18n();
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useLayoutEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  const [password, setPassword] = useState('');
  const { submit, busy, error, done } = useFormAction(() =>
    unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { token: token ?? '', password } })),
  );
  if (!token)
    return (
      <main id="main" className="auth-page">
        <h1>{t('reset.title')}</h1>
        <p>{t('reset.missing')}</p>
        <p>
          <Link to="/forgot-password">{t('reset.askAgain')}</Link>
        </p>
      </main>
    );
  const deadLink = error instanceof ApiError && DEAD_LINK.has(error.code);
  return (
    <main id="main" className="auth-page">
      <h1>{t('reset.title')}</h1>
      {done ? (
        <>
          <p role="status" className="ok">
            {t('reset.done')}
          </p>
          <p>
            <Link to="/signin">{t('auth.signIn')}</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} className="stack">
          <Field label={t('reset.newPassword')}>
            {(id) => (
              <input
                id={id}
                type="password"
                autoComplete="new-password"
                required
                minLength={12}
                maxLength={256}
                aria-describedby="reset-pw-hint"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <p id="reset-pw-hint" className="hint">
            {t('auth.passwordHint')}
          </p>
          <ErrorMessage error={error} />
          {deadLink ? (
            <p>
              <Link to="/forgot-password">{t('reset.askAgain')}</Link>
            </p>
          ) : null}
          <button type="submit" disabled={busy}>
            {t('reset.save')}
          </button>
        </form>
      )}
    </main>
  );
}
