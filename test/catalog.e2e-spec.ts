import { bootTestApp, type TestApp } from './harness/app';

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp();
});
afterAll(async () => t.close());

const VERSION_URL = '/api/v1/catalogs/ovhcloud-private-exchange/versions/2024-06-26';

interface Activity {
  key: string;
  section: string;
  phase: string;
  cadence: string | null;
  raci: Record<string, string>;
  raw: string;
  certain: boolean;
  customerDuty: boolean;
  note: string | null;
  title: string;
}

describe('GET /api/v1/catalogs', () => {
  it('lists catalogs with their versions and counts, without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        {
          key: 'ovhcloud-private-exchange',
          name: 'Managed Email Server on Mutualized Infrastructure (Private Exchange)',
          provider: 'OVHcloud',
          scope: 'global',
          // Latest first: the corrected catalog was loaded after the first reading (docs/catalog-format.md).
          versions: [
            // The published page, imported (docs/catalog-import.md): the four misread rows corrected.
            {
              version: '2024-06-25',
              seq: 2,
              latest: true,
              publishedOn: '2024-06-25',
              contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
              activityCount: 40,
              customerDutyCount: 18,
              sourceUrl: expect.stringMatching(/^https:\/\/github\.com\/ovh\/docs\//),
              publisher: 'OVHcloud',
              license: 'CC BY-NC-SA 4.0',
              retrievedOn: '2026-11-30',
            },
            {
              version: '2024-06-26',
              seq: 1,
              latest: false,
              publishedOn: '2024-06-26',
              contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
              activityCount: 40,
              customerDutyCount: 20,
              sourceUrl: null,
              publisher: 'OVHcloud',
              license: 'CC BY-NC-SA 4.0',
              retrievedOn: null,
            },
          ],
        },
      ],
      nextCursor: null,
    });
  });
});

describe('GET /api/v1/catalogs/:key/versions/:version', () => {
  it('returns sections with their activities in the documented shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION_URL });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      counts: Record<string, number>;
      sections: { key: string; title: string; phase: string; activities: Activity[] }[];
    }>();
    expect(body.counts).toEqual({ activities: 40, customerDuties: 20, providerCommitments: 10, uncertain: 6 });
    expect(body.sections.map((s) => s.key)).toEqual([
      '1.1',
      '2.1',
      '2.2',
      '2.3',
      '3.1.1',
      '3.1.2',
      '3.1.3',
      '3.1.4',
      '3.1.5',
      '3.1.6',
      '3.2.1',
      '3.2.2',
      '4.1',
      '4.2',
      '5.1',
      '5.2',
    ]);
    const all = body.sections.flatMap((s) => s.activities);
    expect(all).toHaveLength(40);
    expect(all.map((a) => a.key)).toEqual(Array.from({ length: 40 }, (_, i) => `PX-${String(i + 1).padStart(2, '0')}`));
    expect(all.find((a) => a.key === 'PX-01')).toEqual({
      key: 'PX-01',
      title: 'Learn about capabilities and limitations of the service (documentation, T&C)',
      section: '1.1',
      phase: 'before_subscription',
      cadence: 'once+P1Y',
      raci: { customer: 'RA', provider: 'I' },
      raw: 'RAI',
      certain: true,
      source: 'table',
      note: null,
      optional: false,
      customerDuty: true,
    });
    expect(all.find((a) => a.key === 'PX-12')).toMatchObject({
      raci: { customer: '', provider: 'RA' },
      certain: false,
      customerDuty: false,
      cadence: null,
    });
  });

  it('answers `latest` with the version loaded last: the corrected catalog (18 customer duties)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/versions/latest' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ version: string; counts: { customerDuties: number } }>()).toMatchObject({
      version: '2024-06-25',
      counts: { customerDuties: 18 },
    });
  });

  it('sends the content hash as ETag and answers 304 to If-None-Match', async () => {
    const first = await t.app.inject({ method: 'GET', url: VERSION_URL });
    const etag = first.headers.etag as string;
    expect(etag).toBe(`"${first.json<{ contentHash: string }>().contentHash}"`);
    const again = await t.app.inject({ method: 'GET', url: VERSION_URL, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await t.app.inject({ method: 'GET', url: VERSION_URL, headers: { 'if-none-match': '"other"' } });
    expect(stale.statusCode).toBe(200);
  });

  it.each([
    ['an unknown catalog', '/api/v1/catalogs/aws-s3/versions/2024-06-26'],
    ['an unknown version', '/api/v1/catalogs/ovhcloud-private-exchange/versions/1999-01-01'],
  ])('answers 404 CATALOG_NOT_FOUND for %s', async (_what, url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'CATALOG_NOT_FOUND',
      message: expect.stringContaining('GET /api/v1/catalogs'),
      details: expect.any(Object),
      requestId: res.headers['x-request-id'],
    });
  });

  it.each([
    ['an upper-case key', '/api/v1/catalogs/OVH/versions/1'],
    ['a version too long', `/api/v1/catalogs/ovhcloud-private-exchange/versions/${'9'.repeat(80)}`],
    ['a key with quotes', "/api/v1/catalogs/a'b/versions/1"],
  ])('answers 400 VALIDATION_FAILED for %s', async (_what, url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
  });

  it('answers 414 URI_TOO_LONG for a huge path parameter', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/catalogs/ovhcloud-private-exchange/versions/${'9'.repeat(5000)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json<{ code: string }>().code).toBe('URI_TOO_LONG');
  });
});

