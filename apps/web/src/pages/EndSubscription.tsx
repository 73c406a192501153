import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useI18n } from '../i18n/i18n';

type Subscription = Schemas['SubscriptionDto'];

/** An admin ends a subscription after a confirmation: its open duties are withdrawn (kept, with their evidence). */
export function EndSubscription({ tenantId, subscription }: { tenantId: string; subscription: Subscription }): ReactNode {
  const { t, formatInstant } = useI18n();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [withdrawn, setWithdrawn] = useState<number | null>(null);
  const end = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/tenants/{tenantId}/subscriptions/{id}/end', { params: { path: { tenantId, id: subscription.id } } })),
    onSuccess: async (r) => {
      setOpen(false);
      setWithdrawn(r.tasksWithdrawn);
      await Promise.all([
        client.invalidateQueries({ queryKey: ['subscriptions', tenantId] }),
        client.invalidateQueries({ queryKey: ['tasks', tenantId] }),
      ]);
    },
  });
  if (subscription.endedAt)
    return (
      <>
        {' '}
        <span className="badge">{t('subscriptions.endedOn', { when: formatInstant(subscription.endedAt) })}</span>
        {withdrawn !== null ? (
          <span role="status" className="ok">
            {' '}
            {t('subscriptions.withdrawn', { count: withdrawn })}
          </span>
        ) : null}
      </>
    );
  return (
    <>
      {' '}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          end.reset();
          setOpen(true);
        }}
      >
        {t('subscriptions.end', { name: subscription.catalogKey })}
      </button>
      <ConfirmDialog
        open={open}
        title={t('subscriptions.endTitle', { name: subscription.catalogKey })}
        body={<p>{t('subscriptions.endBody')}</p>}
        confirmLabel={t('subscriptions.endConfirm')}
        danger
        pending={end.isPending}
        error={end.error}
        onConfirm={() => end.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
