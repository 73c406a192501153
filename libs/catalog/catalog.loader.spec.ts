import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../core';
import { CatalogFileError, loadCatalogDir, parseCatalog, type CatalogProblem } from './catalog.loader';
import { isCustomerDuty } from './catalog.model';

const SEED = path.join(projectRoot(), 'seeds', 'catalogs', 'ovhcloud-private-exchange.json');
const seedText = fs.readFileSync(SEED, 'utf8');

interface MutableCatalog {
  [field: string]: unknown;
  sections: Record<string, unknown>[];
  activities: Record<string, unknown>[];
}

/** The seed catalog, changed by `edit`, as file text. */
function variant(edit: (c: MutableCatalog) => void): string {
  const c = JSON.parse(seedText) as MutableCatalog;
  edit(c);
  return JSON.stringify(c, null, 2);
}

function problems(text: string): CatalogProblem[] {
  try {
    parseCatalog(text, 'bad.json');
  } catch (error) {
    if (error instanceof CatalogFileError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const activity = (c: MutableCatalog, key: string): Record<string, unknown> => {
  const found = c.activities.find((a) => a.key === key);
  if (!found) throw new Error(`no ${key}`);
  return found;
};

describe('the Private Exchange catalog file', () => {
  const catalog = parseCatalog(seedText, SEED);

  it('has the 40 activities and 20 customer duties of the reading', () => {
    expect(catalog.activities).toHaveLength(40);
    const duties = catalog.activities.filter((a) => isCustomerDuty(a.raci)).map((a) => a.key);
    expect(duties).toEqual(
      [1, 2, 3, 4, 7, 9, 10, 11, 13, 15, 17, 18, 19, 22, 29, 30, 32, 36, 37, 38].map((n) => `PX-${String(n).padStart(2, '0')}`),
    );
  });

  it('splits duties by phase as the reading does (4 / 3 / 10 / 3)', () => {
    const duties = catalog.activities.filter((a) => isCustomerDuty(a.raci));
    const byPhase = (phase: string): number => duties.filter((a) => a.phase === phase).length;
    expect([byPhase('before_subscription'), byPhase('setup'), byPhase('operations'), byPhase('reversibility')]).toEqual([4, 3, 10, 3]);
  });

  it('keeps the raw letters, the split, and whether the split is certain', () => {
    const px15 = catalog.activities.find((a) => a.key === 'PX-15');
    expect(px15).toMatchObject({ raw: 'RAIR', raci: { customer: 'RA', provider: 'RI' }, certain: false, cadence: 'P1M' });
    expect(catalog.activities.filter((a) => !a.certain).map((a) => a.key)).toEqual(['PX-04', 'PX-12', 'PX-15', 'PX-16', 'PX-23', 'PX-24']);
    expect(catalog.activities.find((a) => a.key === 'PX-07')).toMatchObject({ raci: { customer: 'A', provider: 'R' }, source: 'table' });
  });

  it('lists the 10 provider commitments where the customer is C or I', () => {
    const commitments = catalog.activities.filter((a) => !isCustomerDuty(a.raci) && /[CI]/.test(a.raci.customer ?? '')).map((a) => a.key);
    expect(commitments).toEqual(['PX-05', 'PX-06', 'PX-08', 'PX-21', 'PX-27', 'PX-28', 'PX-31', 'PX-33', 'PX-39', 'PX-40']);
  });

  it('marks the optional backup duty and gives cadences', () => {
    expect(catalog.activities.filter((a) => a.optional).map((a) => a.key)).toEqual(['PX-17']);
    expect(catalog.activities.find((a) => a.key === 'PX-01')?.cadence).toBe('once+P1Y');
    expect(catalog.activities.find((a) => a.key === 'PX-32')?.cadence).toBe('on_event');
    expect(catalog.activities.find((a) => a.key === 'PX-05')?.cadence).toBeNull();
  });

  it('hashes content, not formatting', () => {
    const reformatted = JSON.stringify(JSON.parse(seedText));
    expect(parseCatalog(reformatted).contentHash).toBe(catalog.contentHash);
    expect(parseCatalog(variant((c) => (activity(c, 'PX-01').title = 'Changed'))).contentHash).not.toBe(catalog.contentHash);
  });

  it('puts letters in R, A, C, I order', () => {
    const parsed = parseCatalog(variant((c) => (activity(c, 'PX-06').raci = { customer: 'IC', provider: 'AR' })));
    expect(parsed.activities.find((a) => a.key === 'PX-06')?.raci).toEqual({ customer: 'CI', provider: 'RA' });
  });
});

describe('a bad catalog file is refused whole, with the key and line at fault', () => {
  it('malformed JSON names the line', () => {
    const broken = seedText.replace('"title": "Host the service in EU",', '"title": "Host the service in EU"');
    const [p] = problems(broken);
    expect(p?.message).toMatch(/not valid JSON/);
    const expectedLine = broken.split('\n').findIndex((l) => l.includes('Host the service in EU')) + 1;
    expect(p?.line).toBeGreaterThanOrEqual(expectedLine);
    expect(p?.line).toBeLessThanOrEqual(expectedLine + 2);
  });

  it.each([
    [
      'a letter outside RACI',
      (c: MutableCatalog) => ((activity(c, 'PX-03').raci as Record<string, string>).customer = 'RX'),
      'raci.customer',
      /other than R, A, C, I/,
    ],
    [
      'a repeated letter',
      (c: MutableCatalog) => ((activity(c, 'PX-03').raci as Record<string, string>).customer = 'RR'),
      'raci.customer',
      /repeats a letter/,
    ],
    [
      'an unknown party',
      (c: MutableCatalog) => ((activity(c, 'PX-03').raci as Record<string, string>).broker = 'I'),
      'raci.broker',
      /unknown party/,
    ],
    ['a missing party', (c: MutableCatalog) => (activity(c, 'PX-03').raci = { customer: 'RA' }), 'raci.provider', /must be a string/],
    ['an unknown cadence', (c: MutableCatalog) => (activity(c, 'PX-03').cadence = 'weekly'), 'cadence', /must be one of/],
    ['a duty without cadence', (c: MutableCatalog) => (activity(c, 'PX-03').cadence = null), 'cadence', /required for a customer duty/],
    ['a cadence on a provider duty', (c: MutableCatalog) => (activity(c, 'PX-05').cadence = 'P1M'), 'cadence', /only for customer duties/],
    ['an unknown section', (c: MutableCatalog) => (activity(c, 'PX-03').section = '9.9'), 'section', /unknown section "9.9"/],
    ['a missing title', (c: MutableCatalog) => delete activity(c, 'PX-03').title, 'title', /is required/],
    ['an unknown field', (c: MutableCatalog) => (activity(c, 'PX-03').colour = 'red'), 'colour', /unknown field/],
    [
      'no party holding R or A',
      (c: MutableCatalog) => (activity(c, 'PX-03').raci = { customer: 'I', provider: 'C' }),
      'raci',
      /no party is Responsible or Accountable/,
    ],
    ['an optional provider duty', (c: MutableCatalog) => (activity(c, 'PX-05').optional = true), 'optional', /only a customer duty/],
  ])('%s', (_what, edit, field, message) => {
    const text = variant(edit);
    const found = problems(text);
    const key = field === 'cadence' && _what.includes('provider') ? 'PX-05' : _what.includes('optional') ? 'PX-05' : 'PX-03';
    const p = found.find((x) => x.path.endsWith(`.${field}`));
    expect(p).toBeDefined();
    expect(p?.key).toBe(key);
    expect(p?.message).toMatch(message);
    const keyLine = text.split('\n').findIndex((l) => l.includes(`"key": "${key}"`)) + 1;
    expect(p?.line).toBe(keyLine);
  });

  it('a duplicate activity key', () => {
    const found = problems(variant((c) => (activity(c, 'PX-04').key = 'PX-03')));
    expect(found.some((p) => p.key === 'PX-03' && /duplicate activity key/.test(p.message))).toBe(true);
  });

  it('an unknown phase', () => {
    const found = problems(variant((c) => (c.sections[0]!.phase = 'day_two')));
    expect(found[0]).toMatchObject({ path: '$.sections[0].phase', key: '1.1' });
    expect(found[0]?.message).toMatch(/before_subscription, setup, operations, reversibility, end_of_service/);
  });

  it('a wrong format version, bad date and missing parties, all reported together', () => {
    const found = problems(
      variant((c) => {
        c.formatVersion = 2;
        c.publishedOn = '2024-02-30';
        c.parties = ['provider'];
      }),
    );
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['$.formatVersion', '$.publishedOn', '$.parties']));
  });

  it('not an object', () => {
    expect(problems('[1, 2]')[0]?.message).toMatch(/must be a JSON object/);
  });

  it('the error message lists each problem with its line', () => {
    expect(() =>
      parseCatalog(
        variant((c) => (activity(c, 'PX-03').cadence = 'weekly')),
        'x.json',
      ),
    ).toThrow(/x\.json refused:\n {2}- line \d+: \$\.activities\[2\]\.cadence \(PX-03\): must be one of/);
  });
});

describe('loadCatalogDir', () => {
  it('refuses two files defining the same catalog version', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogs-'));
    fs.writeFileSync(path.join(dir, 'a.json'), seedText);
    fs.writeFileSync(path.join(dir, 'b.json'), seedText);
    expect(() => loadCatalogDir(dir)).toThrow(/defined by two files/);
    fs.rmSync(dir, { recursive: true });
  });
});
