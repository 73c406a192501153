import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';
import { useNavigate } from 'react-router';
import { forgetTenant, useRole, useTenant, useTenantId } from '../tenant';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';

type Preferences = Schemas['NotificationPreferencesDto'];
const SWITCHES: { key: 'dueSoon' | 'overdue' | 'digest' | 'escalation' | 'reviewRejected'; label: MessageKey }[] = [
  { key: 'dueSoon', label: 'settings.pref.dueSoon' },
  { key: 'overdue', label: 'settings.pref.overdue' },
  { key: 'digest', label: 'settings.pref.digest' },
  { key: 'escalation', label: 'settings.pref.escalation' },
  { key: 'reviewRejected', label: 'settings.pref.reviewRejected' },
];

/** Names offered for the tenant's time zone: the browser's IANA list, with UTC and the current value (the API checks the name). */
function timeZoneNames(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...known])];
}

type ReminderDraft = { days: string; escalation: string; timeZone: string };
type ReminderChange = Schemas['ReminderSettingsDto'];

function ReminderSettings({ tenantId, editable }: { tenantId: string; editable: boolean }): ReactNode {
  const { t } = useI18n();
  const settings = useQuery({
    queryKey: ['reminder-settings', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/reminder-settings', { params: { path: { tenantId } } })),
  });
  const [draft, setDraft] = useState<ReminderDraft | null>(null);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: ReminderChange) =>
      unwrap(api.PATCH('/api/v1/tenants/{tenantId}/reminder-settings', { params: { path: { tenantId } }, body })),
    onSuccess: async (_saved, body) => {
      setDraft(null);
      await client.invalidateQueries({ queryKey: ['reminder-settings', tenantId] });
      // The subscriptions (and so "today" on the dashboard) follow the tenant's zone.
      if (body.timeZone !== undefined)
        await Promise.all([
          client.invalidateQueries({ queryKey: ['summary', tenantId] }),
          client.invalidateQueries({ queryKey: ['subscriptions', tenantId] }),
        ]);
    },
  });
  if (!settings.data) return <ErrorMessage error={settings.error} />;
  const saved = settings.data;
  const value = draft ?? { days: saved.reminderDays.join(', '), escalation: String(saved.escalationDays), timeZone: saved.timeZone };
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    const reminderDays = value.days
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    // The zone only when it changes: giving it realigns every subscription of the tenant.
    const timeZone = value.timeZone.trim();
    save.mutate({ reminderDays, escalationDays: Number(value.escalation), ...(timeZone !== saved.timeZone ? { timeZone } : {}) });
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
        <Field label={t('settings.tenantTimeZone')}>
          {(id) => (
            <>
              <input
                id={id}
                list={`${id}-zones`}
                required
                maxLength={64}
                autoComplete="off"
                spellCheck={false}
                aria-describedby="tenant-time-zone-hint"
                value={value.timeZone}
                onChange={(e) => setDraft({ ...value, timeZone: e.target.value })}
              />
              <datalist id={`${id}-zones`}>
                {timeZoneNames(saved.timeZone).map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <p id="tenant-time-zone-hint" className="hint">
          {t('settings.tenantTimeZoneHint')}
        </p>
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

/** Admins rename the organisation, or delete it after typing its name (then go to another one). */
function OrganisationSettings({ tenantId }: { tenantId: string }): ReactNode {
  const { t } = useI18n();
  const tenant = useTenant();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const rename = useMutation({
    mutationFn: (newName: string) =>
      unwrap(api.PATCH('/api/v1/tenants/{tenantId}', { params: { path: { tenantId } }, body: { name: newName } })),
    onSuccess: async () => {
      setName(null);
      await Promise.all([client.invalidateQueries({ queryKey: ['tenant', tenantId] }), client.invalidateQueries({ queryKey: ['me'] })]);
    },
  });
  const remove = useMutation({
    mutationFn: (confirmName: string) =>
      unwrap(api.DELETE('/api/v1/tenants/{tenantId}', { params: { path: { tenantId } }, body: { confirmName } })),
    onSuccess: async () => {
      setDeleting(false);
      forgetTenant(tenantId);
      client.removeQueries({ queryKey: ['tenant', tenantId] });
      await client.invalidateQueries({ queryKey: ['me'] });
      void navigate('/', { replace: true });
    },
  });
  if (!tenant.data) return null;
  const current = tenant.data.name;
  const value = name ?? current;
  return (
    <div className="stack narrow">
      <form
        className="stack"
        aria-labelledby="org-title"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate(value);
        }}
      >
        <h2 id="org-title">{t('settings.organisation')}</h2>
        <Field label={t('settings.orgName')}>
          {(id) => <input id={id} required maxLength={200} value={value} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <ErrorMessage error={rename.error} />
        {rename.isSuccess ? (
          <p role="status" className="ok">
            {t('common.saved')}
          </p>
        ) : null}
        <button type="submit" disabled={rename.isPending || value.trim() === current}>
          {t('settings.rename')}
        </button>
      </form>
      <section className="danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">{t('settings.deleteTitle')}</h2>
        <p>{t('settings.deleteExplain')}</p>
        <button
          type="button"
          className="danger"
          onClick={() => {
            remove.reset();
            setDeleting(true);
          }}
        >
          {t('settings.delete')}
        </button>
      </section>
      <ConfirmDialog
        open={deleting}
        title={t('settings.deleteConfirmTitle', { name: current })}
        body={<p>{t('settings.deleteConfirmBody')}</p>}
        typed={current}
        typedLabel={t('settings.deleteTypeName', { name: current })}
        confirmLabel={t('settings.deleteConfirm')}
        danger
        pending={remove.isPending}
        error={remove.error}
        onConfirm={(typed) => remove.mutate(typed)}
        onClose={() => setDeleting(false)}
      />
    </div>
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
      {role === 'admin' ? <OrganisationSettings tenantId={tenantId} /> : null}
    </>
  );
}
