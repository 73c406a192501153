/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../libs/core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): playwright-core brings no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(projectRoot(), 'docs', 'screenshots');
const AXE = require.resolve('axe-core/axe.min.js');

/** The console as `npm run build` makes it; built here when a single test file runs without it. */
export function ensureConsoleBuilt(): string {
  const dir = path.join(projectRoot(), 'dist', 'web');
  if (!fs.existsSync(path.join(dir, 'index.html')))
    execFileSync(
      process.execPath,
      [
        path.join(projectRoot(), 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'apps/web/vite.config.mts',
        '--logLevel',
        'warn',
      ],
      {
        cwd: projectRoot(),
        stdio: 'inherit',
      },
    );
  return dir;
}

export function launch(): Promise<Browser> {
  // Chromium's sandbox needs an unprivileged user; CI and the dev machines run as root.
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/**
 * A user's browser. `bypassCSP` only so that the test can inject axe-core into the page; the
 * policy itself is checked by a context without it (console.e2e-spec.ts, "CSP").
 */
export function userContext(browser: Browser, baseURL: string, options: { width?: number; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    bypassCSP: true,
    locale: options.locale ?? 'en-GB',
    viewport: { width: options.width ?? 1280, height: 860 },
    timezoneId: 'Europe/Paris',
  });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now: the serious and critical violations, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}
