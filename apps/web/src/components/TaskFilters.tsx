import { useState, type SyntheticEvent, type ReactNode } from 'react';
import type { Member } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { Field } from './Field';

export const STATUSES = ['todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable'] as const;
export const PHASES = ['before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service'] as const;
export const FILTER_KEYS = ['q', 'status', 'phase', 'section', 'assigneeId', 'overdue', 'dueBefore'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** The filters kept in the URL's query string, so a filtered list can be shared as a link. */
export function filtersFromParams(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

export function paramsFromFilters(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  return params;
}

interface Props {
  value: Filters;
  members: Member[];
  sections: string[];
  onChange: (filters: Filters) => void;
}

/** The duty list's filters; applied on submit (Enter in any field), so typing does not reload the list. */
export function TaskFilters({ value, members, sections, onChange }: Props): ReactNode {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Filters>(value);
  const set = (key: FilterKey, v: string): void => setDraft((d) => ({ ...d, [key]: v }));
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    onChange(draft);
  };
  return (
    <form className="filters" role="search" aria-label={t('duties.filters')} onSubmit={submit}>
      <Field label={t('duties.search')}>
        {(id) => <input id={id} type="search" value={draft.q ?? ''} onChange={(e) => set('q', e.target.value)} />}
      </Field>
      <Field label={t('duties.status')}>
        {(id) => (
          <select id={id} value={draft.status ?? ''} onChange={(e) => set('status', e.target.value)}>
            <option value="">{t('status.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('duties.phase')}>
        {(id) => (
          <select id={id} value={draft.phase ?? ''} onChange={(e) => set('phase', e.target.value)}>
            <option value="">{t('phase.any')}</option>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                {t(`phase.${p}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('duties.section')}>
        {(id) => (
          <select id={id} value={draft.section ?? ''} onChange={(e) => set('section', e.target.value)}>
            <option value="">{t('common.none')}</option>
            {sections.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('duties.assignee')}>
        {(id) => (
          <select id={id} value={draft.assigneeId ?? ''} onChange={(e) => set('assigneeId', e.target.value)}>
            <option value="">{t('duties.anyone')}</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('duties.dueBefore')}>
        {(id) => <input id={id} type="date" value={draft.dueBefore ?? ''} onChange={(e) => set('dueBefore', e.target.value)} />}
      </Field>
      <label className="inline">
        <input type="checkbox" checked={draft.overdue === 'true'} onChange={(e) => set('overdue', e.target.checked ? 'true' : '')} />
        {t('duties.overdueOnly')}
      </label>
      <div className="actions">
        <button type="submit">{t('duties.apply')}</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft({});
            onChange({});
          }}
        >
          {t('duties.clear')}
        </button>
      </div>
    </form>
  );
}
