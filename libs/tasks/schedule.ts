import { PERIODS, PHASES, type Cadence, type Period, type Phase } from '../catalog';

/** Dates are ISO `YYYY-MM-DD` strings: calendar days, no time zone. */
export type IsoDate = string;

const MONTHS: Record<Period, number> = { P1M: 1, P3M: 3, P6M: 6, P1Y: 12 };

function parts(date: IsoDate): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

const fmt = (y: number, m: number, d: number): IsoDate =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = parts(s);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * `months` calendar months after date; the day is clamped to the month's length (Jan 31 + 1
 * month = Feb 28 or 29). Always computed from the anchor, so clamping never drifts.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = (index % 12) + 1;
  return fmt(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Today's date in a time zone (IANA name). */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length <= 64;
  } catch {
    return false;
  }
}

export interface Occurrence {
  readonly periodStart: IsoDate;
  /** Last day of the period, inclusive; null for a one-off duty. */
  readonly periodEnd: IsoDate | null;
  readonly dueDate: IsoDate;
}

/** The recurrence period of a cadence, or null for a one-off. `on_event` is reviewed yearly. */
export function periodOf(cadence: Cadence): Period | null {
  if (cadence === 'once') return null;
  if (cadence === 'on_event') return 'P1Y';
  const p = cadence.startsWith('once+') ? cadence.slice(5) : cadence;
  return PERIODS.includes(p as Period) ? (p as Period) : null;
}

/**
 * The k-th occurrence (k = 0, 1, ...) of a duty whose schedule is anchored on `anchor` (the
 * day its phase started): periods follow the anchor, never completion dates.
 * - `once`: one occurrence, due one month after the anchor (minus a day).
 * - a period: due on the last day of each period.
 * - `once+<period>`: the first occurrence is due within a month, later ones each period.
 * - `on_event`: the standing procedure is reviewed each year; events are logged on it.
 */
export function occurrence(cadence: Cadence, anchor: IsoDate, k: number): Occurrence {
  const period = periodOf(cadence);
  if (period === null) {
    if (k !== 0) throw new RangeError('a one-off duty has a single occurrence');
    return { periodStart: anchor, periodEnd: null, dueDate: addDays(addMonths(anchor, 1), -1) };
  }
  const months = MONTHS[period];
  const periodStart = addMonths(anchor, k * months);
  const periodEnd = addDays(addMonths(anchor, (k + 1) * months), -1);
  const dueDate = k === 0 && cadence.startsWith('once+') ? addDays(addMonths(anchor, Math.min(1, months)), -1) : periodEnd;
  return { periodStart, periodEnd, dueDate };
}

/** Every occurrence whose period has started by `today` (for a one-off: the single one). */
export function startedOccurrences(cadence: Cadence, anchor: IsoDate, today: IsoDate): { k: number; occurrence: Occurrence }[] {
  const out: { k: number; occurrence: Occurrence }[] = [];
  if (periodOf(cadence) === null) return anchor <= today ? [{ k: 0, occurrence: occurrence(cadence, anchor, 0) }] : [];
  for (let k = 0; ; k++) {
    const o = occurrence(cadence, anchor, k);
    if (o.periodStart > today) break;
    out.push({ k, occurrence: o });
  }
  return out;
}

/** Start of the first period after `today`, or null for a one-off. */
export function nextPeriodStart(cadence: Cadence, anchor: IsoDate, today: IsoDate): IsoDate | null {
  if (periodOf(cadence) === null) return null;
  for (let k = 0; ; k++) {
    const start = occurrence(cadence, anchor, k).periodStart;
    if (start > today) return start;
  }
}

export const phaseIndex = (phase: Phase): number => PHASES.indexOf(phase);
