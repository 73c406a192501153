import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core';
import { parseCatalog } from '../catalog.loader';
import { importCatalog, importCsv, importJson, importMarkdown } from './catalog.importer';
import { catalogToCsv } from './csv.writer';
import { CatalogImportError, IMPORT_LIMITS, type ImportOptions, type ImportProblem } from './import.types';

const PX_SOURCE = fs.readFileSync(path.join(projectRoot(), 'seeds', 'catalogs', 'sources', 'private-exchange.en-gb.md'), 'utf8');
const V1_TEXT = fs.readFileSync(path.join(projectRoot(), 'seeds', 'catalogs', 'ovhcloud-private-exchange.json'), 'utf8');

const page = (body: string, frontMatter = 'title: Test page\nupdated: 2025-3-7'): string => `---\n${frontMatter}\n---\n\n${body}`;
const lineOf = (text: string, s: string): number => text.split('\n').findIndex((l) => l.includes(s)) + 1;
const table = (...rows: string[]): string => ['| **Activity** | **Customer** | **OVHcloud** |', '| --- | --- | --- |', ...rows].join('\n');

function refused(run: () => unknown): { errors: readonly ImportProblem[]; warnings: readonly ImportProblem[] } {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogImportError) return { errors: error.errors, warnings: error.warnings };
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('Markdown: cells and letters', () => {
  it.each([
    ['RA', 'RA'],
    ['AR', 'RA'],
    ['IR', 'RI'],
    ['R, A', 'RA'],
    ['A+R', 'RA'],
    ['R/A', 'RA'],
    ['**RA**', 'RA'],
    [' r a ', 'RA'],
    ['RA[^1]', 'RA'],
    ['RA¹', 'RA'],
    ['—', ''],
    ['   ', ''],
  ])('customer cell %j reads as %j', (cell, letters) => {
    const result = importMarkdown(page(`### 1. Before subscription\n\n${table(`| Do it | ${cell} | RA |`)}\n\n[^1]: per contract`));
    expect(result.catalog.activities[0]?.raci).toEqual({ customer: letters, provider: 'RA' });
  });

  it('an unknown letter is an error naming the line and the cell, and nothing is imported', () => {
    const text = page(`### 3. Service usage\n\n${table('| Ok | RA | I |', '| Bad | RX | I |', '| Worse | I | RAS |')}`);
    const { errors } = refused(() => importMarkdown(text, { file: 'bad.md' }));
    expect(errors).toEqual([
      {
        line: lineOf(text, '| Bad |'),
        cell: 'Customer',
        message: expect.stringMatching(/"RX" has unknown letter\(s\) "X"/),
      },
      { line: lineOf(text, '| Worse |'), cell: 'OVHcloud', message: expect.stringMatching(/"RAS" has unknown letter\(s\) "S"/) },
    ]);
    expect(() => importMarkdown(text, { file: 'bad.md' })).toThrow(
      new RegExp(`bad\\.md refused:\\n {2}- line ${lineOf(text, '| Bad |')}, cell "Customer": "RX"`),
    );
  });

  it('a row where nobody holds R or A is an error on its line', () => {
    const text = page(`### 3. Usage\n\n${table('| Nobody | I | C |')}`);
    const { errors } = refused(() => importMarkdown(text));
    expect(errors).toEqual([{ line: lineOf(text, 'Nobody'), message: expect.stringMatching(/no party is Responsible or Accountable/) }]);
  });

  it('a row with missing cells is read with those cells empty, with a warning on its line', () => {
    const text = page(`### 3. Usage\n\n${table('| Short row | RA |', '| Full | I | RA |')}`);
    const result = importMarkdown(text);
    expect(result.catalog.activities.map((a) => a.raci)).toEqual([
      { customer: 'RA', provider: '' },
      { customer: 'I', provider: 'RA' },
    ]);
    expect(result.warnings).toEqual([
      { line: lineOf(text, 'Short row'), message: expect.stringMatching(/2 of 3 cells; the missing ones \(OVHcloud\)/) },
    ]);
  });

  it('a header-only table is a warning; a page with no rows at all is refused', () => {
    const text = page(`### 1. Before subscription\n\n${table()}\n\n### 2. Setup\n\n${table('| Install | I | RA |')}`);
    const result = importMarkdown(text);
    expect(result.warnings).toEqual([{ line: lineOf(text, 'Activity'), message: expect.stringMatching(/has a header and no rows/) }]);
    expect(result.catalog.sections.map((s) => s.key)).toEqual(['2']);
    expect(refused(() => importMarkdown(page(`### 1. Before\n\n${table()}`))).errors[0]?.message).toMatch(/no activity found/);
  });

  it('legend tables are not activities; links, {.external}, emphasis and footnotes keep their text', () => {
    const body = [
      '| Roles |',
      '| --- |',
      '| R: Is in charge |',
      '',
      '## 1. Avant la souscription',
      '',
      '| Activité | Client | Fournisseur |',
      '|:---|:---:|---:|',
      '| Lire la [documentation](https://docs.example/x){.external} et les *CGV*[^cgv] | RA | I |',
      '| Choisir \\| comparer | R et A | |',
      '',
      '[^cgv]: Conditions générales de vente.',
    ].join('\n');
    const result = importMarkdown(page(body), { provider: 'Example' });
    expect(result.catalog.parties).toEqual(['customer', 'provider']);
    expect(result.catalog.activities.map((a) => [a.title, a.raci, a.note])).toEqual([
      ['Lire la documentation et les CGV', { customer: 'RA', provider: 'I' }, 'Conditions générales de vente.'],
      ['Choisir | comparer', { customer: 'RA', provider: '' }, null],
    ]);
    expect(result.catalog.sections).toEqual([{ key: '1', title: 'Avant la souscription', phase: 'before_subscription' }]);
  });

  it('a third party column is a party named by its header', () => {
    const body = '## 3. Usage\n\n| Activity | Customer | OVHcloud | Partner 2 |\n|-|-|-|-|\n| Run the tool | A | I | R |';
    const result = importMarkdown(page(body));
    expect(result.catalog.parties).toEqual(['customer', 'provider', 'partner']);
    expect(result.catalog.activities[0]).toMatchObject({ raci: { customer: 'A', provider: 'I', partner: 'R' }, raw: 'AIR' });
  });

  it.each([
    ['Before subscription', 'before_subscription'],
    ['Service availability', 'setup'],
    ['Mise à disposition du service', 'setup'],
    ['Service usage', 'operations'],
    ['Utilisation du service', 'operations'],
    ['Reverting', 'reversibility'],
    ['Réversibilité', 'reversibility'],
    ['End of service', 'end_of_service'],
    ['Fin de service', 'end_of_service'],
  ])('top-level section "%s" is the phase %s, for every section under it', (title, phase) => {
    const result = importMarkdown(
      page(`# Page\n\n## 7. ${title}\n\n### 7.2. Something\n\n#### **7.2.4. Deeper**\n\n${table('| Do | RA | I |')}`),
    );
    expect(result.catalog.sections).toEqual([{ key: '7.2.4', title: 'Deeper', phase }]);
    expect(result.warnings).toEqual([]);
  });

  it('a top-level section of unclear meaning takes its phase from its number, with a warning', () => {
    const result = importMarkdown(page(`## 2. Miscellaneous\n\n### 2.1. Things\n\n${table('| Do | RA | I |')}`));
    expect(result.catalog.sections[0]?.phase).toBe('setup');
    expect(result.warnings).toEqual([
      { line: 6, message: expect.stringMatching(/section 2 "Miscellaneous" does not say which phase.*setup/) },
    ]);
  });

  it('unnumbered headings: the enclosing heading that means a phase', () => {
    const result = importMarkdown(page(`## End of service\n\n### Data deletion\n\n${table('| Destroy data | I | RA |')}`));
    expect(result.catalog.sections).toEqual([{ key: 'data-deletion', title: 'Data deletion', phase: 'end_of_service' }]);
  });

  it('a page without an `updated` date needs one given; the options name the catalog', () => {
    const text = page(`## 3. Usage\n\n${table('| Do | RA | I |')}`, 'title: Undated');
    expect(refused(() => importMarkdown(text)).errors[0]?.message).toMatch(/no publication date/);
    const result = importMarkdown(text, { publishedOn: '2025-01-02', key: 'acme-undated', version: 'v1', keyPrefix: 'UD' });
    expect(result.catalog).toMatchObject({ key: 'acme-undated', version: 'v1', publishedOn: '2025-01-02', name: 'Undated' });
    expect(result.catalog.activities[0]?.key).toBe('UD-01');
  });
});