describe('GET /api/v1/catalogs/:key/versions', () => {
  it('lists the versions, latest first, with source, publisher, license and retrieval date', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/versions' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ key: string; scope: string; versions: Record<string, unknown>[] }>();
    expect(body).toMatchObject({ key: 'ovhcloud-private-exchange', scope: 'global' });
    expect(body.versions.map((v) => [v.version, v.latest, v.customerDutyCount])).toEqual([
      ['2024-06-25', true, 18],
      ['2024-06-26', false, 20],
    ]);
    expect(body.versions[0]).toMatchObject({ publisher: 'OVHcloud', license: 'CC BY-NC-SA 4.0', retrievedOn: '2026-11-30' });
  });

  it('returns the attribution with a version', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/versions/2024-06-25' });
    expect(res.json()).toMatchObject({
      publisher: 'OVHcloud',
      license: 'CC BY-NC-SA 4.0',
      retrievedOn: '2026-11-30',
      sourcePath: 'seeds/catalogs/sources/private-exchange.en-gb.md',
      sourceUrl: expect.stringMatching(/^https:\/\/github\.com\/ovh\/docs\//),
      scope: 'global',
      seq: 2,
    });
  });

  it('answers 404 CATALOG_NOT_FOUND for an unknown catalog, 400 for a malformed key', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/no-such-catalog/versions' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ code: string }>().code).toBe('CATALOG_NOT_FOUND');
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/NOT_A_KEY/versions' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
  });
});

interface Diff {
  from: string;
  to: string;
  added: { key: string }[];
  removed: { key: string }[];
  changed: {
    fromKey: string;
    toKey: string;
    score: number;
    by: string;
    changes: {
      title?: { before: string; after: string };
      section?: { before: string; after: string };
      raci?: Record<string, { before: string; after: string }>;
    };
  }[];
}

describe('GET /api/v1/catalogs/:key/diff', () => {
  it('answers the correction: four letters moved, titles reworded, each with before/after and its match score', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/diff?from=2024-06-26&to=latest' });
    expect(res.statusCode).toBe(200);
    const diff = res.json<Diff>();
    expect(diff).toMatchObject({ from: '2024-06-26', to: '2024-06-25', added: [], removed: [] });
    const byKey = new Map(diff.changed.map((c) => [c.toKey, c]));
    expect(byKey.get('PX-26')?.changes.raci?.customer).toEqual({ before: '', after: 'RA' });
    for (const k of ['PX-03', 'PX-04', 'PX-30']) expect(byKey.get(k)?.changes.raci?.customer).toEqual({ before: 'RA', after: '' });
    expect(byKey.get('PX-30')?.changes.section).toMatchObject({ after: '3.1.7' });
    const reworded = byKey.get('PX-04');
    expect(reworded?.changes.title).toEqual({ before: expect.stringMatching(/EU/), after: 'Choose service location in EU' });
    for (const c of diff.changed) expect(c.score).toBeGreaterThan(0.5);
  });

  it('is empty from a version to itself', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/diff?from=2024-06-25&to=2024-06-25' });
    expect(res.json()).toMatchObject({ added: [], removed: [], changed: [] });
  });

  it.each([
    ['?from=2024-06-26', 400, 'VALIDATION_FAILED'],
    ['?from=2024-06-26&to=bad%20version', 400, 'VALIDATION_FAILED'],
    ['?from=2024-06-26&to=2024-06-25&extra=1', 400, 'VALIDATION_FAILED'],
    ['?from=1999-01-01&to=latest', 404, 'CATALOG_NOT_FOUND'],
  ])('%s: %i %s', async (qs, status, code) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/catalogs/ovhcloud-private-exchange/diff${qs}` });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
  });
});
