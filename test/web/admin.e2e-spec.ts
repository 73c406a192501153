/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Account, type Caller } from '../harness/api';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { ensureConsoleBuilt, launch, screenshot, seriousA11yViolations, userContext } from './browser';

// What a tenant admin manages in the console (issue 10): pending invitations (resend, revoke),
// ending a subscription, renaming and deleting the organisation. Chromium against the real api.
jest.setTimeout(90_000);

let sink: SmtpSink;
let t: TestApp;
let call: Caller;
let browser: Browser;
let base: string;
let admin: Account;
let page: Page;
let secondTenantId: string;

beforeAll(async () => {
  const consoleDir = ensureConsoleBuilt();
  sink = await startSmtpSink();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await bootTestApp(
    { SMTP_URL: sink.url, PUBLIC_URL: base, RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' },
    undefined,
    { consoleDir, withWorker: true },
  );
  await t.app.listen(port, '127.0.0.1');
  call = caller(t.app);
  browser = await launch();
  admin = await signup(t.app, { organization: 'Doomed Org' });
  const second = await call({ method: 'POST', url: '/api/v1/tenants', token: admin.accessToken, payload: { name: 'Survivor Org' } });
  secondTenantId = second.json<{ id: string }>().id;
  page = await (await userContext(browser, base)).newPage();
  await page.goto(`/signin?next=/tenants/${admin.tenantId}/members`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`/tenants/${admin.tenantId}/members$`));
});
afterAll(async () => {
  await browser.close();
  await t.close();
  await sink.close();
});

async function linkFor(email: string, nth = 1): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const mails = sink.messages.filter((m) => m.envelopeTo.includes(email));
    const mail = mails[nth - 1];
    const link = mail
      ? new RegExp(`${base.replace(/\./g, '\\.')}/invitations/accept\\?token=[^\\s"<]+`).exec(mail.parsed.text ?? '')
      : null;
    if (link) return link[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail number ${nth} to ${email}`);
}

async function invite(email: string, role: string): Promise<void> {
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/invitations`,
    token: admin.accessToken,
    payload: { email, role },
  });
  expect(res.statusCode).toBe(201);
}

const noHorizontalScroll = (p: Page): Promise<boolean> =>
  p.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

it('lists pending invitations; resend mails a new link and the old one stops working; revoke asks first', async () => {
  const resendEmail = uniqueEmail('resend');
  const revokeEmail = uniqueEmail('revoke');
  await invite(resendEmail, 'member');
  await invite(revokeEmail, 'auditor');
  const oldLink = await linkFor(resendEmail);
  const revokedLink = await linkFor(revokeEmail);

  await page.reload();
  await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
  await page.getByRole('cell', { name: resendEmail, exact: true }).waitFor();
  await page.getByRole('cell', { name: revokeEmail, exact: true }).waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'members-invitations');

  await page.getByRole('button', { name: `Send a new link to ${resendEmail}` }).click();
  await page.getByText(`A new link was sent to ${resendEmail}; the previous one no longer works.`).waitFor();
  const newLink = await linkFor(resendEmail, 2);
  expect(newLink).not.toBe(oldLink);
  const token = (link: string): string => decodeURIComponent(new URL(link).searchParams.get('token') ?? '');
  const old = await call({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    payload: { token: token(oldLink), name: 'Late', password: PASSWORD },
  });
  expect([old.statusCode, old.json<{ code: string }>().code]).toEqual([410, 'INVITATION_INVALID']);

  // Revoke: the dialog opens with focus inside; Escape closes it and nothing changes.
  const revokeButton = page.getByRole('button', { name: `Revoke the invitation of ${revokeEmail}` });
  await revokeButton.click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this invitation?' });
  await dialog.waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('cell', { name: revokeEmail, exact: true }).waitFor();
  await revokeButton.click();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('cell', { name: revokeEmail, exact: true }).waitFor({ state: 'detached' });

  // The invitee opening the revoked link is told so.
  const invitee = await (await userContext(browser, base)).newPage();
  await invitee.goto(revokedLink);
  await invitee.getByLabel('Your name').fill('Rev Oked');
  await invitee.getByLabel('Password').fill(PASSWORD);
  await invitee.getByRole('button', { name: 'Accept the invitation' }).click();
  await invitee
    .getByRole('alert')
    .getByText(/revoked/)
    .waitFor();
  await invitee.context().close();

  await page.setViewportSize({ width: 375, height: 800 });
  expect(await noHorizontalScroll(page)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 860 });
});

