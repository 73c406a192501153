import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import ICAL from 'ical.js';
import { checkZip, python } from '../../../test/harness/external-tools';
import type { Cell } from './cells';
import { csvField, csvStream } from './csv';
import { icalDocument } from './ical';
import { column, xlsxStream } from './xlsx';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'writers-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const HEADER = ['id', 'title', 'count', 'done'];
const ROWS: Cell[][] = [
  ['1', '=HYPERLINK("http://evil.example","click")', 3, true],
  ['2', '+1+2', 0, false],
  ['3', '-2', null, false],
  ['4', '@SUM(A1:A2)', 1, true],
  ['5', 'comma, "quotes"\nand a line break', 2, false],
  ['6', ' leading and trailing ', 5, true],
  ['7', 'Zürich — 東京 ✓', 7, false],
  ['8', '\tcmd', 8, false],
];

describe('CSV', () => {
  it("is read back by Python's csv module with the same rows, formulas neutralised", async () => {
    const file = path.join(dir, 'tasks.csv');
    await pipeline(csvStream(HEADER, ROWS), fs.createWriteStream(file));
    const out = await python(
      'import csv,json,sys\nwith open(sys.argv[1], newline="", encoding="utf-8-sig") as f: print(json.dumps(list(csv.reader(f))))',
      [file],
    );
    const parsed = JSON.parse(out) as string[][];
    expect(parsed[0]).toEqual(HEADER);
    expect(parsed.slice(1)).toEqual([
      ['1', '\'=HYPERLINK("http://evil.example","click")', '3', 'true'],
      ['2', "'+1+2", '0', 'false'],
      ['3', "'-2", '', 'false'],
      ['4', "'@SUM(A1:A2)", '1', 'true'],
      ['5', 'comma, "quotes"\nand a line break', '2', 'false'],
      ['6', ' leading and trailing ', '5', 'true'],
      ['7', 'Zürich — 東京 ✓', '7', 'false'],
      ['8', "'\tcmd", '8', 'false'],
    ]);
  });

  it('streams many rows in bounded chunks', async () => {
    function* many(): Iterable<Cell[]> {
      for (let i = 0; i < 20000; i++) yield [String(i), `title ${i}`, i, false];
    }
    let chunks = 0;
    let largest = 0;
    for await (const chunk of csvStream(HEADER, many()) as AsyncIterable<string | Buffer>) {
      chunks += 1;
      largest = Math.max(largest, chunk.length);
    }
    expect(chunks).toBeGreaterThan(5);
    expect(largest).toBeLessThan(70_000);
  });

  it('quotes only where RFC 4180 needs it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });
});

describe('XLSX', () => {
  it('is read back by openpyxl with the same rows; formula-like text stays text', async () => {
    const file = path.join(dir, 'tasks.xlsx');
    await pipeline(xlsxStream('Tasks: ACME/2026', HEADER, ROWS), fs.createWriteStream(file));
    expect(await checkZip(file)).toContain('xl/worksheets/sheet1.xml');
    const out = await python(
      [
        'import json,sys,openpyxl',
        'wb=openpyxl.load_workbook(sys.argv[1])',
        'ws=wb.active',
        'rows=[[c.value for c in r] for r in ws.iter_rows()]',
        'kinds=sorted({c.data_type for r in ws.iter_rows() for c in r})',
        'quoted=[c.coordinate for r in ws.iter_rows() for c in r if c.quotePrefix]',
        'print(json.dumps({"title": ws.title, "rows": rows, "kinds": kinds, "quoted": quoted}))',
      ].join('\n'),
      [file],
    );
    const result = JSON.parse(out) as { title: string; rows: unknown[][]; kinds: string[]; quoted: string[] };
    expect(result.title).toBe('Tasks  ACME 2026');
    expect(result.rows).toEqual([HEADER, ...ROWS]);
    // s: text, n: number, b: boolean; never f (formula).
    expect(result.kinds).not.toContain('f');
    expect(result.quoted).toEqual(['B2', 'B3', 'B4', 'B5', 'B9']);
  });

  it('names columns past Z', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(column)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

describe('iCalendar', () => {
  const events = [
    {
      uid: '3f1c2a9e-1111-4a4a-8b8b-000000000001',
      dueDate: '2026-03-01',
      summary: 'Back up; the, mail \\ store',
      description: `Line one\nline two ${'x'.repeat(120)} ✓`,
      url: 'https://dutybook.example/tenants/t/tasks/1',
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    },
    {
      uid: '3f1c2a9e-1111-4a4a-8b8b-000000000002',
      dueDate: '2026-12-31',
      summary: 'Year end review',
      description: '',
      url: 'https://dutybook.example/tenants/t/tasks/2',
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    },
  ];
  // A zone far from UTC on both sides must not move the dates.
  const doc = icalDocument({ name: 'ACME; duties', timezone: 'Pacific/Kiritimati', host: 'dutybook.example', events });

  it('folds lines at 75 octets with CRLF', () => {
    const lines = doc.split('\r\n');
    expect(doc.replace(/\r\n/g, '')).not.toContain('\n');
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(75);
  });

  it('is parsed by python3-icalendar with the right dates, texts and links', async () => {
    const out = await python(
      [
        'import json,sys,icalendar',
        'cal=icalendar.Calendar.from_ical(sys.stdin.read())',
        'print(json.dumps([{"uid":str(e["UID"]),"start":e.decoded("DTSTART").isoformat(),"summary":str(e["SUMMARY"]),"description":str(e.get("DESCRIPTION","")),"url":str(e["URL"])} for e in cal.walk("VEVENT")]))',
      ].join('\n'),
      [],
      doc,
    );
    expect(JSON.parse(out)).toEqual(
      events.map((e) => ({
        uid: `${e.uid}@dutybook.example`,
        start: e.dueDate,
        summary: e.summary,
        description: e.description,
        url: e.url,
      })),
    );
  });

  it('is parsed by ical.js with all-day dates', () => {
    const component = new ICAL.Component(ICAL.parse(doc) as unknown[]);
    const parsed = component.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      return { start: e.startDate.toString(), allDay: e.startDate.isDate, summary: e.summary };
    });
    expect(parsed).toEqual([
      { start: '2026-03-01', allDay: true, summary: events[0]!.summary },
      { start: '2026-12-31', allDay: true, summary: 'Year end review' },
    ]);
  });
});
