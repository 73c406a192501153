import fs from 'node:fs';
import { dropTemplates } from './database';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__dutybookTestCluster;
  // On an embedded cluster the folder goes anyway; a TEST_DATABASE_URL server keeps nothing of the run.
  if (state?.url && state.templates && !state.pg) await dropTemplates(state.url, state.templates);
  await state?.pg?.stop();
  if (state?.dir) fs.rmSync(state.dir, { recursive: true, force: true });
}
