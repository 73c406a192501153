/**
 * `npm run test:handles` (JEST_OPEN_HANDLES=1, as the api project's test environment): which test
 * file leaves something that keeps a jest worker alive ("A worker process has failed to exit gracefully"). Jest's own
 * `--detectOpenHandles` runs in band, where the timing that leaks under two workers often does
 * not happen, and names no file. This runs in the workers: an async hook (process-wide, shared by
 * the test files a worker runs) records each handle with the file that created it and where;
 * 3 s after a file's last hook, the handles that finished files opened and that are still open
 * and referenced (servers, sockets, timers, child processes, watchers) are written to stderr with
 * the file and the stack that opened them.
 * Slow (a stack per handle): a diagnosis tool, not part of `npm test`.
 */
'use strict';
const asyncHooks = require('node:async_hooks');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

/** jest-worker's message asking a child to exit (jest-worker/build/types: CHILD_MESSAGE_END). */
const CHILD_MESSAGE_END = 2;

// What keeps an event loop alive; requests (fs, crypto, dns) end by themselves.
const KEEPS_ALIVE = new Set([
  'STATWATCHER',
  'MESSAGEPORT',
  'WORKER',
  'TTYWRAP',
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

// One hook per worker process: this module is loaded once per worker (the environment is created
// in the worker's own realm, where `process` is the real one), the test files come and go.
const live = new Map();
const finished = new Set();
let current = '(before the first test file)';
asyncHooks
  .createHook({
    init(id, type, _trigger, resource) {
      if (!KEEPS_ALIVE.has(type)) return;
      const stack = (new Error().stack ?? '').split('\n').slice(3, 15).join('\n');
      // jest's own scheduling between files (an Immediate of jest-runner) is not a test's.
      if (stack.includes('/jest-runner/build/')) return;
      live.set(id, { type, file: current, stack, resource: new WeakRef(resource) });
    },
    destroy(id) {
      live.delete(id);
    },
  })
  .enable();

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

/** What finished test files opened and is still open and referenced, one block per handle. */
function leftOpen() {
  const left = [];
  for (const entry of live.values()) {
    // Only what finished files left: the running file's handles are rightly open.
    if (!finished.has(entry.file)) continue;
    const resource = entry.resource.deref();
    if (!resource) continue;
    let referenced = true;
    try {
      if (typeof resource.hasRef === 'function') referenced = resource.hasRef();
    } catch {
      referenced = false;
    }
    if (referenced) left.push(`  ${entry.type}${describeHandle(resource)}, opened by ${entry.file}\n${entry.stack}`);
  }
  return left;
}

function report(when) {
  const left = leftOpen();
  if (left.length === 0) return;
  const text = `\n[open handles] ${when}, ${left.length} still open in worker ${process.pid}:\n${left.join('\n')}\n`;
  process.stderr.write(text);
  // Also on disk: a worker's stderr may be gone by the time jest force-exits it.
  fs.appendFileSync(path.join(os.tmpdir(), `dutybook-open-handles-${process.pid}.txt`), text);
}

// The worker's end: jest asks it to exit and force-exits it 500 ms later if something keeps it
// alive. Listened to without holding the IPC channel open once jest lets it go.
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (!Array.isArray(message) || message[0] !== CHILD_MESSAGE_END) return;
    // jest removes its listener now; this one must not keep the channel (and the worker) alive.
    process.channel?.unref();
    setTimeout(() => report('200 ms after jest asked the worker to exit'), 200).unref();
  });
}

/** jest-environment-node, with each test file's handles attributed to it. */
class OpenHandlesEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    current = context.testPath;
  }

  async teardown() {
    await super.teardown();
    const file = this.testPath;
    finished.add(file);
    setTimeout(() => report(`3 s after ${file} ended`), 3000).unref();
  }
}

module.exports = OpenHandlesEnvironment;
