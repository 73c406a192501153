import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useParams } from 'react-router';
import { api, unwrap, type Role } from './api/client';
import { useMe } from './auth';
import { useI18n } from './i18n/i18n';
import { NotFound } from './pages/NotFound';

const LAST_TENANT = 'dutybook.lastTenant';

export const lastTenant = (): string | null => localStorage.getItem(LAST_TENANT);
export const rememberTenant = (tenantId: string): void => localStorage.setItem(LAST_TENANT, tenantId);

/** After a tenant was deleted: `/` then picks another membership. */
export const forgetTenant = (tenantId: string): void => {
  if (localStorage.getItem(LAST_TENANT) === tenantId) localStorage.removeItem(LAST_TENANT);
};

export function useTenantId(): string {
  const { tenantId } = useParams();
  if (!tenantId) throw new Error('route without :tenantId');
  return tenantId;
}

/** The tenant of the URL, as the API sees it for this user: 404 (not a member, or no such tenant) shows the not-found page. */
export function useTenant() {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: ['tenant', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}', { params: { path: { tenantId } } })),
    retry: false,
  });
}

export function useRole(): Role | undefined {
  return useTenant().data?.role;
}

export const canEdit = (role: Role | undefined): boolean => role === 'admin' || role === 'member';

/** Renders its children only once the tenant of the URL is known to be the user's. */
export function TenantGate({ children }: { children: ReactNode }): ReactNode {
  const tenant = useTenant();
  const { t } = useI18n();
  if (tenant.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (tenant.isError) return <NotFound />;
  rememberTenant(tenant.data.id);
  return children;
}

/** `/`: the last tenant used, else the first membership. */
export function Home(): ReactNode {
  const me = useMe();
  const { t } = useI18n();
  if (me.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (me.isError) return <NotFound />;
  const last = localStorage.getItem(LAST_TENANT);
  const chosen = me.data.memberships.find((m) => m.tenantId === last) ?? me.data.memberships[0];
  if (!chosen) return <p className="empty">{t('tenant.none')}</p>;
  return <Navigate to={`/tenants/${chosen.tenantId}`} replace />;
}
