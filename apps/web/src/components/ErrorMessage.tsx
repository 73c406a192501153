import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** The API's `message` (never a generic text when the API said why), with its request id for support. */
export function ErrorMessage({ error }: { error: unknown }): ReactNode {
  const { t } = useI18n();
  if (!error) return null;
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  return (
    <p role="alert" className="error">
      {t('common.error', { message })}
      {error instanceof ApiError && error.requestId ? <small> {t('common.requestId', { id: error.requestId })}</small> : null}
    </p>
  );
}
