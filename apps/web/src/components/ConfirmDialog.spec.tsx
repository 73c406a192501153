import { fireEvent, render, screen } from '@testing-library/react';
import { ApiError } from '../api/client';
import { I18nProvider } from '../i18n/i18n';
import { ConfirmDialog } from './ConfirmDialog';

function renderDialog(props: Partial<Parameters<typeof ConfirmDialog>[0]> = {}) {
  const onConfirm = jest.fn();
  const onClose = jest.fn();
  render(
    <I18nProvider locale="en">
      <ConfirmDialog
        open
        title="Delete Acme?"
        body={<p>This cannot be undone.</p>}
        confirmLabel="Delete for good"
        typed="Acme"
        typedLabel="Type Acme to confirm"
        danger
        onConfirm={onConfirm}
        onClose={onClose}
        {...props}
      />
    </I18nProvider>,
  );
  return { onConfirm, onClose };
}

describe('ConfirmDialog', () => {
  it('keeps the confirm button disabled until the exact text is typed, then confirms with it', () => {
    const { onConfirm } = renderDialog();
    const confirm = screen.getByRole<HTMLButtonElement>('button', { name: 'Delete for good', hidden: true });
    const input = screen.getByLabelText('Type Acme to confirm');
    expect(confirm.disabled).toBe(true);
    fireEvent.change(input, { target: { value: 'acme' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.submit(input.closest('form')!);
    expect(onConfirm).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'Acme' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    expect(onConfirm).toHaveBeenCalledWith('Acme');
  });

  it('closes on Escape (the dialog’s cancel event) and on Cancel, without confirming', () => {
    const { onConfirm, onClose } = renderDialog({ typed: undefined });
    const dialog = document.querySelector('dialog')!;
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel', hidden: true }));
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('shows the API’s message inside the dialog', () => {
    renderDialog({ error: new ApiError(400, 'TENANT_CONFIRMATION_MISMATCH', 'confirmName does not match.', 'req-7') });
    expect(screen.getByRole('alert', { hidden: true }).textContent).toContain('confirmName does not match.');
  });

  it('renders nothing inside while closed', () => {
    renderDialog({ open: false });
    expect(screen.queryByRole('button', { name: 'Delete for good', hidden: true })).toBeNull();
  });
});

describe('ConfirmDialog focus', () => {
  it('Tab from the last control goes back to the first, Shift+Tab from the first to the last', () => {
    renderDialog({ typed: undefined });
    const cancel = screen.getByRole('button', { name: 'Cancel', hidden: true });
    const confirm = screen.getByRole('button', { name: 'Delete for good', hidden: true });
    confirm.focus();
    fireEvent.keyDown(confirm, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(confirm);
  });
});
