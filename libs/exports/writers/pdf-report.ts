import type { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';

/** One duty line of the report. */
export interface ReportTask {
  readonly phase: string;
  readonly section: string;
  readonly activityKey: string;
  readonly title: string;
  readonly status: string;
  readonly dueDate: string | null;
  readonly assignee: string | null;
  readonly evidenceCount: number;
  /** e.g. `approved 2026-01-04 by Ada` or null. */
  readonly lastReview: string | null;
}

export interface ReportCommitment {
  readonly activityKey: string;
  readonly section: string;
  readonly title: string;
  /** The provider's and the customer's letters. */
  readonly provider: string;
  readonly customer: string;
}

export interface StatusReportInput {
  readonly tenantName: string;
  /** IANA zone in which times are shown. */
  readonly timezone: string;
  readonly catalogs: readonly string[];
  readonly period: { readonly from: string | null; readonly to: string | null };
  readonly generatedAt: Date;
  readonly generatedBy: string;
  /** Tasks per status, and their total. */
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
  /** Sorted by phase, then section, then due date: read once, as the pages are written. */
  readonly tasks: AsyncIterable<ReportTask> | Iterable<ReportTask>;
  readonly commitments: AsyncIterable<ReportCommitment> | Iterable<ReportCommitment>;
}

const MARGIN = 50;
const FOOTER = 30;

/**
 * The status report as a PDF stream. Text is drawn as text with the standard Helvetica fonts, so it
 * is selectable and searchable (pdftotext reads it back). Pages leave pdfkit as they are finished:
 * the tasks are read one by one from their iterator and memory does not grow with their number.
 * Every page carries its number and the generation time in the tenant's time zone.
 *
 * The standard PDF fonts cover Latin-1 and the Windows-1252 punctuation only; other characters
 * (e.g. CJK) are shown as `?` (docs/exports.md).
 */
export function statusReportPdf(input: StatusReportInput): Readable {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER, left: MARGIN, right: MARGIN },
    info: { Title: `Status report: ${latin(input.tenantName)}`, Author: 'Dutybook', Subject: 'Customer duties and their state' },
    autoFirstPage: false,
  });
  const generated = `${formatInZone(input.generatedAt, input.timezone)} (${input.timezone})`;
  let page = 0;
  doc.on('pageAdded', () => {
    page += 1;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#555555')
      .text(`Page ${page}  -  ${latin(input.tenantName)}  -  generated ${generated}`, MARGIN, doc.page.height - MARGIN, {
        width: doc.page.width - 2 * MARGIN,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
    doc.fillColor('black').x = MARGIN;
    doc.y = MARGIN;
  });

  void (async () => {
    try {
      doc.addPage();
      cover(doc, input, generated);
      let phase: string | null = null;
      let section: string | null = null;
      for await (const t of input.tasks) {
        if (t.phase !== phase) {
          phase = t.phase;
          section = null;
          doc.addPage();
          doc
            .font('Helvetica-Bold')
            .fontSize(16)
            .text(`Phase: ${latin(t.phase)}`);
          doc.moveDown(0.5);
        }
        if (t.section !== section) {
          section = t.section;
          doc
            .moveDown(0.5)
            .font('Helvetica-Bold')
            .fontSize(12)
            .text(`Section ${latin(t.section)}`);
          doc.moveDown(0.25);
        }
        doc
          .font('Helvetica-Bold')
          .fontSize(10)
          .text(`${latin(t.activityKey)}  ${latin(t.title)}`);
        doc
          .font('Helvetica')
          .fontSize(9)
          .text(
            [
              `Status: ${t.status}`,
              `Due: ${t.dueDate ?? 'not set'}`,
              `Assignee: ${latin(t.assignee ?? 'unassigned')}`,
              `Evidence: ${t.evidenceCount}`,
              `Last review: ${latin(t.lastReview ?? 'none')}`,
            ].join('   '),
            { indent: 12 },
          );
        doc.moveDown(0.3);
      }
      if (phase === null) {
        doc.moveDown().font('Helvetica').fontSize(11).text('No duty matches the report filter.');
      }
      let first = true;
      for await (const c of input.commitments) {
        if (first) {
          doc.addPage();
          doc.font('Helvetica-Bold').fontSize(16).text('Provider commitments');
          doc
            .font('Helvetica')
            .fontSize(9)
            .text('Carried out by the provider; the customer is consulted or informed. Listed for reference, not tracked as duties.');
          doc.moveDown(0.5);
          first = false;
        }
        doc
          .font('Helvetica-Bold')
          .fontSize(10)
          .text(`${latin(c.activityKey)}  ${latin(c.title)}`);
        doc
          .font('Helvetica')
          .fontSize(9)
          .text(`Section ${latin(c.section)}   Provider: ${c.provider || '-'}   Customer: ${c.customer || '-'}`, { indent: 12 });
        doc.moveDown(0.3);
      }
      doc.end();
    } catch (error) {
      doc.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return doc;
}

function cover(doc: PDFKit.PDFDocument, input: StatusReportInput, generated: string): void {
  doc.font('Helvetica-Bold').fontSize(22).text('Status report');
  doc.moveDown(0.5).fontSize(16).text(latin(input.tenantName));
  doc.moveDown();
  doc.font('Helvetica').fontSize(11);
  doc.text(`Catalogs: ${input.catalogs.length ? input.catalogs.map(latin).join(', ') : 'none subscribed'}`);
  doc.text(`Period: ${input.period.from ?? 'beginning'} to ${input.period.to ?? 'today'}`);
  doc.text(`Generated: ${generated} for ${latin(input.generatedBy)}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text(`Duties: ${input.total}`);
  doc.font('Helvetica');
  for (const [status, n] of Object.entries(input.counts)) doc.text(`${status}: ${n}`, { indent: 12 });
}

/** The time as `YYYY-MM-DD HH:mm` in a zone. */
export function formatInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

// Windows-1252's additions over Latin-1 (the standard fonts' encoding).
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text the standard fonts can draw: other characters become `?`; control characters a space. */
export function latin(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' ';
    else if (code <= 0xff || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += '?';
  }
  return out;
}
