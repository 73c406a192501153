import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';

/**
 * A modal confirmation on the native `<dialog>` opened with showModal(): the browser makes the
 * rest of the page inert, Tab cycles within the dialog, Escape closes it (the `cancel` event), and
 * focus goes back to the control that opened it. With `typed`, the confirm button stays disabled until
 * that exact text is typed (deleting a tenant: its name).
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  typed,
  typedLabel,
  danger = false,
  pending = false,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  typed?: string;
  typedLabel?: string;
  danger?: boolean;
  pending?: boolean;
  error?: unknown;
  onConfirm: (typedValue: string) => void;
  onClose: () => void;
}): ReactNode {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [value, setValue] = useState('');

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setValue('');
      // jsdom has no showModal: fall back to the open attribute there.
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (typed !== undefined && value !== typed) return;
    onConfirm(value);
  };

  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        // The page behind is inert, but Tab past the last control would leave for the browser's
        // own UI: cycle within the dialog instead.
        if (e.key !== 'Tab') return;
        const focusable = [...e.currentTarget.querySelectorAll<HTMLElement>('button:not(:disabled), input:not(:disabled)')];
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      {open ? (
        <form method="dialog" className="stack" onSubmit={submit}>
          <h2 id={titleId}>{title}</h2>
          <div>{body}</div>
          {typed !== undefined ? (
            <Field label={typedLabel ?? typed}>
              {(id) => <input id={id} autoFocus autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />}
            </Field>
          ) : null}
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" className="secondary" onClick={onClose} autoFocus={typed === undefined}>
              {t('common.cancel')}
            </button>
            <button type="submit" className={danger ? 'danger' : undefined} disabled={pending || (typed !== undefined && value !== typed)}>
              {confirmLabel}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
