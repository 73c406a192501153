import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { signIn, signUp } from '../auth';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import { Field } from '../components/Field';
import { useFormAction } from '../components/useFormAction';

/** Only a path of this site: `next` comes from the URL and must not send the user elsewhere. */
export const safeNext = (next: string | null): string => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export function SignIn(): ReactNode {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useFormAction(() => signIn(email, password).then(() => navigate(safeNext(params.get('next')))));
  return (
    <main id="main" className="auth-page">
      <h1>{t('auth.signIn')}</h1>
      <form onSubmit={submit} className="stack">
        <Field label={t('auth.email')}>
          {(id) => <input id={id} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label={t('auth.password')}>
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t('auth.signIn')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('auth.forgotten')}</Link>
      </p>
      <p>
        {t('auth.noAccount')} <Link to="/signup">{t('auth.signUp')}</Link>
      </p>
    </main>
  );
}

export function SignUp(): ReactNode {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', organization: '', email: '', password: '' });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });
  const { submit, busy, error } = useFormAction(() => signUp(form).then((tenantId) => navigate(`/tenants/${tenantId}/catalogs`)));
  return (
    <main id="main" className="auth-page">
      <h1>{t('auth.signUp')}</h1>
      <form onSubmit={submit} className="stack">
        <Field label={t('auth.name')}>{(id) => <input id={id} autoComplete="name" required maxLength={200} {...field('name')} />}</Field>
        <Field label={t('auth.organization')}>
          {(id) => <input id={id} autoComplete="organization" required maxLength={200} {...field('organization')} />}
        </Field>
        <Field label={t('auth.email')}>{(id) => <input id={id} type="email" autoComplete="username" required {...field('email')} />}</Field>
        <Field label={t('auth.password')}>
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              aria-describedby="pw-hint"
              {...field('password')}
            />
          )}
        </Field>
        <p id="pw-hint" className="hint">
          {t('auth.passwordHint')}
        </p>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t('auth.signUp')}
        </button>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to="/signin">{t('auth.signIn')}</Link>
      </p>
    </main>
  );
}
