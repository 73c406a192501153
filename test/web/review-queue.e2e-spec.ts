/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, PASSWORD, signup, type Account } from '../harness/api';
import { query } from '../harness/database';
import { ensureConsoleBuilt, launch, screenshot, seriousA11yViolations, userContext } from './browser';

// The review queue in Debian's Chromium against the real api: an auditor of two organisations
// sees both organisations' waiting tasks, approves one with the keyboard, and the first
// organisation's admin sees it approved on the dashboard (issue 10, screen 5).
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
let base: string;
let acme: Account;
let globex: Account;
let auditor: Account;
/** The waiting task of each organisation, Acme's completed first (so it waits longest). */
const waiting: { acme: string; globex: string } = { acme: '', globex: '' };

async function subscribeAndComplete(admin: Account): Promise<string> {
  const call = caller(t.app);
  const sub = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    token: admin.accessToken,
    payload: { catalogKey: 'ovhcloud-private-exchange', version: '2024-06-26', startsOn: new Date().toISOString().slice(0, 10) },
  });
  expect(sub.statusCode).toBe(201);
  const [task] = await query<{ id: string }>(t.db.adminUrl, 'SELECT id FROM task WHERE tenant_id = $1 ORDER BY id LIMIT 1', [
    admin.tenantId,
  ]);
  const url = `/api/v1/tenants/${admin.tenantId}/tasks/${task!.id}`;
  const note = await call({
    method: 'POST',
    url: `${url}/evidence`,
    token: admin.accessToken,
    payload: { kind: 'note', text: 'Done by hand.' },
  });
  expect(note.statusCode).toBe(201);
  expect((await call({ method: 'POST', url: `${url}/complete`, token: admin.accessToken, payload: {} })).statusCode).toBe(200);
  return task!.id;
}

async function signIn(page: Page, who: Account): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
}

beforeAll(async () => {
  const consoleDir = ensureConsoleBuilt();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await bootTestApp({ PUBLIC_URL: base, RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' }, undefined, { consoleDir });
  await t.app.listen(port, '127.0.0.1');
  browser = await launch();
  acme = await signup(t.app, { organization: 'Acme Mail' });
  globex = await signup(t.app, { organization: 'Globex Hosting' });
  auditor = await signup(t.app);
  await addMember(t.db.adminUrl, acme.tenantId, auditor.userId, 'auditor');
  await addMember(t.db.adminUrl, globex.tenantId, auditor.userId, 'auditor');
  waiting.acme = await subscribeAndComplete(acme);
  waiting.globex = await subscribeAndComplete(globex);
  await query(t.db.adminUrl, "UPDATE task SET completed_at = now() - interval '1 hour' WHERE id = $1", [waiting.acme]);
});
afterAll(async () => {
  await browser.close();
  await t.close();
});

describe('review queue', () => {
  it('an auditor of two organisations sees both queues, approves one by keyboard, and the admin sees it approved', async () => {
    const page = await (await userContext(browser, base)).newPage();
    await signIn(page, auditor);
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.waitForURL(/\/review-queue$/);
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    const rows = page.locator('table.queue tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-task-id')).toBe(waiting.acme);
    expect(await rows.nth(0).textContent()).toContain('Acme Mail');
    expect(await rows.nth(1).textContent()).toContain('Globex Hosting');
    expect(await page.getByRole('status').first().textContent()).toContain('Acme Mail');
    // The shortcuts are documented on the page (? shows them).
    await page.locator('body').press('?');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'review-queue');
    // J then K comes back to Acme's task; A approves it.
    await page.locator('body').press('j');
    expect(await page.locator('tr[aria-current="true"]').getAttribute('data-task-id')).toBe(waiting.globex);
    await page.locator('body').press('k');
    expect(await page.locator('tr[aria-current="true"]').getAttribute('data-task-id')).toBe(waiting.acme);
    await page.locator('body').press('a');
    await page.waitForFunction((id) => !document.querySelector(`tr[data-task-id="${id}"]`), waiting.acme);
    expect(await rows.count()).toBe(1);
    const [row] = await query<{ status: string; reviewer: string }>(
      t.db.adminUrl,
      'SELECT t.status, r.reviewer_id AS reviewer FROM task t JOIN review r ON r.task_id = t.id WHERE t.id = $1',
      [waiting.acme],
    );
    expect(row).toEqual({ status: 'approved', reviewer: auditor.userId });

    const admin = await (await userContext(browser, base)).newPage();
    await signIn(admin, acme);
    const approved = admin.getByRole('row', { name: /^Approved/ });
    await approved.waitFor();
    expect((await approved.textContent())?.replace(/\D/g, '')).toBe('1');
    await admin.getByRole('heading', { name: /Weekly trend/ }).waitFor();
    expect(await admin.locator('svg.trend').getAttribute('role')).toBe('img');
    expect(await seriousA11yViolations(admin)).toEqual([]);
    await screenshot(admin, 'dashboard-summary');
  });

  it('fits 375 px and is not offered to a user who reviews nowhere', async () => {
    const narrow = await (await userContext(browser, base, { width: 375 })).newPage();
    await signIn(narrow, auditor);
    await narrow.goto('/review-queue');
    await narrow.locator('table.queue tbody tr').first().waitFor();
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Signing up makes one the admin of one's own organisation (and admins review): this user
    // keeps only a member's place at Acme.
    const member = await signup(t.app);
    await query(t.db.adminUrl, 'DELETE FROM membership WHERE user_id = $1', [member.userId]);
    await addMember(t.db.adminUrl, acme.tenantId, member.userId, 'member');
    const page = await (await userContext(browser, base)).newPage();
    await signIn(page, member);
    await page.getByRole('link', { name: 'Duties' }).waitFor();
    expect(await page.getByRole('link', { name: 'Review queue' }).count()).toBe(0);
  });
});
