/**
 * `npm run test:handles` (JEST_OPEN_HANDLES=1): which test file leaves something that keeps a jest
 * worker alive ("A worker process has failed to exit gracefully"). Jest's own
 * `--detectOpenHandles` runs in band, where the timing that leaks under two workers often does
 * not happen, and names no file. This runs in the workers: an async hook (process-wide, shared by
 * the test files a worker runs) records each handle with the file that created it and where;
 * 3 s after a file's last hook, the handles it created that are still open and referenced
 * (servers, sockets, timers, child processes) are written to stderr with their creation stacks.
 * Slow (a stack per handle): a diagnosis tool, not part of `npm test`.
 */
'use strict';
const asyncHooks = require('node:async_hooks');

// What keeps an event loop alive; requests (fs, crypto, dns) end by themselves.
const KEEPS_ALIVE = new Set([
  'TCPSERVERWRAP',
  'TCPWRAP',
  'PIPESERVERWRAP',
  'PIPEWRAP',
  'Timeout',
  'PROCESSWRAP',
  'UDPWRAP',
  'SIGNALWRAP',
  'FSEVENTWRAP',
  'Immediate',
]);
const STATE = Symbol.for('dutybook.open-handles');

// The hook is installed once per worker (the module registry is per test file, async_hooks is not).
let state = asyncHooks[STATE];
if (!state) {
  state = { live: new Map(), file: '(before the first test file)' };
  asyncHooks[STATE] = state;
  asyncHooks
    .createHook({
      init(id, type, _trigger, resource) {
        if (!KEEPS_ALIVE.has(type)) return;
        const stack = (new Error().stack ?? '').split('\n').slice(3, 15).join('\n');
        state.live.set(id, { type, file: state.file, stack, resource: new WeakRef(resource) });
      },
      destroy(id) {
        state.live.delete(id);
      },
    })
    .enable();
}

function describeHandle(resource) {
  const owner = resource.owner;
  if (!owner) return '';
  const parts = [owner.constructor?.name ?? 'object'];
  if (typeof owner.address === 'function') {
    try {
      const address = owner.address();
      if (address && typeof address === 'object') parts.push(`${address.address}:${address.port}`);
    } catch {
      // closed meanwhile
    }
  }
  if (owner.remotePort) parts.push(`to port ${owner.remotePort}`);
  return ` (${parts.join(' ')})`;
}

beforeAll(() => {
  state.file = expect.getState().testPath ?? '(unknown)';
});

afterAll(() => {
  const file = state.file;
  setTimeout(() => {
    const left = [];
    for (const entry of state.live.values()) {
      if (entry.file !== file) continue;
      const resource = entry.resource.deref();
      if (!resource) continue;
      let referenced = true;
      try {
        if (typeof resource.hasRef === 'function') referenced = resource.hasRef();
      } catch {
        referenced = false;
      }
      if (referenced) left.push(`  ${entry.type}${describeHandle(resource)}\n${entry.stack}`);
    }
    if (left.length > 0)
      process.stderr.write(`\n[open handles] ${file} left ${left.length} open 3 s after its last hook:\n${left.join('\n')}\n`);
  }, 3000).unref();
});