it('ends a subscription after a confirmation', async () => {
  const sub = await call({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    token: admin.accessToken,
    payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: new Date().toISOString().slice(0, 10) },
  });
  expect(sub.statusCode).toBe(201);
  await page.goto(`/tenants/${admin.tenantId}/catalogs`);
  await page.getByRole('button', { name: 'End the subscription to ovhcloud-private-exchange' }).click();
  const dialog = page.getByRole('dialog', { name: 'End the subscription to ovhcloud-private-exchange?' });
  await dialog.waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'End the subscription' }).click();
  await page.getByText(/duties withdrawn\./).waitFor();
  await page.getByText(/^ended /).waitFor();
  const tasks = await call({
    method: 'GET',
    url: `/api/v1/tenants/${admin.tenantId}/tasks?status=withdrawn&limit=200`,
    token: admin.accessToken,
  });
  expect(tasks.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
});

it("sets the organisation's time zone in Settings: it persists, the subscriptions follow, an unknown zone is refused", async () => {
  await page.goto(`/tenants/${admin.tenantId}/settings`);
  const form = page.getByRole('form', { name: 'Reminders for this organisation' });
  const zone = form.getByLabel('Time zone of the organisation');
  await zone.waitFor();
  expect(await zone.inputValue()).toBe('UTC');
  // Offered from the browser's list of IANA zones.
  expect(await form.locator('datalist option[value="Europe/Paris"]').count()).toBe(1);
  await zone.fill('Mars/Olympus_Mons');
  await form.getByRole('button', { name: 'Save' }).click();
  await form
    .getByRole('alert')
    .getByText(/not a time zone this server knows/)
    .waitFor();
  await zone.fill('Europe/Paris');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByRole('status').getByText('Saved.').waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);

  await page.reload();
  await page.getByRole('form', { name: 'Reminders for this organisation' }).getByLabel('Time zone of the organisation').waitFor();
  expect(await page.getByLabel('Time zone of the organisation').inputValue()).toBe('Europe/Paris');
  const settings = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/reminder-settings`, token: admin.accessToken });
  expect(settings.json()).toMatchObject({ timeZone: 'Europe/Paris', reminderDays: [7, 1], escalationDays: 7 });
  const subscriptions = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}/subscriptions`, token: admin.accessToken });
  const zones = subscriptions.json<{ items: { timezone: string }[] }>().items.map((s) => s.timezone);
  expect(zones.length).toBeGreaterThan(0);
  expect(new Set(zones)).toEqual(new Set(['Europe/Paris']));
});

it('renames the organisation, then deletes it after typing its name, and lands in the other one', async () => {
  await page.goto(`/tenants/${admin.tenantId}/settings`);
  const nameField = page.getByLabel('Name of the organisation');
  await nameField.fill('Doomed Org Renamed');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page
    .getByRole('combobox', { name: 'Organisation' })
    .getByRole('option', { name: 'Doomed Org Renamed' })
    .waitFor({ state: 'attached' });
  expect(await seriousA11yViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Delete the organisation…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Doomed Org Renamed?' });
  await dialog.waitFor();
  const confirm = dialog.getByRole('button', { name: 'Delete for good' });
  expect(await confirm.isDisabled()).toBe(true);
  const typed = dialog.getByLabel('Type Doomed Org Renamed to confirm');
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
  await typed.fill('doomed org renamed');
  expect(await confirm.isDisabled()).toBe(true);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'settings-delete-tenant');
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await noHorizontalScroll(page)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 860 });
  await typed.fill('Doomed Org Renamed');
  await confirm.click();
  await page.waitForURL(new RegExp(`/tenants/${secondTenantId}$`));
  const options = await page.getByRole('combobox', { name: 'Organisation' }).locator('option').allTextContents();
  expect(options).toEqual(['Survivor Org (Admin)']);
  const gone = await call({ method: 'GET', url: `/api/v1/tenants/${admin.tenantId}`, token: admin.accessToken });
  expect(gone.statusCode).toBe(404);
});
