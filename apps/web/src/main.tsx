import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Outlet, RouterProvider } from 'react-router';
import { RequireSession } from './auth';
import { I18nProvider, useI18n } from './i18n/i18n';
import { NotFound } from './pages/NotFound';
import { SignIn, SignUp } from './pages/SignIn';
import { Shell } from './Shell';
import { Home, TenantGate } from './tenant';
import './styles.css';

// Pages load on demand: a first visit downloads the frame and the sign-in page only.
const named = <K extends string>(load: () => Promise<Record<K, () => ReactNode>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));
const Dashboard = named(() => import('./pages/Dashboard'), 'Dashboard');
const Duties = named(() => import('./pages/Duties'), 'Duties');
const TaskDetail = named(() => import('./pages/TaskDetail'), 'TaskDetail');
const Members = named(() => import('./pages/Members'), 'Members');
const Catalogs = named(() => import('./pages/Catalogs'), 'Catalogs');
const Audit = named(() => import('./pages/Audit'), 'Audit');
const Settings = named(() => import('./pages/Settings'), 'Settings');
const ReviewQueue = named(() => import('./pages/ReviewQueue'), 'ReviewQueue');
const AcceptInvitation = named(() => import('./pages/AcceptInvitation'), 'AcceptInvitation');
const ForgotPassword = named(() => import('./pages/PasswordReset'), 'ForgotPassword');
const ResetPassword = named(() => import('./pages/PasswordReset'), 'ResetPassword');
const Profile = named(() => import('./pages/Profile'), 'Profile');

function Loading(): ReactNode {
  const { t } = useI18n();
  return <p className="loading">{t('common.loading')}</p>;
}

const tenantPage = (page: ReactNode): ReactNode => <TenantGate>{page}</TenantGate>;

const router = createBrowserRouter([
  { path: '/signin', element: <SignIn /> },
  { path: '/signup', element: <SignUp /> },
  {
    path: '/invitations/accept',
    element: (
      <Suspense fallback={<Loading />}>
        <AcceptInvitation />
      </Suspense>
    ),
  },
  {
    path: '/forgot-password',
    element: (
      <Suspense fallback={<Loading />}>
        <ForgotPassword />
      </Suspense>
    ),
  },
  {
    // The password reset mail's link.
    path: '/password-reset',
    element: (
      <Suspense fallback={<Loading />}>
        <ResetPassword />
      </Suspense>
    ),
  },
  {
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    children: [
      { path: '/', element: <Home /> },
      {
        path: '/profile',
        element: (
          <Suspense fallback={<Loading />}>
            <Profile />
          </Suspense>
        ),
      },
      {
        path: '/review-queue',
        element: (
          <Suspense fallback={<Loading />}>
            <ReviewQueue />
          </Suspense>
        ),
      },
      {
        path: '/tenants/:tenantId',
        element: (
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        ),
        children: [
          { index: true, element: tenantPage(<Dashboard />) },
          { path: 'tasks', element: tenantPage(<Duties />) },
          { path: 'tasks/:taskId', element: tenantPage(<TaskDetail />) },
          { path: 'members', element: tenantPage(<Members />) },
          { path: 'catalogs', element: tenantPage(<Catalogs />) },
          { path: 'audit', element: tenantPage(<Audit />) },
          { path: 'settings', element: tenantPage(<Settings />) },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 10_000, refetchOnWindowFocus: true, retry: (count, error) => count < 2 && !('status' in error) },
  },
});

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </I18nProvider>
    </StrictMode>,
  );
