/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../libs/db';
import { bootTestApp, type TestApp } from '../harness/app';
import { signup, type Account } from '../harness/api';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';
import { ensureConsoleBuilt, launch, seriousA11yViolations, userContext } from './browser';

// The account screens in Debian's Chromium against the real api and a real SMTP server:
// "Forgotten password?" from the sign-in page, the mailed link, a new password, sign-in with it;
// and the profile page reached from the frame's user menu.
jest.setTimeout(90_000);

const NEW_PASSWORD = 'juniper-anchor-ledger-64';
let sink: SmtpSink;
let t: TestApp;
let browser: Browser;
let base: string;
let account: Account;

beforeAll(async () => {
  const consoleDir = ensureConsoleBuilt();
  sink = await startSmtpSink();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await bootTestApp({ SMTP_URL: sink.url, PUBLIC_URL: base }, undefined, { consoleDir, withWorker: true });
  await t.app.listen(port, '127.0.0.1');
  browser = await launch();
  account = await signup(t.app, { name: 'Rita Reset', organization: 'Reset Org' });
});
afterAll(async () => {
  await browser.close();
  await t.close();
  await sink.close();
});

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

async function resetLinkFor(email: string): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const text = sink.messages.find((m) => m.envelopeTo.includes(email))?.parsed.text ?? '';
    const link = new RegExp(`${base.replace(/\./g, '\\.')}/password-reset\\?token=[A-Za-z0-9_-]+`).exec(text);
    if (link) return link[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no reset mail to ${email}`);
}

it('forgotten password: the mailed link, a new password, then sign-in with it', async () => {
  const page = await (await userContext(browser, base)).newPage();
  await page.goto('/signin');
  await page.getByRole('link', { name: 'Forgotten password?' }).click();
  await page.waitForURL(/\/forgot-password$/);
  await expectAccessible(page);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Email').press('Enter');
  await page.getByRole('status').filter({ hasText: 'If an account uses this address' }).waitFor();
  await expectAccessible(page);

  const link = await resetLinkFor(account.email);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  // The token left the address bar (and the history entry) at once.
  expect(page.url()).toBe(`${base}/password-reset`);
  expect(await page.evaluate(() => window.location.search)).toBe('');
  await expectAccessible(page);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
  // Never stored: not in either storage.
  const stored = await page.evaluate(() =>
    [window.localStorage, window.sessionStorage].flatMap((s) => Object.keys(s).map((k) => `${k}=${s.getItem(k) ?? ''}`)).join('\n'),
  );
  expect(stored).not.toContain(link.split('token=')[1] ?? 'no token');

  // The link works once.
  await page.goto(link);
  await page.getByLabel('New password').fill('another-new-password-19');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByRole('alert').filter({ hasText: 'already used' }).waitFor();
  await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();

  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/tenants\//);
  await page.context().close();
});

it('profile: reached from the user menu by keyboard; a new name shows in the frame; fits 375 px', async () => {
  const page = await (await userContext(browser, base, { width: 375 })).newPage();
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/tenants\//);
  const userMenu = page.getByRole('navigation', { name: 'Your account' });
  await userMenu.getByText('Signed in as Rita Reset').waitFor();
  await userMenu.getByRole('link', { name: 'Profile' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/profile$/);
  await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
  await expectAccessible(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  await page.getByLabel('Your name').fill('Rita Renamed');
  await page.getByLabel('Your name').press('Enter');
  await userMenu.getByText('Signed in as Rita Renamed').waitFor();

  // A wrong current password: the API's message, and the typed values stay.
  await page.getByLabel('Current password').fill('not-my-password-at-all');
  await page.getByLabel('New password').fill('harbour-violet-engine-27');
  await page.getByRole('button', { name: 'Change the password' }).click();
  await page.getByRole('alert').filter({ hasText: 'current password is not right' }).waitFor();
  expect(await page.getByLabel('New password').inputValue()).toBe('harbour-violet-engine-27');
  await expectAccessible(page);
  await page.context().close();
});
