import type { ReactNode } from 'react';
import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { useMe, useSignOut } from './auth';
import { Field } from './components/Field';
import { useI18n, type Locale } from './i18n/i18n';
import { lastTenant, rememberTenant } from './tenant';

/** The frame of every signed-in page: skip link, top bar (tenant switcher, language, user menu), left navigation. */
export function Shell(): ReactNode {
  const { t, locale, setLocale } = useI18n();
  const { tenantId } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const memberships = me.data?.memberships ?? [];
  // The queue spans tenants, so its page has no tenant in the path: the frame keeps the last one.
  const fallback = memberships.find((m) => m.tenantId === lastTenant())?.tenantId ?? memberships[0]?.tenantId;
  const current = tenantId ?? fallback;
  const base = current ? `/tenants/${current}` : null;
  // Who reviews (docs/tasks.md): auditors and admins, while their membership is active.
  const reviews = memberships.some(
    (m) => (m.role === 'auditor' || m.role === 'admin') && (!m.expiresAt || Date.parse(m.expiresAt) > Date.now()),
  );
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        {memberships.length > 0 ? (
          <Field label={t('nav.tenant')}>
            {(id) => (
              <select
                id={id}
                value={tenantId ?? ''}
                onChange={(e) => {
                  rememberTenant(e.target.value);
                  void navigate(`/tenants/${e.target.value}`);
                }}
              >
                {tenantId && !memberships.some((m) => m.tenantId === tenantId) ? (
                  <option value={tenantId}>{t('common.none')}</option>
                ) : null}
                {memberships.map((m) => (
                  <option key={m.tenantId} value={m.tenantId}>
                    {m.tenantName} ({t(`role.${m.role}`)})
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field label={t('nav.language')}>
          {(id) => (
            <select id={id} value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
              <option value="en">English</option>
              <option value="fr">Français</option>
            </select>
          )}
        </Field>
        <nav className="user" aria-label={t('nav.userMenu')}>
          <span>{me.data ? t('nav.signedInAs', { name: me.data.user.name }) : null}</span>
          <NavLink to="/profile">{t('nav.profile')}</NavLink>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              void signOut().then(() => navigate('/signin'));
            }}
          >
            {t('nav.signOut')}
          </button>
        </nav>
      </header>
      {base ? (
        <nav className="sidenav" aria-label={t('nav.main')}>
          <NavLink to={base} end>
            {t('nav.dashboard')}
          </NavLink>
          <NavLink to={`${base}/tasks`}>{t('nav.duties')}</NavLink>
          {reviews ? <NavLink to="/review-queue">{t('nav.reviewQueue')}</NavLink> : null}
          <NavLink to={`${base}/catalogs`}>{t('nav.catalogs')}</NavLink>
          <NavLink to={`${base}/audit`}>{t('nav.audit')}</NavLink>
          <NavLink to={`${base}/members`}>{t('nav.members')}</NavLink>
          <NavLink to={`${base}/settings`}>{t('nav.settings')}</NavLink>
        </nav>
      ) : null}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
