import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core';
import { parseCatalog, type CatalogDefinition } from '../catalog.loader';
import { isCustomerDuty } from '../catalog.model';
import { MATCH_THRESHOLD, diffCatalogs, matchScore, titleSimilarity } from './activity-match';
import { importMarkdown } from './catalog.importer';
import { CatalogImportError } from './import.types';

const root = projectRoot();
const V1 = parseCatalog(fs.readFileSync(path.join(root, 'seeds', 'catalogs', 'ovhcloud-private-exchange.json'), 'utf8'));
const SOURCE = fs.readFileSync(path.join(root, 'seeds', 'catalogs', 'sources', 'private-exchange.en-gb.md'), 'utf8');

describe('similarity', () => {
  it('is 1 for the same title, high for a rewording, low for another activity', () => {
    expect(titleSimilarity('Renew SSL certificate', 'Renew SSL certificate ')).toBe(1);
    expect(titleSimilarity('Perform a backup using a third-party software', 'Perform a backup using a third party software')).toBe(1);
    expect(titleSimilarity('Host the service in EU', 'Choose service location in EU')).toBeGreaterThan(0.45);
    expect(titleSimilarity('Renew SSL certificate', 'Destroy client data')).toBeLessThan(0.3);
  });

  it('the same section adds to the score; a reworded title in its section still matches', () => {
    const a = { section: '1.1', sectionTitle: 'Specify service as needed', title: 'Host the service in EU' };
    const b = { section: '1.1', sectionTitle: 'Specify service as needed', title: 'Choose service location in EU' };
    expect(matchScore(a, b)).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(matchScore(a, { ...b, section: '9', sectionTitle: 'Elsewhere' })).toBeLessThan(matchScore(a, b));
  });
});

describe('importing the published page against the first reading', () => {
  const result = importMarkdown(SOURCE, { previous: V1 });

  it('matches all 40 activities to the first reading and keeps every key', () => {
    expect(result.matches).toHaveLength(40);
    expect(result.matches.every((m) => m.by === 'similarity')).toBe(true);
    expect(result.catalog.activities.map((a) => a.key)).toEqual(V1.activities.map((a) => a.key));
    expect(result.unmatchedPrevious).toEqual([]);
    // Each match has its score; the reworded row is the weakest.
    const weakest = [...result.matches].sort((a, b) => (a.score ?? 0) - (b.score ?? 0))[0];
    expect(weakest).toMatchObject({ key: 'PX-04', previousTitle: 'Host the service in EU', title: 'Choose service location in EU' });
    expect(weakest?.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
  });

  it('gives 18 customer duties, keeps cadences of unchanged rows and notes whose letters still hold', () => {
    const c = result.catalog;
    const byKey = (k: string) => c.activities.find((a) => a.key === k);
    expect(c.activities.filter((a) => isCustomerDuty(a.raci))).toHaveLength(18);
    expect(byKey('PX-01')?.cadence).toBe('once+P1Y');
    expect(byKey('PX-32')?.cadence).toBe('on_event');
    expect(byKey('PX-17')).toMatchObject({ optional: true, cadence: 'P1M' });
    expect(byKey('PX-07')?.note).toBe('customer accountable, provider carries out');
    // The first reading's doubt is settled by the source: the note about it goes.
    expect(byKey('PX-15')).toMatchObject({ certain: true, note: null, raw: 'RAIR' });
    // Newly the customer's: the default cadence of its phase.
    expect(byKey('PX-26')).toMatchObject({ raci: { customer: 'RA', provider: '' }, cadence: 'P3M' });
    expect(byKey('PX-30')).toMatchObject({ cadence: null, section: '3.1.7' });
  });

  it('an explicit mapping wins over similarity, and can declare a row new', () => {
    const mapped = importMarkdown(SOURCE, {
      previous: V1,
      mapping: [
        { title: 'Choose service location in EU', key: null },
        { title: 'Filter network flows', key: 'PX-50' },
      ],
    });
    const eu = mapped.matches.find((m) => m.title === 'Choose service location in EU');
    expect(eu).toMatchObject({ by: 'new', key: 'PX-51' });
    expect(mapped.matches.find((m) => m.title === 'Filter network flows')).toMatchObject({ by: 'mapping', key: 'PX-50' });
    expect(mapped.unmatchedPrevious).toEqual(['PX-04', 'PX-26']);
    expect(() => importMarkdown(SOURCE, { previous: V1, mapping: [{ title: 'Not on the page', key: 'PX-01' }] })).toThrow(
      CatalogImportError,
    );
  });
});

describe('diffCatalogs', () => {
  const v2 = importMarkdown(SOURCE, { previous: V1 }).catalog;

  it('first reading -> published page: no activity added or removed, the four wrong rows and the rewordings changed', () => {
    const diff = diffCatalogs(V1, v2);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.matches).toHaveLength(40);
    expect(diff.matches.every((m) => m.by === 'key' && m.fromKey === m.toKey)).toBe(true);
    const changed = new Map(diff.changed.map((c) => [c.toKey, c]));
    expect(changed.get('PX-03')?.changes).toEqual({
      cadence: { before: 'once', after: null },
      raci: { customer: { before: 'RA', after: '' }, provider: { before: '', after: 'RA' } },
    });
    expect(changed.get('PX-26')?.changes.raci).toEqual({ customer: { before: '', after: 'RA' }, provider: { before: 'RA', after: '' } });
    expect(changed.get('PX-04')?.changes.title).toEqual({ before: 'Host the service in EU', after: 'Choose service location in EU' });
    expect(changed.get('PX-30')?.changes).toMatchObject({ section: { before: '3.1.6', after: '3.1.7' } });
    const lettersChanged = diff.changed.filter((c) => c.changes.raci?.customer).map((c) => c.toKey);
    expect(lettersChanged).toEqual(['PX-03', 'PX-04', 'PX-26', 'PX-30']);
    expect(diff.changed.every((c) => c.score > 0)).toBe(true);
  });

  it('activities without common keys are paired by similarity: a reworded title is a change', () => {
    const rekeyed = { ...v2, activities: v2.activities.map((a) => ({ ...a, key: `NEW-${a.key}` })) } as CatalogDefinition;
    const diff = diffCatalogs(V1, rekeyed);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.matches.every((m) => m.by === 'similarity' && m.toKey === `NEW-${m.fromKey}`)).toBe(true);
    expect(diff.changed.find((c) => c.fromKey === 'PX-04')?.changes.title?.after).toBe('Choose service location in EU');
  });

  it('an activity that is not there any more is removed; a new one is added', () => {
    const fewer = { ...V1, activities: V1.activities.filter((a) => a.key !== 'PX-40') } as CatalogDefinition;
    const more = {
      ...V1,
      activities: [
        ...V1.activities,
        { ...(V1.activities[0] as CatalogDefinition['activities'][number]), key: 'PX-41', title: 'Rotate the DKIM keys' },
      ],
    } as CatalogDefinition;
    expect(diffCatalogs(V1, fewer)).toMatchObject({ added: [], changed: [], removed: [{ key: 'PX-40', title: "Destroy client's data" }] });
    expect(diffCatalogs(V1, more)).toMatchObject({ removed: [], changed: [], added: [{ key: 'PX-41', title: 'Rotate the DKIM keys' }] });
  });
});
