#!/usr/bin/env node
// Builds a part of dist/ only when one of its sources changed since its last successful build,
// so that `npm start` (and the other start and CLI scripts) restart in about a second instead of
// recompiling. Two targets:
//   (default)  the api, worker, CLIs and benchmarks: tsc -p tsconfig.build.json into dist/,
//              sources apps, libs, migrations, bench (the tsconfig's include), the tsconfigs;
//   --web      the console: vite build into dist/web, sources apps/web.
// package-lock.json is a source of both (a dependency changed). `--force` always builds (what
// `npm run build` does). A source is any file or folder under the roots (a deleted or renamed
// file changes its folder's mtime); a stamp under dist/ is written after a build that succeeded.
// Usage: node build-if-stale.js [--force] [--web] [projectRoot]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const force = args.includes('--force');
const web = args.includes('--web');
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? __dirname);

/** What each target reads, where its stamp lives, and the command that builds it. */
function target() {
  if (web) {
    const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root, __dirname] })), 'bin', 'vite.js');
    return {
      sources: ['apps/web', 'package-lock.json'],
      // Outside dist/web, which vite empties on each build and the api serves.
      stamp: path.join(root, 'dist', '.web-build-stamp'),
      command: [vite, 'build', '--config', path.join(root, 'apps', 'web', 'vite.config.mts'), '--logLevel', 'warn'],
    };
  }
  const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root, __dirname] });
  return {
    // apps/web is under apps but not the tsconfig's: it does not make the api stale.
    sources: [...(config.include ?? ['.']), 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    skip: new Set([path.join(root, 'apps', 'web')]),
    stamp: path.join(root, 'dist', '.build-stamp'),
    command: [tsc, '-p', path.join(root, 'tsconfig.build.json')],
  };
}

/** Newest mtime (ms) of a file, or of a folder and everything under it. */
function newest(file, skip) {
  if (skip?.has(file)) return 0;
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(file)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      latest = Math.max(latest, newest(path.join(file, entry), skip));
    }
  }
  return latest;
}

const { sources, skip, stamp, command } = target();
let built = 0;
try {
  built = fs.statSync(stamp).mtimeMs;
} catch {
  built = 0;
}
const stale = sources.map((p) => path.join(root, p)).some((source) => newest(source, skip) > built);
if (!force && built > 0 && !stale) process.exit(0);

const began = Date.now();
const result = spawnSync(process.execPath, command, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.mkdirSync(path.dirname(stamp), { recursive: true });
// The stamp takes the time the build began: a file saved during the build is seen next time.
fs.writeFileSync(stamp, `${new Date(began).toISOString()}\n`);
fs.utimesSync(stamp, new Date(began), new Date(began));
