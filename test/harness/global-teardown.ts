import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__dutybookTestCluster;
  await state?.pg?.stop();
  if (state?.dir) fs.rmSync(state.dir, { recursive: true, force: true });
}
