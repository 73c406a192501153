import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import { useRole, useTenantId } from '../tenant';
import { Field } from '../components/Field';
import { EndSubscription } from './EndSubscription';
import { UpgradePanel } from '../components/UpgradePanel';

/** The provider's matrix (each party's letters in its own column, customer duties highlighted) and subscriptions. */
export function Catalogs(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatDay } = useI18n();
  const isAdmin = useRole() === 'admin';
  const client = useQueryClient();
  const catalogs = useQuery({ queryKey: ['catalogs'], queryFn: () => unwrap(api.GET('/api/v1/catalogs')) });
  const [chosen, setChosen] = useState<string | null>(null);
  const key = chosen ?? catalogs.data?.items[0]?.key ?? null;
  const version = useQuery({
    queryKey: ['catalog', key],
    enabled: key !== null,
    queryFn: () =>
      unwrap(api.GET('/api/v1/catalogs/{key}/versions/{version}', { params: { path: { key: key ?? '', version: 'latest' } } })),
  });
  // The tenant's view (global catalogs and its private ones): which version is the latest of each.
  const visible = useQuery({
    queryKey: ['tenant-catalogs', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/catalogs', { params: { path: { tenantId } } })),
  });
  const latestOf = (catalogKey: string): string | undefined =>
    visible.data?.items.find((c) => c.key === catalogKey)?.versions.find((v) => v.latest)?.version;
  const [search] = useSearchParams();
  const linked = search.get('upgrade');
  const [previewing, setPreviewing] = useState<ReadonlySet<string>>(new Set());
  const [upgraded, setUpgraded] = useState<Readonly<Record<string, string>>>({});
  const subscriptions = useQuery({
    queryKey: ['subscriptions', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/subscriptions', { params: { path: { tenantId } } })),
  });
  const [startsOn, setStartsOn] = useState(new Date().toISOString().slice(0, 10));
  const [created, setCreated] = useState<number | null>(null);
  const subscribe = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tenants/{tenantId}/subscriptions', { params: { path: { tenantId } }, body: { catalogKey: key ?? '', startsOn } }),
      ),
    onSuccess: async (r) => {
      setCreated(r.tasksCreated);
      await client.invalidateQueries({ queryKey: ['subscriptions', tenantId] });
      await client.invalidateQueries({ queryKey: ['tasks', tenantId] });
    },
  });
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setCreated(null);
    subscribe.mutate();
  };
  const parties = version.data?.parties ?? [];
  return (
    <>
      <h1>{t('catalogs.title')}</h1>
      <ErrorMessage error={catalogs.error ?? version.error} />
      <section aria-labelledby="subs-title">
        <h2 id="subs-title">{t('catalogs.subscriptions')}</h2>
        {subscriptions.data?.items.length === 0 ? <p className="empty">{t('catalogs.noSubscription')}</p> : null}
        <ul>
          {subscriptions.data?.items.map((s) => (
            <li key={s.id}>
              {s.catalogKey} {s.catalogVersion} — {t(`phase.${s.phase}`)} — {formatDay(s.startsOn)}
              {isAdmin || s.endedAt ? <EndSubscription tenantId={tenantId} subscription={s} /> : null}
              {s.id in upgraded ? (
                <p role="status" className="ok">
                  {t('catalogs.upgrade.applied', { version: upgraded[s.id] ?? '' })}
                </p>
              ) : null}
              {(() => {
                const latest = latestOf(s.catalogKey);
                // An ended subscription is not upgraded (the API answers SUBSCRIPTION_ENDED).
                if (s.endedAt || !latest || latest === s.catalogVersion) return null;
                // Preview and apply are admins' (the API answers 403 to other roles): others see that it exists.
                if (!isAdmin)
                  return (
                    <>
                      {' '}
                      <span className="badge">{t('catalogs.upgrade.available', { version: latest })}</span>{' '}
                      <span className="hint">{t('catalogs.upgrade.adminOnly')}</span>
                    </>
                  );
                if (previewing.has(s.id) || linked === s.id)
                  return (
                    <UpgradePanel
                      tenantId={tenantId}
                      subscriptionId={s.id}
                      toVersion={latest}
                      focus={linked === s.id}
                      onApplied={(v) => setUpgraded({ ...upgraded, [s.id]: v })}
                    />
                  );
                return (
                  <>
                    {' '}
                    <span className="badge">{t('catalogs.upgrade.available', { version: latest })}</span>{' '}
                    <button type="button" className="link" onClick={() => setPreviewing(new Set([...previewing, s.id]))}>
                      {t('catalogs.upgrade.preview')}
                    </button>
                  </>
                );
              })()}
            </li>
          ))}
        </ul>
      </section>
      {catalogs.data && catalogs.data.items.length > 1 ? (
        <Field label={t('catalogs.title')}>
          {(id) => (
            <select id={id} value={key ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {catalogs.data.items.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {version.data ? (
        <section aria-labelledby="matrix-title">
          <h2 id="matrix-title">{version.data.name}</h2>
          <p>{t('catalogs.version', { version: version.data.version, date: formatDay(version.data.publishedOn) })}</p>
          {isAdmin ? (
            <form className="inline-form" onSubmit={submit}>
              <Field label={t('catalogs.startsOn')}>
                {(id) => <input id={id} type="date" required value={startsOn} onChange={(e) => setStartsOn(e.target.value)} />}
              </Field>
              <button type="submit" disabled={subscribe.isPending}>
                {t('catalogs.subscribe')}
              </button>
            </form>
          ) : null}
          <ErrorMessage error={subscribe.error} />
          {created !== null ? (
            <p role="status" className="ok">
              {t('catalogs.subscribed', { count: created })}
            </p>
          ) : null}
          <p className="hint">{t('catalogs.legend')}</p>
          <div className="table-wrap" tabIndex={0}>
            <table className="grid matrix">
              <thead>
                <tr>
                  <th scope="col">{t('catalogs.col.activity')}</th>
                  {parties.map((p) => (
                    <th scope="col" key={p}>
                      {p}
                    </th>
                  ))}
                </tr>
              </thead>
              {version.data.sections.map((section) => (
                <tbody key={section.key}>
                  <tr className="section-row">
                    <th scope="rowgroup" colSpan={parties.length + 1}>
                      {section.key} {section.title} — {t(`phase.${section.phase}`)}
                    </th>
                  </tr>
                  {section.activities.map((a) => {
                    const duty = /[RA]/.test(a.raci.customer);
                    return (
                      <tr key={a.key} className={duty ? 'duty' : undefined}>
                        <th scope="row">
                          {a.key} {a.title}
                          {duty ? <span className="badge"> {t('catalogs.customerDuty')}</span> : null}
                          {a.certain ? null : (
                            <span className="badge uncertain" title={a.raw}>
                              {' '}
                              {t('catalogs.uncertain')} ({a.raw})
                            </span>
                          )}
                        </th>
                        {parties.map((p) => (
                          <td key={p} className="letters">
                            {(a.raci as Record<string, string | undefined>)[p] ?? ''}
                          </td>
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              ))}
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
