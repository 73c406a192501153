import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { REFRESH_COOKIE_HEADER, setAccessToken } from '../api/session';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import { Field } from '../components/Field';

/** The page the invitation mail links to: `/invitations/accept?token=…`. */
export function AcceptInvitation(): ReactNode {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ tenantId: string; tenant: string; role: string; signedIn: boolean } | null>(null);
  if (!token)
    return (
      <main id="main" className="auth-page">
        <h1>{t('invite.titleGeneric')}</h1>
        <p>{t('invite.missing')}</p>
      </main>
    );
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setError(null);
    unwrap(
      api.POST('/api/v1/invitations/accept', {
        body: { token, ...(name ? { name } : {}), ...(password ? { password } : {}) },
        headers: REFRESH_COOKIE_HEADER,
      }),
    )
      .then((r) => {
        if (r.tokens) setAccessToken(r.tokens.accessToken);
        setResult({ tenantId: r.tenant.id, tenant: r.tenant.name, role: t(`role.${r.role}`), signedIn: r.tokens !== undefined });
      })
      .catch(setError);
  };
  return (
    <main id="main" className="auth-page">
      <h1>{t('invite.titleGeneric')}</h1>
      {result ? (
        <>
          <p role="status" className="ok">
            {t('invite.accepted', { tenant: result.tenant, role: result.role })}
          </p>
          {result.signedIn ? (
            <Link to={`/tenants/${result.tenantId}`}>{t('nav.dashboard')}</Link>
          ) : (
            <p>
              {t('invite.signInFirst')} <Link to={`/signin?next=/tenants/${result.tenantId}`}>{t('auth.signIn')}</Link>
            </p>
          )}
        </>
      ) : (
        <form onSubmit={submit} className="stack">
          <p>{t('invite.intro')}</p>
          <Field label={t('auth.name')}>
            {(id) => <input id={id} autoComplete="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={t('auth.password')}>
            {(id) => (
              <input id={id} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            )}
          </Field>
          <ErrorMessage error={error} />
          <button type="submit">{t('invite.accept')}</button>
        </form>
      )}
    </main>
  );
}
