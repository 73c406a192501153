import { useEffect, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';

export type Decision = 'approve' | 'reject';

interface Props {
  onSubmit: (decision: Decision, comment: string) => Promise<void>;
}

/**
 * Approve, or reject with a comment (required, checked here before the API would refuse it).
 * Keyboard: A approves, R moves to the comment. The comment survives a failed submission.
 */
export function ReviewForm({ onSubmit }: Props): ReactNode {
  const { t } = useI18n();
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Decision | null>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

  const decide = async (decision: Decision): Promise<void> => {
    if (busy || done) return;
    setProblem(null);
    setError(null);
    if (decision === 'reject' && !comment.trim()) {
      setProblem(t('review.commentRequired'));
      commentRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(decision, comment.trim());
      setDone(decision);
      setComment('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, textarea, select')) return;
      if (event.key === 'a' || event.key === 'A') {
        event.preventDefault();
        void decide('approve');
      } else if (event.key === 'r' || event.key === 'R') {
        event.preventDefault();
        commentRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void decide('reject');
  };

  return (
    <form className="review-form" onSubmit={submit} aria-labelledby="review-title">
      <h3 id="review-title">{t('task.review')}</h3>
      <p className="hint">{t('review.shortcuts')}</p>
      <Field label={t('review.comment')}>
        {(id) => (
          <textarea
            id={id}
            ref={commentRef}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={3}
            maxLength={2000}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'review-problem' : undefined}
          />
        )}
      </Field>
      {problem ? (
        <p id="review-problem" role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" disabled={busy || done !== null} onClick={() => void decide('approve')}>
          {t('review.approve')}
        </button>
        <button type="submit" className="danger" disabled={busy || done !== null}>
          {t('review.reject')}
        </button>
      </div>
      {done ? (
        <p className="ok" role="status">
          {t(`review.done.${done}`)}
        </p>
      ) : null}
    </form>
  );
}
