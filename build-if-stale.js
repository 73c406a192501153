#!/usr/bin/env node
// Builds dist/ with tsc only when a source changed since the last successful build, so that
// `npm start` (and the other start and CLI scripts) restart in about a second instead of
// recompiling. `--force` always builds (what `npm run build` does). A source is any file or
// folder under the build's roots (a deleted or renamed file changes its folder's mtime), the
// tsconfig files and package-lock.json; the stamp dist/.build-stamp is written after a build
// that succeeded. Usage: node build-if-stale.js [--force] [projectRoot]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const force = args.includes('--force');
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? __dirname);
const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
const roots = config.include ?? ['.'];
const stamp = path.join(root, 'dist', '.build-stamp');

/** Newest mtime (ms) of a file, or of a folder and everything under it. */
function newest(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      latest = Math.max(latest, newest(path.join(target, entry)));
    }
  }
  return latest;
}

const sources = [...roots, 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => path.join(root, p));
let built = 0;
try {
  built = fs.statSync(stamp).mtimeMs;
} catch {
  built = 0;
}
if (!force && built > 0 && sources.every((source) => newest(source) <= built)) process.exit(0);

const began = Date.now();
const tsc = require.resolve('typescript/bin/tsc', { paths: [root, __dirname] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.mkdirSync(path.dirname(stamp), { recursive: true });
// The stamp takes the time the build began: a file saved during the build is seen next time.
fs.writeFileSync(stamp, `${new Date(began).toISOString()}\n`);
fs.utimesSync(stamp, new Date(began), new Date(began));
