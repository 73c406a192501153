import { act, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { I18nProvider } from '../i18n/i18n';
import { ReviewQueueView, type QueueItem } from './ReviewQueueView';

const item = (n: number, tenant: string): QueueItem => ({
  tenantId: `00000000-0000-4000-8000-00000000000${tenant === 'Acme' ? 1 : 2}`,
  tenantName: tenant,
  taskId: `00000000-0000-4000-8000-0000000001${n.toString().padStart(2, '0')}`,
  activityKey: `PX-0${n}`,
  title: `Duty ${n}`,
  section: 'governance',
  phase: 'operations',
  dueDate: '2026-12-31',
  completedAt: '2026-11-29T10:00:00.000Z',
  completedBy: null,
  evidenceCount: n,
});
const ITEMS = [item(1, 'Acme'), item(2, 'Globex'), item(3, 'Acme')];

function renderQueue(onReview = jest.fn(() => Promise.resolve()), items = ITEMS) {
  render(
    <MemoryRouter>
      <I18nProvider locale="en">
        <ReviewQueueView items={items} onReview={onReview} hasMore={false} onMore={() => undefined} />
      </I18nProvider>
    </MemoryRouter>,
  );
  return onReview;
}

const selectedRow = (): string | null | undefined => document.querySelector('tr[aria-current="true"]')?.getAttribute('data-task-id');
const key = (k: string, target: Element = document.body): void => {
  fireEvent.keyDown(target, { key: k });
};

describe('ReviewQueueView', () => {
  it('lists each waiting task with its organisation, the first one selected', () => {
    renderQueue();
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.getAllByText('Globex')).toHaveLength(1);
    expect(selectedRow()).toBe(ITEMS[0]!.taskId);
    expect(screen.getByRole('status').textContent).toBe('Selected: PX-01 Duty 1 (Acme)');
  });

  it('moves the selection with J and K, within the list', () => {
    renderQueue();
    key('j');
    expect(selectedRow()).toBe(ITEMS[1]!.taskId);
    key('j');
    key('j');
    expect(selectedRow()).toBe(ITEMS[2]!.taskId);
    key('k');
    expect(selectedRow()).toBe(ITEMS[1]!.taskId);
    key('k');
    key('k');
    expect(selectedRow()).toBe(ITEMS[0]!.taskId);
  });

  it('approves the selected task with A', async () => {
    const onReview = renderQueue();
    key('j');
    await act(async () => {
      key('a');
      await Promise.resolve();
    });
    expect(onReview).toHaveBeenCalledWith(ITEMS[1], 'approve', '');
  });

  it('rejects the selected task with R, the comment, then Reject', async () => {
    const onReview = renderQueue();
    key('r');
    const comment = screen.getByLabelText('Comment');
    expect(document.activeElement).toBe(comment);
    fireEvent.change(comment, { target: { value: 'Wrong month' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
      await Promise.resolve();
    });
    expect(onReview).toHaveBeenCalledWith(ITEMS[0], 'reject', 'Wrong month');
  });

  it('fires no shortcut while typing in a field', () => {
    const onReview = renderQueue();
    const comment = screen.getByLabelText('Comment');
    for (const k of ['j', 'k', 'a', '?']) key(k, comment);
    expect(selectedRow()).toBe(ITEMS[0]!.taskId);
    expect(onReview).not.toHaveBeenCalled();
    expect(document.getElementById('queue-help')?.hidden).toBe(true);
  });

  it('shows and hides the shortcuts with ?, documented on the page', () => {
    renderQueue();
    const help = document.getElementById('queue-help')!;
    expect(help.hidden).toBe(true);
    key('?');
    expect(help.hidden).toBe(false);
    expect(help.textContent).toContain('J: next task');
    expect(help.textContent).toContain('Shortcuts do nothing while you type in a field.');
    expect(screen.getByRole('button', { name: 'Shortcuts (?)' }).getAttribute('aria-expanded')).toBe('true');
    key('?');
    expect(help.hidden).toBe(true);
  });

  it('says so when nothing is waiting', () => {
    renderQueue(
      jest.fn(() => Promise.resolve()),
      [],
    );
    expect(screen.getByText('Nothing is waiting for your review.')).toBeTruthy();
  });
});
