import { fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider } from '../i18n/i18n';
import { filtersFromParams, paramsFromFilters, TaskFilters, type Filters } from './TaskFilters';

const members = [
  { userId: 'u-1', name: 'Ada', email: 'ada@example.test', role: 'member' as const, expiresAt: null, joinedAt: '2026-01-01T00:00:00Z' },
  { userId: 'u-2', name: 'Bob', email: 'bob@example.test', role: 'auditor' as const, expiresAt: null, joinedAt: '2026-01-01T00:00:00Z' },
];

function renderFilters(value: Filters, onChange: (f: Filters) => void, locale: 'en' | 'fr' = 'en') {
  return render(
    <I18nProvider locale={locale}>
      <TaskFilters value={value} members={members} sections={['1.1', '2.3']} onChange={onChange} />
    </I18nProvider>,
  );
}

describe('TaskFilters', () => {
  it('round-trips every filter through the URL query string and drops empty ones', () => {
    const filters: Filters = {
      q: 'backup',
      status: 'todo',
      phase: 'operations',
      section: '2.3',
      assigneeId: 'u-1',
      overdue: 'true',
      dueBefore: '2026-06-30',
    };
    const params = paramsFromFilters({ ...filters, section: '  ' });
    expect(params.get('section')).toBeNull();
    const { section: _blank, ...expected } = filters;
    expect(filtersFromParams(params)).toEqual(expected);
    expect(filtersFromParams(new URLSearchParams('status=done&cursor=abc&unknown=1'))).toEqual({ status: 'done' });
  });

  it('shows the current filters and applies the edited ones on submit only', () => {
    const onChange = jest.fn<undefined, [Filters]>();
    renderFilters({ status: 'rejected', q: 'mail' }, onChange);
    expect(screen.getByLabelText<HTMLSelectElement>('Status').value).toBe('rejected');
    expect(screen.getByLabelText<HTMLInputElement>('Search').value).toBe('mail');

    fireEvent.change(screen.getByLabelText('Assignee'), { target: { value: 'u-2' } });
    fireEvent.click(screen.getByLabelText('Overdue only'));
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(onChange).toHaveBeenCalledWith({ status: 'rejected', q: 'mail', assigneeId: 'u-2', overdue: 'true' });
  });

  it('clears every filter at once', () => {
    const onChange = jest.fn<undefined, [Filters]>();
    renderFilters({ status: 'todo', overdue: 'true' }, onChange);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(onChange).toHaveBeenCalledWith({});
    expect(screen.getByLabelText<HTMLSelectElement>('Status').value).toBe('');
  });

  it('speaks French from the French catalogue', () => {
    renderFilters({}, jest.fn(), 'fr');
    expect(screen.getByRole('button', { name: 'Appliquer' })).toBeTruthy();
    expect(screen.getByRole('option', { name: 'En attente de revue' })).toBeTruthy();
  });
});