describe('hostile input is refused whole, with a clear error', () => {
  it('a binary file (NUL bytes, or not UTF-8)', () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect(refused(() => importCatalog(xlsx, { file: 'matrix.xlsx' })).errors[0]?.message).toMatch(/binary file/);
    const latin1 = Buffer.from('Activity,Customer\nR\xe9sum\xe9,RA\n', 'latin1');
    expect(refused(() => importCatalog(latin1, { file: 'x.csv' })).errors[0]?.message).toMatch(/binary file, not UTF-8/);
  });

  it('a file over 20 MB', () => {
    const big = Buffer.alloc(IMPORT_LIMITS.maxBytes + 1, 0x61);
    expect(refused(() => importCatalog(big, { file: 'big.md' })).errors[0]?.message).toMatch(/20\.0 MB; at most 20 MB/);
  });

  it('an overlong cell or heading is refused before any cleaning (no quadratic regex on hostile text)', () => {
    const hostile = '[^'.repeat(500_000);
    const started = Date.now();
    const md = refused(() => importMarkdown(page(`## 3. Usage\n\n${table(`| ${hostile} | RA | I |`)}\n\n## ${hostile}`)));
    expect(md.errors).toEqual([
      { line: 10, cell: 'Activity', message: '1000002 characters; at most 2000 are read in a cell or heading' },
      { line: 12, message: expect.stringMatching(/^1000003 characters/) },
    ]);
    const csv = refused(() => importCsv(`section,activity,customer,provider\n3 Usage,"${hostile}",RA,\n`, csvOptions));
    expect(csv.errors).toEqual([{ line: 2, cell: 'activity', message: '1000000 characters; at most 2000 are read in a cell or heading' }]);
    // Quadratic work on a million characters would take minutes; linear work takes milliseconds.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('10,000 columns, in Markdown and in CSV', () => {
    const wide = Array.from({ length: 10_000 }, (_, i) => `P${i}`);
    const md = page(
      `## 3. Usage\n\n| Activity | Customer | ${wide.join(' | ')} |\n| --- | --- | ${wide.map(() => '---').join(' | ')} |\n| Do | RA | |`,
    );
    expect(refused(() => importMarkdown(md)).errors).toEqual([
      { line: lineOf(md, '| Activity'), message: 'the table has 10002 columns; at most 64 are read' },
    ]);
    const csv = `section,activity,customer,${wide.join(',')}\n3.1 Usage,Do,RA\n`;
    expect(refused(() => importCsv(csv)).errors).toEqual([{ line: 1, message: 'the row has more than 64 columns; at most 64 are read' }]);
    // 64 columns are read; 65 are not.
    const header = (n: number): string =>
      [
        'section',
        'activity',
        'customer',
        ...Array.from(
          { length: n - 3 },
          (_, i) => `party ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
        ),
      ].join(',');
    expect(importCsv(`${header(64)}\n3.1 Usage,Do,RA\n`, csvOptions).catalog.parties).toHaveLength(62);
    expect(refused(() => importCsv(`${header(65)}\n3.1 Usage,Do,RA\n`, csvOptions)).errors[0]?.message).toMatch(/more than 64 columns/);
  });
});

const csvOptions: ImportOptions = { provider: 'Acme', name: 'Acme Storage', publishedOn: '2025-05-01' };

describe('CSV', () => {
  it('quoted fields with commas, quotes and line breaks, CRLF lines, and a semicolon delimiter', () => {
    const text = [
      'section,activity,customer,Acme,note',
      '1.1 Specify,"Choose a plan, and ""options""",RA,I,',
      '3.1 Operate,"Rotate keys',
      'every quarter",R/A,,"two, lines"',
    ].join('\r\n');
    const result = importCsv(text, csvOptions);
    expect(result.catalog.activities.map((a) => [a.section, a.title, a.raci, a.note, a.phase])).toEqual([
      ['1.1', 'Choose a plan, and "options"', { customer: 'RA', provider: 'I' }, null, 'before_subscription'],
      ['3.1', 'Rotate keys\nevery quarter', { customer: 'RA', provider: '' }, 'two, lines', 'operations'],
    ]);
    const semi = importCsv('section;activity;client;fournisseur\n2.1 Install;Installer;I;RA\n', csvOptions);
    expect(semi.catalog.activities[0]).toMatchObject({ title: 'Installer', raci: { customer: 'I', provider: 'RA' }, phase: 'setup' });
  });

  it('formula-looking cells are kept as text, never evaluated', () => {
    const text =
      'section,activity,customer,provider,note\n3.1 Ops,=HYPERLINK("http://evil.example"),RA,,@SUM(A1:A9)\n3.1 Ops,+1 backup,R,A,-2\n';
    const result = importCsv(text, csvOptions);
    expect(result.catalog.activities.map((a) => [a.title, a.note])).toEqual([
      ['=HYPERLINK("http://evil.example")', '@SUM(A1:A9)'],
      ['+1 backup', '-2'],
    ]);
    // Written back, they are defused for spreadsheets and read back the same.
    const csv = catalogToCsv(result.catalog);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(importCsv(csv, csvOptions).catalog.contentHash).toBe(result.catalog.contentHash);
  });

  it('keys, phases, cadences and notes from their columns; errors on their line and cell', () => {
    const good = importCsv('key,section,activity,customer,provider,phase,cadence\nK-9,A,Do,RA,,operations,monthly\n', csvOptions);
    expect(good.catalog.activities[0]).toMatchObject({ key: 'K-9', cadence: 'P1M', phase: 'operations' });
    const { errors } = refused(() =>
      importCsv(
        'key,section,activity,customer,provider,phase,cadence\nK-1,A,Do,RA,,someday,weekly\nK-1,A,Again,I,RA,operations,P1M\n',
        csvOptions,
      ),
    );
    expect(errors).toEqual([
      { line: 2, cell: 'phase', message: expect.stringMatching(/"someday" is not a phase/) },
      { line: 2, cell: 'cadence', message: expect.stringMatching(/"weekly" is not a cadence/) },
    ]);
    const dup = refused(() => importCsv('key,section,activity,customer,provider\nK-1,A,Do,RA,\nK-1,A,Again,RA,\n', csvOptions));
    expect(dup.errors).toEqual([{ line: 3, cell: 'key', message: 'the key "K-1" is used twice' }]);
    const cadence = refused(() => importCsv('section,activity,customer,provider,cadence\nA,Do,I,RA,P1M\n', csvOptions));
    expect(cadence.errors).toEqual([{ line: 2, cell: 'cadence', message: expect.stringMatching(/only for customer duties/) }]);
  });

  it('an unclosed quote, missing columns, rows with missing cells', () => {
    expect(refused(() => importCsv('section,activity,customer,provider\n1 A,"Do,RA,\n', csvOptions)).errors).toEqual([
      { line: 2, message: 'a quoted field is never closed (a missing ")' },
    ]);
    expect(refused(() => importCsv('section,customer,provider\n1 A,RA,\n', csvOptions)).errors[0]?.message).toMatch(/no "activity" column/);
    const short = importCsv('section,activity,customer,provider\n3 Usage,Do,RA\n', csvOptions);
    expect(short.warnings).toEqual([
      { line: 2, message: 'the row has 3 of 4 cells; the missing ones (provider) are read as empty' },
      { line: 2, cell: 'phase', message: 'no phase given for section 3 "Usage"; read as operations from its number' },
    ]);
  });

  it('round trip: the corrected Private Exchange catalog to CSV and back is the same catalog', () => {
    const v1 = parseCatalog(V1_TEXT);
    const imported = importMarkdown(PX_SOURCE, { previous: v1 }).catalog;
    const csv = catalogToCsv(imported);
    expect(csv.split('\r\n')[0]).toBe(
      'key,section,section title,phase,activity,customer,provider,cadence,optional,note,raw,certain,source',
    );
    const back = importCsv(csv, {
      key: imported.key,
      name: imported.name,
      provider: imported.provider,
      version: imported.version,
      publishedOn: imported.publishedOn,
      sourceTitle: imported.sourceTitle,
    });
    expect(back.catalog.contentHash).toBe(imported.contentHash);
    expect(back.catalog.activities).toEqual(imported.activities);
    expect(catalogToCsv(back.catalog)).toBe(csv);
  });

  it('round trip of the first reading, uncertain rows and notes included', () => {
    const v1 = parseCatalog(V1_TEXT);
    const back = importCsv(catalogToCsv(v1), {
      key: v1.key,
      name: v1.name,
      provider: v1.provider,
      version: v1.version,
      publishedOn: v1.publishedOn,
      sourceTitle: v1.sourceTitle,
    });
    expect(back.catalog.activities).toEqual(v1.activities);
    expect(back.catalog.contentHash).toBe(v1.contentHash);
  });
});

describe('JSON', () => {
  it('the canonical file imports as the loader reads it, options applied over it', () => {
    const result = importJson(V1_TEXT, { version: '2024-06-26-copy' });
    expect(result.counts).toEqual({ activities: 40, customerDuties: 20, providerCommitments: 10, uncertain: 6 });
    expect(result.catalog.version).toBe('2024-06-26-copy');
  });

  it('a broken file is refused with the line', () => {
    const broken = V1_TEXT.replace('"title": "Host the service in EU",', '"title": "Host the service in EU"');
    const { errors } = refused(() => importJson(broken));
    expect(errors[0]?.message).toMatch(/not valid JSON/);
    expect(errors[0]?.line).toBeGreaterThan(100);
  });
});
