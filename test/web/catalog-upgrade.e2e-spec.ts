/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, PASSWORD, signup, type Account } from '../harness/api';
import { ensureConsoleBuilt, launch, screenshot, seriousA11yViolations, userContext } from './browser';

// The Catalogs page offers the upgrade of a subscription on an older catalog version: the link of
// the "newer version published" mail (/tenants/:id/catalogs?upgrade=<subscription>) opens its
// preview; an admin applies it; other roles see the preview only. In English and in French at 375 px.
jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const consoleDir = ensureConsoleBuilt();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await bootTestApp({ PUBLIC_URL: base, RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' }, undefined, { consoleDir });
  await t.app.listen(port, '127.0.0.1');
  browser = await launch();
});
afterAll(async () => {
  await browser.close();
  await t.close();
});

async function onFirstReading(admin: Account): Promise<string> {
  const res = await caller(t.app)({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    token: admin.accessToken,
    payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01', version: '2024-06-26' },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

async function signIn(account: Account, options: { locale?: string; width?: number } = {}): Promise<Page> {
  const page = await (await userContext(browser, base, options)).newPage();
  await page.goto('/signin');
  const fr = options.locale === 'fr-FR';
  await page.getByLabel(fr ? 'Adresse e-mail' : 'Email').fill(account.email);
  await page.getByLabel(fr ? 'Mot de passe' : 'Password').fill(PASSWORD);
  await page.getByLabel(fr ? 'Mot de passe' : 'Password').press('Enter');
  await page.waitForURL(/\/tenants\/[0-9a-f-]{36}/);
  return page;
}

it('the mail link opens the preview; the admin applies it; the subscription is on the new version', async () => {
  const admin = await signup(t.app);
  const subscriptionId = await onFirstReading(admin);
  const page = await signIn(admin);
  await page.goto(`/tenants/${admin.tenantId}/catalogs?upgrade=${subscriptionId}`);
  const heading = page.getByRole('heading', { name: 'Upgrade from version 2024-06-26 to 2024-06-25' });
  await heading.waitFor();
  // The link's panel takes the focus (keyboard users start there).
  await page.waitForFunction(() => document.activeElement?.tagName === 'H3');
  await page.getByText('Upgrading adds 1 duties, withdraws 3 and changes').waitFor();
  await page.getByText('PX-03', { exact: false }).first().waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'catalog-upgrade');
  // Keyboard: Tab reaches the button, Enter applies.
  const apply = page.getByRole('button', { name: 'Apply the upgrade to version 2024-06-25' });
  await apply.focus();
  await apply.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Upgraded to version 2024-06-25.' }).waitFor();
  await page.getByText('ovhcloud-private-exchange 2024-06-25').waitFor();
  expect(await heading.count()).toBe(0);
  const subs = await caller(t.app)({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/subscriptions`, token: admin.accessToken });
  expect(subs.json<{ items: { catalogVersion: string }[] }>().items.map((s) => s.catalogVersion)).toEqual(['2024-06-25']);
  await page.context().close();
});

it('in French at 375 px, an admin previews from the button; a member only sees that a version is available', async () => {
  const admin = await signup(t.app);
  await onFirstReading(admin);
  const page = await signIn(admin, { locale: 'fr-FR', width: 375 });
  await page.goto(`/tenants/${admin.tenantId}/catalogs`);
  await page.getByText('La version 2024-06-25 est disponible').waitFor();
  await page.getByRole('button', { name: 'Prévisualiser la mise à niveau' }).click();
  await page.getByRole('heading', { name: 'Mise à niveau de la version 2024-06-26 vers 2024-06-25' }).waitFor();
  await page.getByRole('button', { name: 'Appliquer la mise à niveau vers la version 2024-06-25' }).waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.context().close();

  const member = await signup(t.app);
  await addMember(t.db.adminUrl, admin.tenantId, member.userId, 'member');
  const memberPage = await signIn(member);
  await memberPage.goto(`/tenants/${admin.tenantId}/catalogs`);
  await memberPage.getByText('Version 2024-06-25 is available').waitFor();
  await memberPage.getByText('An admin can preview and apply the upgrade.').waitFor();
  expect(await memberPage.getByRole('button', { name: 'Preview the upgrade' }).count()).toBe(0);
  expect(await seriousA11yViolations(memberPage)).toEqual([]);
  await memberPage.context().close();
});
