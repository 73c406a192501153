import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiError } from '../api/client';
import { I18nProvider } from '../i18n/i18n';
import { ReviewForm, type Decision } from './ReviewForm';

function renderForm(onSubmit: (d: Decision, c: string) => Promise<void>) {
  return render(
    <I18nProvider locale="en">
      <ReviewForm onSubmit={onSubmit} />
    </I18nProvider>,
  );
}

describe('ReviewForm', () => {
  it('refuses a rejection without a comment, focusing the comment, without calling the API', () => {
    const onSubmit = jest.fn(() => Promise.resolve());
    renderForm(onSubmit);
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(screen.getByRole('alert').textContent).toBe('A rejection needs a comment that says what to fix.');
    expect(document.activeElement).toBe(screen.getByLabelText('Comment'));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('rejects with the trimmed comment, then confirms and empties the form', async () => {
    const onSubmit = jest.fn(() => Promise.resolve());
    renderForm(onSubmit);
    fireEvent.change(screen.getByLabelText('Comment'), { target: { value: '  The export is for April, not May.  ' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
      await Promise.resolve();
    });
    expect(onSubmit).toHaveBeenCalledWith('reject', 'The export is for April, not May.');
    expect(screen.getByRole('status').textContent).toBe('Rejected: the assignee has been told.');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Comment').value).toBe('');
  });

  it('keeps the comment and shows the API message when the API refuses', async () => {
    const onSubmit = jest.fn(() => Promise.reject(new ApiError(409, 'TASK_NOT_REVIEWABLE', 'Only a done task can be reviewed.', 'req-1')));
    renderForm(onSubmit);
    fireEvent.change(screen.getByLabelText('Comment'), { target: { value: 'Wrong month' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
      await Promise.resolve();
    });
    expect(screen.getByRole('alert').textContent).toContain('Only a done task can be reviewed.');
    expect(screen.getByRole('alert').textContent).toContain('req-1');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Comment').value).toBe('Wrong month');
  });

  it('approves with the A key, but not while typing in the comment', async () => {
    const onSubmit = jest.fn(() => Promise.resolve());
    renderForm(onSubmit);
    fireEvent.keyDown(screen.getByLabelText('Comment'), { key: 'a' });
    expect(onSubmit).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.keyDown(document.body, { key: 'a' });
      await Promise.resolve();
    });
    expect(onSubmit).toHaveBeenCalledWith('approve', '');
  });

  it('moves to the comment with the R key', () => {
    renderForm(jest.fn(() => Promise.resolve()));
    fireEvent.keyDown(document.body, { key: 'r' });
    expect(document.activeElement).toBe(screen.getByLabelText('Comment'));
  });
});
