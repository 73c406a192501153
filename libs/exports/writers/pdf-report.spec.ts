import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { run } from '../../../test/harness/external-tools';
import { formatInZone, latin, statusReportPdf, type ReportCommitment, type ReportTask } from './pdf-report';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('status report PDF', () => {
  it('has selectable text pdftotext finds (tenant, every title, the counts) and numbered pages', async () => {
    const tasks: ReportTask[] = Array.from({ length: 120 }, (_, i) => ({
      phase: i < 60 ? 'build' : 'operations',
      section: `S${Math.floor(i / 20)}`,
      activityKey: `A-${i}`,
      title: `Duty number ${i} café`,
      status: i % 3 === 0 ? 'done' : 'todo',
      dueDate: '2026-02-01',
      assignee: i % 2 ? 'Ada Lovelace' : null,
      evidenceCount: i % 4,
      lastReview: i % 5 === 0 ? 'approved 2026-01-04 by Grace' : null,
    }));
    const commitments: ReportCommitment[] = [
      { activityKey: 'P-1', section: 'S9', title: 'Provider patches hosts', provider: 'RA', customer: 'I' },
    ];
    const file = path.join(dir, 'report.pdf');
    await pipeline(
      statusReportPdf({
        tenantName: 'ACME Stadtwerke GmbH',
        timezone: 'Europe/Berlin',
        catalogs: ['ovhcloud-private-exchange 2024-01'],
        period: { from: '2026-01-01', to: '2026-06-30' },
        generatedAt: new Date('2026-01-15T23:30:00Z'),
        generatedBy: 'Ada Lovelace',
        counts: { todo: 80, done: 40 },
        total: 120,
        tasks,
        commitments,
      }),
      fs.createWriteStream(file),
    );
    const info = (await run('pdfinfo', [file])).stdout;
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(3);
    const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    expect(text).toContain('ACME Stadtwerke GmbH');
    for (const t of tasks) expect(text).toContain(t.title);
    expect(text).toContain('Duties: 120');
    expect(text).toContain('todo: 80');
    expect(text).toContain('done: 40');
    expect(text).toContain('Provider commitments');
    expect(text).toContain('Provider patches hosts');
    // Generated-at in the tenant's zone (23:30 UTC is 00:30 the next day in Berlin).
    expect(text).toContain('generated 2026-01-16 00:30 (Europe/Berlin)');
    expect(text).toContain(`Page ${pages}`);
    expect(text.split('\f').filter((p) => p.trim() !== '')).toHaveLength(pages);
  });

  it('shows what the standard fonts cannot draw as ?', () => {
    expect(latin('Zürich — 東京\n')).toBe('Zürich — ?? ');
    expect(formatInZone(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01 08:00');
  });
});
