import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core';
import { loadCatalogDir, parseCatalog } from '../catalog.loader';
import { isCustomerDuty } from '../catalog.model';
import { diffCatalogs } from './activity-match';
import { runImportRecipe } from './import.recipe';

const DIR = path.join(projectRoot(), 'seeds', 'catalogs');
const RECIPE = path.join(DIR, 'sources', 'ovhcloud-private-exchange.2024-06-25.recipe.json');
const V1_FILE = path.join(DIR, 'ovhcloud-private-exchange.json');
const V2_FILE = path.join(DIR, 'ovhcloud-private-exchange.2024-06-25.json');

describe('the corrected Private Exchange catalog (seed version 2024-06-25)', () => {
  const v1 = parseCatalog(fs.readFileSync(V1_FILE, 'utf8'));
  const v2 = parseCatalog(fs.readFileSync(V2_FILE, 'utf8'));

  it('is exactly what its recipe generates from the published page (npm run catalog:import -- --recipe ...)', () => {
    const run = runImportRecipe(RECIPE);
    expect(run.output).toBe(V2_FILE);
    expect(run.text).toBe(fs.readFileSync(V2_FILE, 'utf8'));
    expect(run.result.warnings).toEqual([]);
    expect(run.result.matches.every((m) => m.by === 'similarity')).toBe(true);
  });

  it('has 40 activities and 18 customer duties, under the first reading keys', () => {
    expect(v2.activities).toHaveLength(40);
    expect(v2.activities.filter((a) => isCustomerDuty(a.raci))).toHaveLength(18);
    expect(v2.activities.map((a) => a.key)).toEqual(v1.activities.map((a) => a.key));
  });

  it('against the first reading: PX-03, PX-04, PX-30 leave the customer, PX-26 becomes the customer’s', () => {
    const diff = diffCatalogs(v1, v2);
    expect([diff.added, diff.removed]).toEqual([[], []]);
    const customer = diff.changed.filter((c) => c.changes.raci?.customer);
    expect(customer.filter((c) => /[RA]/.test(c.changes.raci?.customer?.before ?? '')).map((c) => c.toKey)).toEqual([
      'PX-03',
      'PX-04',
      'PX-30',
    ]);
    expect(customer.filter((c) => /[RA]/.test(c.changes.raci?.customer?.after ?? '')).map((c) => c.toKey)).toEqual(['PX-26']);
    // Unchanged rows keep the first reading's cadence and note.
    for (const a of v2.activities) {
      const before = v1.activities.find((b) => b.key === a.key);
      if (before && isCustomerDuty(before.raci) && isCustomerDuty(a.raci)) expect(a.cadence).toBe(before.cadence);
    }
    expect(v2.activities.find((a) => a.key === 'PX-29')).toMatchObject({
      cadence: 'P1Y',
      note: 'customer accountable, provider carries out',
    });
  });

  it('records its attribution; the first version keeps its content hash', () => {
    expect(v2.attribution).toEqual({
      publisher: 'OVHcloud',
      license: 'CC BY-NC-SA 4.0',
      retrievedOn: '2026-11-30',
      sourcePath: 'seeds/catalogs/sources/private-exchange.en-gb.md',
    });
    expect(v2.sourceUrl).toMatch(/^https:\/\/github\.com\/ovh\/docs\/blob\/032135c9/);
    expect(v1.attribution).toMatchObject({ publisher: 'OVHcloud', license: 'CC BY-NC-SA 4.0' });
    // The hash of version 2024-06-26 as first shipped: attribution is not content.
    expect(v1.contentHash).toBe('aa8ce48a384b520f8598afebf322ea06c5ae0f7b83d918df384972e0fea1d52d');
  });

  it('the seed folder loads both versions', () => {
    expect(loadCatalogDir(DIR).map((c) => `${c.key}@${c.version}`)).toEqual([
      'ovhcloud-private-exchange@2024-06-25',
      'ovhcloud-private-exchange@2024-06-26',
    ]);
  });
});
