import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core';
import { importCatalog } from './catalog.importer';
import type { ImportResult } from './import.types';

// The published OVHcloud pages (verbatim copies, see SOURCES.md beside them).
// The providers' published pages, kept byte for byte as test data (test/fixtures/catalogs/ovh/SOURCES.md).
const OVH = path.join(projectRoot(), 'test', 'fixtures', 'catalogs', 'ovh');
const SEED_COPY = path.join(projectRoot(), 'seeds', 'catalogs', 'sources', 'private-exchange.en-gb.md');

function importPage(file: string, dir = OVH): ImportResult {
  return importCatalog(fs.readFileSync(path.join(dir, file)), { file });
}

/**
 * Counts a reader of each page gets, counted by hand from the page: its rows, the rows where the
 * Customer column holds R or A, the rows where it holds only C or I (provider commitments), and
 * its numbered sections that have rows.
 */
const PAGES: [string, { activities: number; customerDuties: number; providerCommitments: number; sections: number }, string][] = [
  ['private-exchange.en-gb.md', { activities: 40, customerDuties: 18, providerCommitments: 10, sections: 16 }, '2024-06-25'],
  ['hosted-exchange.en-gb.md', { activities: 49, customerDuties: 16, providerCommitments: 14, sections: 17 }, '2022-11-15'],
  ['dedicated-servers.en-gb.md', { activities: 50, customerDuties: 32, providerCommitments: 11, sections: 16 }, '2021-12-01'],
  ['logs-data-platform.en-gb.md', { activities: 65, customerDuties: 35, providerCommitments: 19, sections: 17 }, '2023-10-19'],
  ['managed-kubernetes.en-asia.md', { activities: 58, customerDuties: 37, providerCommitments: 8, sections: 17 }, '2023-07-06'],
  ['web-hosting.en-gb.md', { activities: 57, customerDuties: 35, providerCommitments: 7, sections: 17 }, '2023-08-29'],
];

describe('every published OVHcloud page imports without error', () => {
  it.each(PAGES)('%s', (file, counts, publishedOn) => {
    const result = importPage(file);
    expect({ ...result.counts, sections: result.catalog.sections.length }).toEqual({ ...counts, uncertain: 0 });
    expect(result.catalog).toMatchObject({ provider: 'OVHcloud', parties: ['customer', 'provider'], publishedOn, version: publishedOn });
    // Sections 1 to 5 are the five phases, in order.
    for (const s of result.catalog.sections) {
      expect(s.phase).toBe(['before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service'][Number(s.key[0]) - 1]);
    }
    expect(result.catalog.activities.every((a) => a.source === 'table' && a.certain)).toBe(true);
    expect(result.matches.every((m) => m.by === 'new')).toBe(true);
  });

  it('the seed copy of the Private Exchange page is the published page, byte for byte', () => {
    expect(fs.readFileSync(SEED_COPY)).toEqual(fs.readFileSync(path.join(OVH, 'private-exchange.en-gb.md')));
  });
});

describe('the Private Exchange page as a reader reads it', () => {
  const px = importPage('private-exchange.en-gb.md').catalog;
  const find = (start: string) => {
    const a = px.activities.find((x) => x.title.startsWith(start));
    if (!a) throw new Error(`no activity "${start}"`);
    return a;
  };

  it('gives the four rows the first reading split wrongly to the right party', () => {
    expect(find('Define the version of Exchange').raci).toEqual({ customer: '', provider: 'RA' });
    expect(find('Choose service location in EU').raci).toEqual({ customer: '', provider: 'RA' });
    expect(find('Filter network flows').raci).toEqual({ customer: 'RA', provider: '' });
    expect(find('Define and maintain a business continuity').raci).toEqual({ customer: '', provider: 'RA' });
  });

  it('keeps the raw letters cell after cell, in canonical order per party', () => {
    expect(find('Administrate domain, mailboxes')).toMatchObject({ raw: 'RAIR', raci: { customer: 'RA', provider: 'RI' } });
    expect(find('Configure SSL certificate')).toMatchObject({ raw: 'AR', raci: { customer: 'A', provider: 'R' } });
  });

  it('takes sections from headings of any level, bold or not, numbered with gaps', () => {
    expect(px.sections.map((s) => s.key)).toEqual([
      '1.1',
      '2.1',
      '2.2',
      '2.3',
      '3.1.1',
      '3.1.2',
      '3.1.3',
      '3.1.4',
      '3.1.5',
      '3.1.7',
      '3.2.1',
      '3.2.2',
      '4.1',
      '4.2',
      '5.1',
      '5.2',
    ]);
    expect(px.sections.find((s) => s.key === '3.1.1')?.title).toBe('Daily operations');
    expect(find('Define and maintain a business continuity').section).toBe('3.1.7');
  });

  it('reads the title and the `updated` date, which is not zero-padded, from the front matter', () => {
    expect(px.sourceTitle).toBe('Responsibility model for the product Managed E-mail Server on Mutualized Infrastructure');
    expect(px.publishedOn).toBe('2024-06-25');
  });

  it('gives duties a cadence by phase and keys in page order', () => {
    expect(px.activities.map((a) => a.key).slice(0, 3)).toEqual(['MEMS-01', 'MEMS-02', 'MEMS-03']);
    expect(find('Learn about capabilities').cadence).toBe('once');
    expect(find('Filter network flows').cadence).toBe('P3M');
    expect(find('Define the version of Exchange').cadence).toBeNull();
  });
});

describe('links, legends and header-only tables in real pages', () => {
  it('keeps the text of a Markdown link with {.external} in a cell', () => {
    const ldp = importPage('logs-data-platform.en-gb.md').catalog;
    expect(ldp.activities.find((a) => a.title.startsWith('Decide to use'))?.title).toBe(
      'Decide to use ldp-archive-mirror for data export and local analysis',
    );
    expect(ldp.activities.find((a) => a.title.startsWith('Manage reversibility operations'))?.title).toBe(
      'Manage reversibility operations : manual extract, using API, ldp-archive-mirror',
    );
  });

  it('warns about the header-only table of the Dedicated Servers page and drops its empty section', () => {
    const result = importPage('dedicated-servers.en-gb.md');
    const line = fs
      .readFileSync(path.join(OVH, 'dedicated-servers.en-gb.md'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('2.2. Reversibility model'));
    expect(result.warnings).toEqual([
      { line: line + 3, message: expect.stringMatching(/2\.2 Reversibility model" has a header and no rows/) },
    ]);
    expect(result.catalog.sections.map((s) => s.key)).not.toContain('2.2');
  });
});
