import { isDeepStrictEqual } from 'node:util';
import { runBench } from './harness/runner';
import type { ProbeResponse, Scenario } from './harness/scenario';

const PATH = '/api/v1/catalogs/ovhcloud-private-exchange/versions/2024-06-26';

function countsOf(response: ProbeResponse): unknown {
  const body = response.body;
  return typeof body === 'object' && body !== null && 'counts' in body ? body.counts : undefined;
}

/** One catalog version in full (no If-None-Match: a 200 with the whole body every time). */
export const catalogScenario: Scenario = {
  name: 'catalog',
  targetRatio: 0.5,
  baselineModule: require.resolve('./catalog.baseline'),
  requests: () => [{ method: 'GET', path: PATH, headers: { accept: 'application/json' } }],
  compare: (app, baseline) => {
    const problems: string[] = [];
    const counts = countsOf(app);
    if (counts === undefined) problems.push('the app answer has no counts');
    if (!isDeepStrictEqual(counts, countsOf(baseline))) {
      problems.push(`counts differ: app ${JSON.stringify(counts)}, baseline ${JSON.stringify(countsOf(baseline))}`);
    }
    // Stronger: the whole body, so the baseline cannot drift into doing less work.
    if (!isDeepStrictEqual(app.body, baseline.body)) problems.push('the bodies differ beyond counts');
    return problems;
  },
};

if (require.main === module) runBench(catalogScenario);
