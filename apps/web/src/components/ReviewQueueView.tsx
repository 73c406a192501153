import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ReviewForm, type Decision } from './ReviewForm';

export type QueueItem = Schemas['ReviewQueueItemDto'];

interface Props {
  items: QueueItem[];
  /** Approve or reject the item; rejects (with the API's error) keep the form's input. */
  onReview: (item: QueueItem, decision: Decision, comment: string) => Promise<void>;
  hasMore: boolean;
  onMore: () => void;
}

/** True when the key was typed into a field (or with a modifier): shortcuts must not fire then. */
export const typingIn = (event: KeyboardEvent): boolean =>
  event.ctrlKey ||
  event.metaKey ||
  event.altKey ||
  (event.target as HTMLElement | null)?.closest('input, textarea, select, [contenteditable]') != null;

/**
 * The review queue across tenants: a table of waiting tasks, one selected, and the review form
 * (components/ReviewForm, which owns A and R) for the selected one. J and K move the selection,
 * ? shows the shortcuts; none of them fires while typing in a field.
 */
export function ReviewQueueView({ items, onReview, hasMore, onMore }: Props): ReactNode {
  const { t, formatDay, formatInstant, formatNumber } = useI18n();
  const [index, setIndex] = useState(0);
  const [help, setHelp] = useState(false);
  const selected = items[Math.min(index, items.length - 1)];

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (typingIn(event)) return;
      if (event.key === 'j' || event.key === 'J') {
        event.preventDefault();
        setIndex((i) => Math.min(i + 1, Math.max(items.length - 1, 0)));
      } else if (event.key === 'k' || event.key === 'K') {
        event.preventDefault();
        setIndex((i) => Math.max(i - 1, 0));
      } else if (event.key === '?') {
        event.preventDefault();
        setHelp((h) => !h);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [items.length]);

  const helpList = (
    <section id="queue-help" aria-labelledby="queue-help-title" className="help" hidden={!help}>
      <h2 id="queue-help-title">{t('queue.help')}</h2>
      <ul>
        <li>{t('queue.help.j')}</li>
        <li>{t('queue.help.k')}</li>
        <li>{t('queue.help.a')}</li>
        <li>{t('queue.help.r')}</li>
        <li>{t('queue.help.help')}</li>
      </ul>
      <p className="hint">{t('queue.help.typing')}</p>
    </section>
  );

  if (items.length === 0)
    return (
      <>
        <p className="empty">{t('queue.empty')}</p>
      </>
    );
  return (
    <>
      <button type="button" className="secondary" aria-expanded={help} aria-controls="queue-help" onClick={() => setHelp((h) => !h)}>
        {t('queue.helpButton')}
      </button>
      {helpList}
      <div className="queue-layout">
        <div className="table-wrap" tabIndex={0}>
          <table className="queue">
            <caption className="visually-hidden">{t('queue.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue.organisation')}</th>
                <th scope="col">{t('queue.duty')}</th>
                <th scope="col">{t('task.due')}</th>
                <th scope="col">{t('queue.waitingSince')}</th>
                <th scope="col" className="num">
                  {t('queue.evidence')}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item, i) => (
                <tr
                  key={item.taskId}
                  aria-current={item === selected ? 'true' : undefined}
                  onClick={() => setIndex(i)}
                  data-task-id={item.taskId}
                >
                  <td>{item.tenantName}</td>
                  <td>
                    <Link to={`/tenants/${item.tenantId}/tasks/${item.taskId}`} onFocus={() => setIndex(i)}>
                      {item.activityKey} {item.title}
                    </Link>
                  </td>
                  <td>{formatDay(item.dueDate)}</td>
                  <td>{formatInstant(item.completedAt)}</td>
                  <td className="num">{formatNumber(item.evidenceCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {hasMore ? (
            <button type="button" className="secondary" onClick={onMore}>
              {t('queue.more')}
            </button>
          ) : null}
        </div>
        {selected ? (
          <div>
            <p role="status" aria-live="polite">
              {t('queue.selected', { title: `${selected.activityKey} ${selected.title}`, tenant: selected.tenantName })}
            </p>
            <Link to={`/tenants/${selected.tenantId}/tasks/${selected.taskId}`}>{t('queue.open')}</Link>
            <ReviewForm key={selected.taskId} onSubmit={(decision, comment) => onReview(selected, decision, comment)} />
          </div>
        ) : null}
      </div>
    </>
  );
}
