import { addDays, addMonths, isIsoDate, nextPeriodStart, occurrence, startedOccurrences, todayIn } from './schedule';

describe('calendar arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2026-01-31', 2, '2026-03-31'],
    ['2026-08-31', 3, '2026-11-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-05-10', -6, '2025-11-10'],
  ])('%s + %i months = %s', (from, months, to) => {
    expect(addMonths(from, months)).toBe(to);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('knows real dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('26-01-01')).toBe(false);
  });

  it('tells today in a time zone, at the edges of the date line', () => {
    const instant = new Date('2026-03-01T10:30:00Z');
    expect(todayIn('Pacific/Kiritimati', instant)).toBe('2026-03-02'); // UTC+14
    expect(todayIn('America/Adak', instant)).toBe('2026-03-01'); // UTC-10
    expect(todayIn('America/Adak', new Date('2026-03-01T09:30:00Z'))).toBe('2026-02-28');
  });
});

describe('occurrences', () => {
  it('monthly periods anchored on the 31st stay on month ends, and never drift', () => {
    const occ = [0, 1, 2, 3].map((k) => occurrence('P1M', '2028-01-31', k));
    expect(occ.map((o) => o.periodStart)).toEqual(['2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']);
    expect(occ.map((o) => o.dueDate)).toEqual(['2028-02-28', '2028-03-30', '2028-04-29', '2028-05-30']);
  });

  it('quarterly and yearly periods, due on their last day', () => {
    expect(occurrence('P3M', '2026-01-01', 0)).toEqual({ periodStart: '2026-01-01', periodEnd: '2026-03-31', dueDate: '2026-03-31' });
    expect(occurrence('P1Y', '2028-02-29', 1)).toEqual({ periodStart: '2029-02-28', periodEnd: '2030-02-27', dueDate: '2030-02-27' });
  });

  it('once: a single occurrence due within a month', () => {
    expect(occurrence('once', '2026-01-15', 0)).toEqual({ periodStart: '2026-01-15', periodEnd: null, dueDate: '2026-02-14' });
    expect(() => occurrence('once', '2026-01-15', 1)).toThrow(RangeError);
  });

  it('once+P1Y: first due within a month, then yearly', () => {
    expect(occurrence('once+P1Y', '2026-01-15', 0)).toMatchObject({ periodEnd: '2027-01-14', dueDate: '2026-02-14' });
    expect(occurrence('once+P1Y', '2026-01-15', 1)).toMatchObject({ periodStart: '2027-01-15', dueDate: '2028-01-14' });
  });

  it('on_event: a standing procedure reviewed yearly', () => {
    expect(occurrence('on_event', '2026-06-01', 0)).toMatchObject({ periodStart: '2026-06-01', dueDate: '2027-05-31' });
  });

  it('lists the periods started by a date, and the next one', () => {
    const started = startedOccurrences('P1M', '2026-01-31', '2026-04-30');
    expect(started.map((s) => s.occurrence.periodStart)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(nextPeriodStart('P1M', '2026-01-31', '2026-04-30')).toBe('2026-05-31');
    expect(startedOccurrences('P1M', '2026-05-01', '2026-04-30')).toEqual([]);
    expect(nextPeriodStart('once', '2026-01-01', '2026-04-30')).toBeNull();
  });
});
