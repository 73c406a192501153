/**
 * `npm start` builds only when a source changed (build-if-stale.js), on a small project of its
 * own in a temporary folder, so the checkout's dist/ is never touched while other tests use it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../libs/core';

const SCRIPT = path.join(projectRoot(), 'build-if-stale.js');

describe('build-if-stale.js', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-build-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a: number = 1;\n');
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', compilerOptions: { outDir: 'dist', rootDir: '.' }, include: ['src'] }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]): { status: number | null; ms: number } => {
    const began = Date.now();
    const result = spawnSync(process.execPath, [SCRIPT, ...args, dir], { encoding: 'utf8' });
    return { status: result.status, ms: Date.now() - began };
  };
  const output = (): string => fs.readFileSync(path.join(dir, 'dist', 'src', 'a.js'), 'utf8');

  it('builds the first time, then does nothing while no source changed', () => {
    expect(run().status).toBe(0);
    expect(output()).toContain('a = 1');
    const builtAt = fs.statSync(path.join(dir, 'dist', 'src', 'a.js')).mtimeMs;
    const again = run();
    expect(again.status).toBe(0);
    expect(again.ms).toBeLessThan(2000);
    expect(fs.statSync(path.join(dir, 'dist', 'src', 'a.js')).mtimeMs).toBe(builtAt);
  }, 60000);

  it('rebuilds when a source changed', () => {
    const later = new Date(Date.now() + 2000);
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a: number = 2;\n');
    fs.utimesSync(path.join(dir, 'src', 'a.ts'), later, later);
    expect(run().status).toBe(0);
    expect(output()).toContain('a = 2');
  }, 60000);

  it('a failed build leaves no stamp: the next run builds again', () => {
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a: number = "not a number";\n');
    const later = new Date(Date.now() + 6000);
    fs.utimesSync(path.join(dir, 'src', 'a.ts'), later, later);
    expect(run().status).not.toBe(0);
    expect(fs.existsSync(path.join(dir, 'dist', '.build-stamp'))).toBe(true);
    // The stamp is older than the broken source: the next run tries again rather than skipping.
    expect(fs.statSync(path.join(dir, 'dist', '.build-stamp')).mtimeMs).toBeLessThan(later.getTime());
  }, 60000);
});

/**
 * The console target (`--web`) on the checkout itself would rebuild dist/web under the other
 * tests' feet; the skip is checked on a copy of the web sources whose stamp is fresh: a run with
 * no change must not start vite (it would take seconds and rewrite dist/web).
 */
describe('build-if-stale.js --web', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-build-web-'));
    fs.mkdirSync(path.join(dir, 'apps', 'web', 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apps', 'web', 'src', 'main.tsx'), 'export {};\n');
    fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
    fs.mkdirSync(path.join(dir, 'dist', 'web'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', '.web-build-stamp'), 'now\n');
    // The api's stamp is older than the web source: an edit to apps/web must not rebuild the api.
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', compilerOptions: { outDir: 'dist' }, include: ['apps'] }),
    );
    const old = new Date(Date.now() - 60_000);
    for (const file of [
      'apps/web/src/main.tsx',
      'apps/web/src',
      'apps/web',
      'apps',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      fs.utimesSync(path.join(dir, file), old, old);
    }
    fs.writeFileSync(path.join(dir, 'dist', '.build-stamp'), 'now\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('does nothing while the console sources are older than its stamp', () => {
    const began = Date.now();
    const result = spawnSync(process.execPath, [SCRIPT, '--web', dir], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(result.stdout + result.stderr).toBe('');
  });

  it('an edit under apps/web alone leaves the api target fresh', () => {
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(path.join(dir, 'apps', 'web', 'src', 'main.tsx'), later, later);
    const api = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
    expect(api.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'dist', 'apps'))).toBe(false);
  });
});
