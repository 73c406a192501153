import { dayCount, daysBetween, formatDay, isoWeekMonday } from './dates';

describe('dates', () => {
  it.each([
    ['2026-03-31', 'Tue 31 Mar 2026'],
    ['2028-02-29', 'Tue 29 Feb 2028'],
    ['2026-01-01', 'Thu 1 Jan 2026'],
  ])('formatDay(%s) = %s', (date, text) => {
    expect(formatDay(date)).toBe(text);
  });

  it('counts calendar days, across month ends, leap days and DST changes (dates have no time zone)', () => {
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-04-10', '2026-04-03')).toBe(-7);
    expect(dayCount(1)).toBe('1 day');
    expect(dayCount(7)).toBe('7 days');
  });

  it.each([
    ['2026-W01', '2025-12-29'],
    ['2026-W14', '2026-03-30'],
    ['2026-W53', '2026-12-28'],
    ['2027-W01', '2027-01-04'],
  ])('isoWeekMonday(%s) = %s', (week, monday) => {
    expect(isoWeekMonday(week)).toBe(monday);
  });
});
