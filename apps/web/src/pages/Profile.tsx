import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { useFormAction } from '../components/useFormAction';
import { useI18n } from '../i18n/i18n';

/** One's own account: name, and password (with the current one; other sessions end). */
export function Profile(): ReactNode {
  const { t } = useI18n();
  const me = useMe();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [passwords, setPasswords] = useState({ current: '', next: '' });
  const loadedName = me.data?.user.name;
  useEffect(() => {
    if (loadedName !== undefined) setName(loadedName);
  }, [loadedName]);

  const nameForm = useFormAction(async () => {
    await unwrap(api.PATCH('/api/v1/me', { body: { name } }));
    await client.invalidateQueries({ queryKey: ['me'] });
  });
  // On failure the user's input stays, so a typo is fixed without typing both again.
  const passwordForm = useFormAction(async () => {
    await unwrap(api.PATCH('/api/v1/me', { body: { currentPassword: passwords.current, newPassword: passwords.next } }));
    setPasswords({ current: '', next: '' });
  });

  return (
    <section className="stack profile">
      <h1>{t('profile.title')}</h1>
      {me.data ? <p>{t('profile.email', { email: me.data.user.email })}</p> : null}
      <form onSubmit={nameForm.submit} className="stack" aria-labelledby="profile-name-title">
        <h2 id="profile-name-title">{t('profile.nameTitle')}</h2>
        <Field label={t('auth.name')}>
          {(id) => <input id={id} autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <ErrorMessage error={nameForm.error} />
        {nameForm.done ? (
          <p role="status" className="ok">
            {t('common.saved')}
          </p>
        ) : null}
        <button type="submit" disabled={nameForm.busy}>
          {t('common.save')}
        </button>
      </form>
      <form onSubmit={passwordForm.submit} className="stack" aria-labelledby="profile-password-title">
        <h2 id="profile-password-title">{t('profile.passwordTitle')}</h2>
        <Field label={t('profile.currentPassword')}>
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              required
              maxLength={256}
              value={passwords.current}
              onChange={(e) => setPasswords((p) => ({ ...p, current: e.target.value }))}
            />
          )}
        </Field>
        <Field label={t('reset.newPassword')}>
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              maxLength={256}
              aria-describedby="profile-pw-hint"
              value={passwords.next}
              onChange={(e) => setPasswords((p) => ({ ...p, next: e.target.value }))}
            />
          )}
        </Field>
        <p id="profile-pw-hint" className="hint">
          {t('auth.passwordHint')} {t('profile.passwordEffect')}
        </p>
        <ErrorMessage error={passwordForm.error} />
        {passwordForm.done ? (
          <p role="status" className="ok">
            {t('profile.passwordChanged')}
          </p>
        ) : null}
        <button type="submit" disabled={passwordForm.busy}>
          {t('profile.changePassword')}
        </button>
      </form>
    </section>
  );
}
