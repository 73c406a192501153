import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ErrorMessage } from './ErrorMessage';

interface Props {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly toVersion: string;
  /** Opened from the "newer version published" mail's link: focus the panel. */
  readonly focus: boolean;
  /** Called once applied (the page says so: this panel goes once the subscription is on the version). */
  readonly onApplied: (version: string) => void;
}

/**
 * Preview and apply an upgrade of a subscription to a newer catalog version (GET and POST
 * .../subscriptions/:id/upgrade, admins only): what would be added, withdrawn and changed, then one button.
 */
export function UpgradePanel({ tenantId, subscriptionId, toVersion, focus, onApplied }: Props): ReactNode {
  const { t } = useI18n();
  const client = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const params = { params: { path: { tenantId, id: subscriptionId }, query: { toVersion } } };
  const preview = useQuery({
    queryKey: ['upgrade', tenantId, subscriptionId, toVersion],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/subscriptions/{id}/upgrade', params)),
  });
  const apply = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tenants/{tenantId}/subscriptions/{id}/upgrade', params)),
    onSuccess: async (r) => {
      onApplied(r.toVersion);
      await client.invalidateQueries({ queryKey: ['subscriptions', tenantId] });
      await client.invalidateQueries({ queryKey: ['tasks', tenantId] });
    },
  });
  useEffect(() => {
    if (focus && preview.data) heading.current?.focus();
  }, [focus, preview.data]);
  const p = preview.data;
  const headingId = `upgrade-${subscriptionId}`;
  return (
    <section aria-labelledby={headingId} className="upgrade">
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {t('catalogs.upgrade.title', { from: p?.fromVersion ?? '', to: toVersion })}
      </h3>
      <ErrorMessage error={preview.error} />
      {p ? (
        <>
          <p>{t('catalogs.upgrade.summary', { added: p.added.length, withdrawn: p.withdrawn.length, changed: p.changed.length })}</p>
          <DutyList heading={t('catalogs.upgrade.added')} duties={p.added} />
          <DutyList
            heading={t('catalogs.upgrade.withdrawn')}
            duties={p.withdrawn}
            note={(d) => t(d.reason === 'provider' ? 'catalogs.upgrade.reason.provider' : 'catalogs.upgrade.reason.removed')}
          />
          <DutyList heading={t('catalogs.upgrade.changed')} duties={p.changed} />
          <button type="button" onClick={() => apply.mutate()} disabled={apply.isPending}>
            {t('catalogs.upgrade.apply', { version: toVersion })}
          </button>
          <ErrorMessage error={apply.error} />
        </>
      ) : null}
    </section>
  );
}

interface Duty {
  readonly activityKey: string;
  readonly title: string;
}

/** One part of the preview (added, withdrawn, changed): nothing when it is empty. */
function DutyList<D extends Duty>({
  heading,
  duties,
  note,
}: {
  heading: string;
  duties: readonly D[];
  note?: (d: D) => string;
}): ReactNode {
  if (duties.length === 0) return null;
  return (
    <>
      <h4>{heading}</h4>
      <ul>
        {duties.map((d) => (
          <li key={d.activityKey}>
            {d.activityKey} {d.title}
            {note ? ` — ${note(d)}` : null}
          </li>
        ))}
      </ul>
    </>
  );
}
