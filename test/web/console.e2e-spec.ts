/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Account } from '../harness/api';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { ensureConsoleBuilt, launch, screenshot, seriousA11yViolations, userContext } from './browser';

// The console in Debian's Chromium against the real api (embedded Postgres) and a real SMTP
// server: the whole review cycle, as its three kinds of users would go through it. The tests of
// this file run in order and share the state they build (accounts, the task under review).
jest.setTimeout(90_000);

let sink: SmtpSink;
let t: TestApp;
let browser: Browser;
let base: string;
const admin = { email: uniqueEmail('admin'), name: 'Alice Admin', org: 'Acme Mail' };
const member = { email: uniqueEmail('member'), name: 'Max Member' };
const auditor = { email: uniqueEmail('auditor'), name: 'Ada Auditor' };
let adminCtx: BrowserContext;
let adminPage: Page;
let memberPage: Page;
let auditorPage: Page;
let tenantId: string;
let taskPath: string;

beforeAll(async () => {
  const consoleDir = ensureConsoleBuilt();
  sink = await startSmtpSink();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await bootTestApp(
    { SMTP_URL: sink.url, PUBLIC_URL: base, RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' },
    undefined,
    {
      consoleDir,
      withWorker: true,
    },
  );
  await t.app.listen(port, '127.0.0.1');
  browser = await launch();
});
afterAll(async () => {
  await browser.close();
  await t.close();
  await sink.close();
});

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

async function inviteLinkFor(email: string): Promise<string> {
  const mail = await waitForMail(email);
  const link = new RegExp(`${base.replace(/\./g, '\\.')}/invitations/accept\\?token=[^\\s"<]+`).exec(mail);
  if (!link) throw new Error(`no invitation link in: ${mail}`);
  return link[0];
}

async function waitForMail(to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = sink.messages.find((m) => m.envelopeTo.includes(to));
    if (found) return found.parsed.text ?? '';
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

async function status(page: Page): Promise<string> {
  return (await page.getByTestId('task-status').textContent()) ?? '';
}

async function acceptInvitation(who: { email: string; name: string }): Promise<Page> {
  const page = await (await userContext(browser, base)).newPage();
  await page.goto(await inviteLinkFor(who.email));
  await expectAccessible(page);
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accept the invitation' }).click();
  await page.getByText(`You joined ${admin.org}`).waitFor();
  return page;
}

describe('the review cycle in the console', () => {
  it('an admin signs up and subscribes the organisation to the catalog', async () => {
    adminCtx = await userContext(browser, base);
    adminPage = await adminCtx.newPage();
    await adminPage.goto('/');
    await adminPage.waitForURL(/\/signin\?next=/);
    await expectAccessible(adminPage);
    await screenshot(adminPage, 'sign-in');
    await adminPage.getByRole('link', { name: 'Create an account' }).click();
    await adminPage.getByLabel('Your name').fill(admin.name);
    await adminPage.getByLabel('Organisation').fill(admin.org);
    await adminPage.getByLabel('Email').fill(admin.email);
    await adminPage.getByLabel('Password').fill(PASSWORD);
    await expectAccessible(adminPage);
    await adminPage.getByRole('button', { name: 'Create an account' }).click();
    await adminPage.waitForURL(/\/tenants\/[0-9a-f-]{36}\/catalogs$/);
    tenantId = /tenants\/([0-9a-f-]{36})/.exec(adminPage.url())![1]!;

    await adminPage.getByRole('button', { name: 'Subscribe this organisation' }).click();
    await adminPage.getByText(/Subscribed: \d+ duties created\./).waitFor();
    await adminPage.getByText('Not subscribed to any catalog yet.').waitFor({ state: 'detached' });
    await expectAccessible(adminPage);
    await screenshot(adminPage, 'catalog');
    // Customer duties are highlighted rows; uncertain cells carry the provider's raw text.
    expect(await adminPage.locator('tr.duty').count()).toBeGreaterThan(0);
  });

  it('the admin invites a member and an auditor, who join from the links in their mails', async () => {
    await adminPage.getByRole('link', { name: 'Members' }).click();
    // The catalog page has elements whose label contains "Email" too: wait for the members page.
    await adminPage.waitForURL(/\/members$/);
    for (const [who, role] of [
      [member, 'member'],
      [auditor, 'auditor'],
    ] as const) {
      await adminPage.getByLabel('Email', { exact: true }).fill(who.email);
      await adminPage.getByLabel('Role', { exact: true }).selectOption(role);
      await adminPage.getByRole('button', { name: 'Send the invitation' }).click();
      await adminPage.getByText(`Invitation sent to ${who.email}.`).waitFor();
    }
    await expectAccessible(adminPage);
    memberPage = await acceptInvitation(member);
    auditorPage = await acceptInvitation(auditor);
    await adminPage.reload();
    await adminPage.getByRole('cell', { name: member.name, exact: true }).waitFor();
    await adminPage.getByRole('cell', { name: auditor.name, exact: true }).waitFor();
    await screenshot(adminPage, 'members');
  });

  it('the admin filters the duties (filters in the URL) and assigns one to the member', async () => {
    await adminPage.getByRole('link', { name: 'Duties' }).click();
    await adminPage.getByRole('table').waitFor();
    await adminPage.getByLabel('Status', { exact: true }).selectOption('todo');
    await adminPage.getByRole('button', { name: 'Apply' }).click();
    await adminPage.waitForURL(/\/tasks\?status=todo$/);
    await expectAccessible(adminPage);
    await screenshot(adminPage, 'duties');
    const first = adminPage.locator('tbody tr').first();
    const title = (await first.getByRole('link').textContent()) ?? '';
    taskPath = new URL((await first.getByRole('link').getAttribute('href'))!, base).pathname;
    await first.getByRole('checkbox').check();
    await adminPage.getByLabel('Assign selected to').selectOption({ label: member.name });
    await adminPage.getByRole('button', { name: 'Assign', exact: true }).click();
    await adminPage.getByText('1 duties assigned.').waitFor();
    await adminPage.locator('tbody tr', { hasText: title }).getByRole('cell', { name: member.name, exact: true }).waitFor();
  });

  it('the member uploads a PDF by drag and drop, watching the progress bar, and completes the task', async () => {
    await memberPage.goto(taskPath);
    await memberPage.getByRole('heading', { level: 1 }).waitFor();
    expect(await status(memberPage)).toBe('To do');
    await expectAccessible(memberPage);

    // Record every value the progress bar shows; upload throttled so that it is seen moving.
    await memberPage.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress#upload-progress');
        if (bar instanceof HTMLProgressElement) seen.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const cdp = await memberPage.context().newCDPSession(memberPage);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const pdf = `%PDF-1.4\n% ${'restore test evidence '.repeat(20_000)}\n%%EOF\n`;
    await memberPage.getByLabel('Description (optional)').fill('May restore test report');
    await memberPage.evaluate((content) => {
      const file = new File([content], 'restore-test.pdf', { type: 'application/pdf' });
      const data = new DataTransfer();
      data.items.add(file);
      const zone = document.querySelector('[data-testid="dropzone"]')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, pdf);
    await memberPage.locator('progress#upload-progress').waitFor();
    await screenshot(memberPage, 'upload-progress');
    await memberPage.getByText('restore-test.pdf uploaded.').waitFor({ timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await memberPage.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.length).toBeGreaterThan(1);
    expect(Math.max(...seen)).toBeGreaterThan(0);

    const row = memberPage.locator('tbody tr', { hasText: 'restore-test.pdf' });
    await row.waitFor();
    expect(await row.textContent()).toContain('application/pdf');
    expect(await row.textContent()).toContain(member.name);
    await memberPage.getByRole('button', { name: 'Mark as done' }).click();
    await memberPage.getByText('Marked as done: waiting for review.').waitFor();
    expect(await status(memberPage)).toBe('Awaiting review');
    await expectAccessible(memberPage);
    await screenshot(memberPage, 'task-detail');
  });

  it('the auditor opens the task from its URL and rejects it with a comment (required)', async () => {
    await auditorPage.goto(taskPath);
    await auditorPage.getByRole('heading', { name: 'Review', exact: true }).waitFor();
    expect(await auditorPage.getByRole('button', { name: 'Mark as done' }).count()).toBe(0);
    await auditorPage.getByRole('button', { name: 'Reject' }).click();
    await auditorPage.getByText('A rejection needs a comment that says what to fix.').waitFor();
    await auditorPage.getByLabel('Comment').fill('The report covers April, not May.');
    await auditorPage.getByRole('button', { name: 'Reject' }).click();
    await auditorPage.getByText('Rejected: the assignee has been told.').waitFor();
    await auditorPage.getByTestId('task-status').getByText('Rejected').waitFor();
    await expectAccessible(auditorPage);
    await screenshot(auditorPage, 'review');
  });

  it('the member adds a note and completes again; the auditor approves with the keyboard', async () => {
    await memberPage.reload();
    await memberPage.getByText('The report covers April, not May.').waitFor();
    await memberPage.getByLabel('Note', { exact: true }).fill('The May report is attached to ticket 4711.');
    await memberPage.getByRole('button', { name: 'Add' }).nth(1).click();
    await memberPage.getByRole('cell', { name: /ticket 4711/ }).waitFor();
    await memberPage.getByRole('button', { name: 'Mark as done' }).click();
    await memberPage.getByText('Marked as done: waiting for review.').waitFor();

    await auditorPage.reload();
    await auditorPage.getByRole('heading', { name: 'Review', exact: true }).waitFor();
    await auditorPage.locator('body').press('a');
    await auditorPage.getByText('Approved.').waitFor();
    await auditorPage.getByTestId('task-status').getByText('Approved').waitFor();
    const history = (await auditorPage.getByRole('region', { name: 'Reviews' }).textContent()) ?? '';
    expect(history).toMatch(/rejected[\s\S]*approved/);
  });

  it('the admin sees the dashboard change and verifies the audit trail', async () => {
    await adminPage.goto(`/tenants/${tenantId}`);
    const approved = adminPage.getByRole('row', { name: /^Approved/ });
    await approved.waitFor();
    expect((await approved.textContent())?.replace(/\D/g, '')).toBe('1');
    await expectAccessible(adminPage);
    await screenshot(adminPage, 'dashboard');

    await adminPage.getByRole('link', { name: 'Audit trail' }).click();
    await adminPage.getByRole('button', { name: 'Verify the chain' }).click();
    await adminPage.getByText(/The chain is intact: \d+ events\./).waitFor();
    expect(await adminPage.getByTestId('head-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await expectAccessible(adminPage);
    await screenshot(adminPage, 'audit');

    await adminPage.getByRole('link', { name: 'Settings' }).click();
    await adminPage.getByRole('heading', { name: 'My notifications' }).waitFor();
    await expectAccessible(adminPage);
  });
});

describe('roles, isolation and sessions', () => {
  it('a viewer sees no edit control', async () => {
    const viewerEmail = uniqueEmail('viewer');
    await adminPage.goto(`/tenants/${tenantId}/members`);
    await adminPage.getByLabel('Email', { exact: true }).fill(viewerEmail);
    await adminPage.getByLabel('Role', { exact: true }).selectOption('viewer');
    await adminPage.getByRole('button', { name: 'Send the invitation' }).click();
    await adminPage.getByText(`Invitation sent to ${viewerEmail}.`).waitFor();
    const viewer = await acceptInvitation({ email: viewerEmail, name: 'Vic Viewer' });
    await viewer.goto(taskPath);
    await viewer.getByRole('heading', { name: 'Evidence' }).waitFor();
    for (const name of ['Mark as done', 'Choose a file', 'Add', 'Approve', 'Reject'])
      expect(await viewer.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await viewer.getByRole('combobox', { name: 'Assignee' }).count()).toBe(0);
    await viewer.goto(`/tenants/${tenantId}/tasks`);
    await viewer.getByRole('table').waitFor();
    expect(await viewer.getByRole('checkbox', { name: /^Select/ }).count()).toBe(0);
    await viewer.goto(`/tenants/${tenantId}/members`);
    await viewer.getByRole('cell', { name: admin.name, exact: true }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Send the invitation' }).count()).toBe(0);
    await viewer.context().close();
  });

  it("a user of tenant A typing tenant B's URLs sees the not-found page", async () => {
    const other: Account = await signup(t.app, { organization: 'Other Org' });
    const call = caller(t.app);
    await call({
      method: 'POST',
      url: `/api/v1/tenants/${other.tenantId}/subscriptions`,
      token: other.accessToken,
      payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01' },
    });
    const tasks = (await call({ method: 'GET', url: `/api/v1/tenants/${other.tenantId}/tasks?limit=1`, token: other.accessToken })).json<{
      items: { id: string }[];
    }>();
    for (const url of [
      `/tenants/${other.tenantId}`,
      `/tenants/${other.tenantId}/tasks`,
      `/tenants/${other.tenantId}/tasks/${tasks.items[0]!.id}`,
    ]) {
      await adminPage.goto(url);
      await adminPage.getByRole('heading', { name: 'Not found' }).waitFor();
    }
    await expectAccessible(adminPage);
    // And the admin's own task id under the other tenant is no way in either.
    await adminPage.goto(taskPath.replace(tenantId, other.tenantId));
    await adminPage.getByRole('heading', { name: 'Not found' }).waitFor();
  });

  it('an expired access token is refreshed from the cookie and the request retried', async () => {
    const secret = fs.readFileSync(path.join(t.config.dataDir, 'jwt.secret'), 'utf8').trim();
    const me = (
      await caller(t.app)({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD } })
    ).json<{
      user: { id: string };
    }>();
    const expired = jwt.sign({ typ: 'access', exp: Math.floor(Date.now() / 1000) - 5 }, secret, {
      subject: me.user.id,
      issuer: 'dutybook',
      audience: 'dutybook-api',
      algorithm: 'HS256',
    });
    const refreshes: number[] = [];
    adminPage.on('response', (r) => {
      if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.status());
    });
    const statuses: number[] = [];
    // The next call to the members list carries the expired token instead of the page's own.
    let swapped = false;
    await adminPage.route('**/api/v1/tenants/*/members?*', async (route) => {
      if (swapped) return route.continue();
      swapped = true;
      const response = await route.fetch({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } });
      statuses.push(response.status());
      return route.fulfill({ response });
    });
    await adminPage.goto(`/tenants/${tenantId}`);
    await adminPage.getByRole('link', { name: 'Members' }).click();
    await adminPage.getByRole('cell', { name: member.name, exact: true }).waitFor();
    expect(statuses).toEqual([401]);
    expect(refreshes).toContain(200);
    await adminPage.unroute('**/api/v1/tenants/*/members?*');
  });

  it('a reload keeps the session (cookie), and sign-out in one tab signs out every tab', async () => {
    await adminPage.reload();
    await adminPage.getByRole('cell', { name: member.name, exact: true }).waitFor();
    const cookies = await adminCtx.cookies();
    const session = cookies.filter((c) => c.name === 'dutybook_refresh');
    expect(session.map((c) => c.path).sort()).toEqual(['/api/v1/auth/logout', '/api/v1/auth/refresh']);
    expect(session.every((c) => c.httpOnly && c.sameSite === 'Strict')).toBe(true);
    // Nothing of the session in storage a script can read.
    expect(
      await adminPage.evaluate(() =>
        JSON.stringify([localStorage, sessionStorage].flatMap((s) => Object.keys(s).map((k) => `${k}=${s.getItem(k) ?? ''}`))),
      ),
    ).not.toMatch(/ey[A-Za-z0-9_-]{10,}\.|refresh/i);

    const second = await adminCtx.newPage();
    await second.goto(`/tenants/${tenantId}/tasks`);
    await second.getByRole('table').waitFor();
    await adminPage.getByRole('button', { name: 'Sign out' }).click();
    await adminPage.waitForURL(/\/signin/);
    await second.waitForURL(/\/signin/);
    await second.reload();
    await second.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await adminCtx.cookies()).filter((c) => c.name === 'dutybook_refresh')).toEqual([]);
  });
});

describe('the console page itself', () => {
  it('runs under its Content-Security-Policy (no inline script) and speaks French at 375 px', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'fr-FR', viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto('/signin');
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    await page.getByRole('heading', { name: 'Se connecter' }).waitFor();
    await page.getByLabel('Adresse e-mail').fill(member.email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByLabel('Mot de passe').press('Enter');
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'dashboard-375-fr');
    expect(violations).toEqual([]);
    await context.close();
  });
});
