import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { api, unwrap, type Member, type Role } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import { useRole, useTenantId } from '../tenant';
import { Field } from '../components/Field';
import { PendingInvitations } from './Invitations';

const ROLES: Role[] = ['admin', 'member', 'auditor', 'viewer'];

export function useMembers(tenantId: string) {
  return useQuery({
    queryKey: ['members', tenantId],
    queryFn: async (): Promise<Member[]> => {
      const items: Member[] = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap(
          api.GET('/api/v1/tenants/{tenantId}/members', {
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

/** The day part of an instant, as the date input wants it (UTC: expiries are set as the end of that UTC day). */
const dayOf = (iso: string | null): string => (iso ? iso.slice(0, 10) : '');

/** An admin changes when a membership ends (a future day), or removes the end. */
function ExpiryEditor({ tenantId, member }: { tenantId: string; member: Member }): ReactNode {
  const { t } = useI18n();
  const client = useQueryClient();
  const [day, setDay] = useState(dayOf(member.expiresAt));
  const save = useMutation({
    mutationFn: (expiresAt: string | null) =>
      unwrap(
        api.PATCH('/api/v1/tenants/{tenantId}/members/{userId}', {
          params: { path: { tenantId, userId: member.userId } },
          body: { expiresAt },
        }),
      ),
    onSuccess: (m) => setDay(dayOf(m.expiresAt)),
    onSettled: () => client.invalidateQueries({ queryKey: ['members', tenantId] }),
  });
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    save.mutate(day ? new Date(`${day}T23:59:59Z`).toISOString() : null);
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        type="date"
        aria-label={t('members.expiryFor', { name: member.name })}
        value={day}
        min={new Date().toISOString().slice(0, 10)}
        onChange={(e) => setDay(e.target.value)}
      />
      <button type="submit" className="secondary" disabled={save.isPending || day === dayOf(member.expiresAt)}>
        {t('members.expirySave')}
      </button>
      {member.expiresAt ? (
        <button type="button" className="link" disabled={save.isPending} onClick={() => save.mutate(null)}>
          {t('members.expiryClear')}
        </button>
      ) : null}
      <ErrorMessage error={save.error} />
    </form>
  );
}

export function Members(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatInstant } = useI18n();
  const members = useMembers(tenantId);
  const isAdmin = useRole() === 'admin';
  const client = useQueryClient();
  const [invite, setInvite] = useState<{ email: string; role: Role; expiresAt: string }>({ email: '', role: 'member', expiresAt: '' });
  const [sent, setSent] = useState<string | null>(null);

  const refresh = () => client.invalidateQueries({ queryKey: ['members', tenantId] });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(api.PATCH('/api/v1/tenants/{tenantId}/members/{userId}', { params: { path: { tenantId, userId } }, body: { role } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/tenants/{tenantId}/members/{userId}', { params: { path: { tenantId, userId } } })),
    onSettled: refresh,
  });
  const sendInvite = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tenants/{tenantId}/invitations', {
          params: { path: { tenantId } },
          body: {
            email: invite.email,
            role: invite.role,
            ...(invite.expiresAt ? { expiresAt: new Date(`${invite.expiresAt}T23:59:59Z`).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: async (r) => {
      setSent(r.email);
      setInvite({ email: '', role: invite.role, expiresAt: '' });
      await client.invalidateQueries({ queryKey: ['invitations', tenantId] });
    },
  });

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setSent(null);
    sendInvite.mutate();
  };

  return (
    <>
      <h1>{t('members.title')}</h1>
      <ErrorMessage error={members.error ?? changeRole.error ?? remove.error} />
      {members.isPending ? <p className="loading">{t('common.loading')}</p> : null}
      {members.data ? (
        <div className="table-wrap" tabIndex={0}>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">{t('members.col.name')}</th>
                <th scope="col">{t('members.col.email')}</th>
                <th scope="col">{t('members.col.role')}</th>
                <th scope="col">{t('members.col.expires')}</th>
                {isAdmin ? <th scope="col" aria-label={t('members.remove', { name: '' })} /> : null}
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>
                    {isAdmin ? (
                      <select
                        aria-label={`${t('members.col.role')} ${m.name}`}
                        value={m.role}
                        onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {t(`role.${r}`)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      t(`role.${m.role}`)
                    )}
                  </td>
                  <td>
                    {isAdmin ? (
                      <ExpiryEditor key={`${m.userId}-${m.expiresAt ?? ''}`} tenantId={tenantId} member={m} />
                    ) : m.expiresAt ? (
                      formatInstant(m.expiresAt)
                    ) : (
                      t('members.never')
                    )}
                  </td>
                  {isAdmin ? (
                    <td>
                      <button type="button" className="secondary" onClick={() => remove.mutate(m.userId)}>
                        {t('members.remove', { name: m.name })}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {isAdmin ? (
        <form className="stack narrow" onSubmit={submit} aria-labelledby="invite-title">
          <h2 id="invite-title">{t('members.invite')}</h2>
          <Field label={t('auth.email')}>
            {(id) => (
              <input id={id} type="email" required value={invite.email} onChange={(e) => setInvite({ ...invite, email: e.target.value })} />
            )}
          </Field>
          <Field label={t('members.col.role')}>
            {(id) => (
              <select id={id} value={invite.role} onChange={(e) => setInvite({ ...invite, role: e.target.value as Role })}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('members.expiresAt')}>
            {(id) => (
              <input id={id} type="date" value={invite.expiresAt} onChange={(e) => setInvite({ ...invite, expiresAt: e.target.value })} />
            )}
          </Field>
          <ErrorMessage error={sendInvite.error} />
          {sent ? (
            <p role="status" className="ok">
              {t('members.invited', { email: sent })}
            </p>
          ) : null}
          <button type="submit" disabled={sendInvite.isPending}>
            {t('members.inviteSend')}
          </button>
        </form>
      ) : null}
      {isAdmin ? <PendingInvitations tenantId={tenantId} /> : null}
    </>
  );
}
