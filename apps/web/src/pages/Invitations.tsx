import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';

type Invitation = Schemas['OpenInvitationDto'];

export function useInvitations(tenantId: string) {
  return useQuery({
    queryKey: ['invitations', tenantId],
    queryFn: async (): Promise<Invitation[]> => {
      const items: Invitation[] = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap(
          api.GET('/api/v1/tenants/{tenantId}/invitations', {
            params: { path: { tenantId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return items;
    },
  });
}

/** Pending and expired invitations (admins): send a new link, or revoke one after a confirmation. */
export function PendingInvitations({ tenantId }: { tenantId: string }): ReactNode {
  const { t, formatInstant } = useI18n();
  const invitations = useInvitations(tenantId);
  const client = useQueryClient();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [resent, setResent] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['invitations', tenantId] });

  const resend = useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(api.POST('/api/v1/tenants/{tenantId}/invitations/{invitationId}/resend', { params: { path: { tenantId, invitationId } } })),
    onSuccess: (r) => setResent(r.email),
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(api.DELETE('/api/v1/tenants/{tenantId}/invitations/{invitationId}', { params: { path: { tenantId, invitationId } } })),
    onSuccess: () => setRevoking(null),
    onSettled: refresh,
  });

  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">{t('invitations.title')}</h2>
      <ErrorMessage error={invitations.error ?? resend.error} />
      {resent ? (
        <p role="status" className="ok">
          {t('invitations.resent', { email: resent })}
        </p>
      ) : null}
      {invitations.data?.length === 0 ? <p className="empty">{t('invitations.none')}</p> : null}
      {invitations.data && invitations.data.length > 0 ? (
        <div className="table-wrap" tabIndex={0}>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">{t('members.col.email')}</th>
                <th scope="col">{t('members.col.role')}</th>
                <th scope="col">{t('invitations.col.state')}</th>
                <th scope="col">{t('invitations.col.expires')}</th>
                <th scope="col">{t('invitations.col.invitedBy')}</th>
                <th scope="col">{t('invitations.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{t(`role.${i.role}`)}</td>
                  <td>
                    <span className={i.state === 'expired' ? 'badge overdue' : 'badge'}>{t(`invitations.state.${i.state}`)}</span>
                  </td>
                  <td>{formatInstant(i.expiresAt)}</td>
                  <td>{i.invitedBy.name ?? t('common.none')}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary"
                      disabled={resend.isPending}
                      onClick={() => {
                        setResent(null);
                        resend.mutate(i.id);
                      }}
                    >
                      {t('invitations.resend', { email: i.email })}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(i);
                      }}
                    >
                      {t('invitations.revoke', { email: i.email })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title={t('invitations.revokeTitle')}
        body={<p>{t('invitations.revokeBody', { email: revoking?.email ?? '' })}</p>}
        confirmLabel={t('invitations.revokeConfirm')}
        danger
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => {
          if (revoking) revoke.mutate(revoking.id);
        }}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
