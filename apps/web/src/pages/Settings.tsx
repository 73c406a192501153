import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { useRole, useTenantId } from '../tenant';
import { Field } from '../components/Field';

type Preferences = Schemas['NotificationPreferencesDto'];
const SWITCHES: { key: 'dueSoon' | 'overdue' | 'digest' | 'escalation' | 'reviewRejected'; label: MessageKey }[] = [
  { key: 'dueSoon', label: 'settings.pref.dueSoon' },
  { key: 'overdue', label: 'settings.pref.overdue' },
  { key: 'digest', label: 'settings.pref.digest' },
  { key: 'escalation', label: 'settings.pref.escalation' },
  { key: 'reviewRejected', label: 'settings.pref.reviewRejected' },
];

function ReminderSettings({ tenantId, editable }: { tenantId: string; editable: boolean }): ReactNode {
  const { t } = useI18n();
  const settings = useQuery({
    queryKey: ['reminder-settings', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/reminder-settings', { params: { path: { tenantId } } })),
  });
  const [draft, setDraft] = useState<{ days: string; escalation: string } | null>(null);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: { reminderDays: number[]; escalationDays: number }) =>
      unwrap(api.PATCH('/api/v1/tenants/{tenantId}/reminder-settings', { params: { path: { tenantId } }, body })),
    onSuccess: async () => {
      setDraft(null);
      await client.invalidateQueries({ queryKey: ['reminder-settings', tenantId] });
    },
  });
  if (!settings.data) return <ErrorMessage error={settings.error} />;
  const value = draft ?? { days: settings.data.reminderDays.join(', '), escalation: String(settings.data.escalationDays) };
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    const reminderDays = value.days
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    save.mutate({ reminderDays, escalationDays: Number(value.escalation) });
  };
  return (
    <form className="stack narrow" onSubmit={submit} aria-labelledby="reminders-title">
      <h2 id="reminders-title">{t('settings.reminders')}</h2>
      <fieldset disabled={!editable}>
        <Field label={t('settings.reminderDays')}>
          {(id) => <input id={id} value={value.days} onChange={(e) => setDraft({ ...value, days: e.target.value })} />}
        </Field>
        <Field label={t('settings.escalationDays')}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={1}
              max={365}
              value={value.escalation}
              onChange={(e) => setDraft({ ...value, escalation: e.target.value })}
            />
          )}
        </Field>
      </fieldset>
      <ErrorMessage error={save.error} />
      {save.isSuccess ? (
        <p role="status" className="ok">
          {t('common.saved')}
        </p>
      ) : null}
      {editable ? <button type="submit">{t('common.save')}</button> : null}
    </form>
  );
}

function PersonalPreferences(): ReactNode {
  const { t } = useI18n();
  const prefs = useQuery({ queryKey: ['preferences'], queryFn: () => unwrap(api.GET('/api/v1/me/notification-preferences')) });
  const [draft, setDraft] = useState<Preferences | null>(null);
  const save = useMutation({
    mutationFn: (p: Preferences) =>
      unwrap(
        api.PUT('/api/v1/me/notification-preferences', {
          body: {
            dueSoon: p.dueSoon,
            overdue: p.overdue,
            digest: p.digest,
            escalation: p.escalation,
            reviewRejected: p.reviewRejected,
            timezone: p.timezone ?? null,
          },
        }),
      ),
    onSuccess: (saved) => setDraft(saved),
  });
  if (!prefs.data) return <ErrorMessage error={prefs.error} />;
  const value = draft ?? prefs.data;
  return (
    <form
      className="stack narrow"
      aria-labelledby="personal-title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(value);
      }}
    >
      <h2 id="personal-title">{t('settings.personal')}</h2>
      {SWITCHES.map((s) => (
        <label key={s.key} className="inline">
          <input type="checkbox" checked={value[s.key]} onChange={(e) => setDraft({ ...value, [s.key]: e.target.checked })} />
          {t(s.label)}
        </label>
      ))}
      <Field label={t('settings.timezone')}>
        {(id) => (
          <input
            id={id}
            value={value.timezone ?? ''}
            placeholder="Europe/Paris"
            onChange={(e) => setDraft({ ...value, timezone: e.target.value || null })}
          />
        )}
      </Field>
      <ErrorMessage error={save.error} />
      {save.isSuccess ? (
        <p role="status" className="ok">
          {t('common.saved')}
        </p>
      ) : null}
      <button type="submit">{t('common.save')}</button>
    </form>
  );
}

export function Settings(): ReactNode {
  const tenantId = useTenantId();
  const { t } = useI18n();
  const role = useRole();
  return (
    <>
      <h1>{t('settings.title')}</h1>
      <div className="columns">
        <ReminderSettings tenantId={tenantId} editable={role === 'admin'} />
        <PersonalPreferences />
      </div>
    </>
  );
}
