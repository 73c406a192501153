import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { ReviewQueueView, type QueueItem } from '../components/ReviewQueueView';
import type { Decision } from '../components/ReviewForm';
import { useI18n } from '../i18n/i18n';

/** GET /me/review-queue, page after page, with approve and reject through each task's tenant. */
export function ReviewQueue(): ReactNode {
  const { t } = useI18n();
  const client = useQueryClient();
  const queue = useInfiniteQuery({
    queryKey: ['review-queue'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/me/review-queue', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const review = async (item: QueueItem, decision: Decision, comment: string): Promise<void> => {
    await unwrap(
      api.POST('/api/v1/tenants/{tenantId}/tasks/{taskId}/reviews', {
        params: { path: { tenantId: item.tenantId, taskId: item.taskId } },
        body: decision === 'reject' ? { decision, comment } : { decision },
      }),
    );
    await Promise.all([
      client.invalidateQueries({ queryKey: ['review-queue'] }),
      client.invalidateQueries({ queryKey: ['summary', item.tenantId] }),
      client.invalidateQueries({ queryKey: ['task', item.tenantId, item.taskId] }),
    ]);
  };
  return (
    <>
      <h1>{t('queue.title')}</h1>
      <p className="hint">{t('queue.intro')}</p>
      {queue.isPending ? (
        <p className="loading">{t('common.loading')}</p>
      ) : queue.isError ? (
        <ErrorMessage error={queue.error} />
      ) : (
        <ReviewQueueView
          items={queue.data.pages.flatMap((p) => p.items)}
          onReview={review}
          hasMore={queue.hasNextPage}
          onMore={() => void queue.fetchNextPage()}
        />
      )}
    </>
  );
}
