/** Lifecycle phases of a provider product, in order. */
export const PHASES = ['before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service'] as const;
export type Phase = (typeof PHASES)[number];

/** Recurring cadences (ISO-8601 periods) a duty may have. */
export const PERIODS = ['P1M', 'P3M', 'P6M', 'P1Y'] as const;
export type Period = (typeof PERIODS)[number];

/**
 * `once`: one occurrence when its phase starts. A period: one occurrence per period, anchored
 * on the subscription's start. `once+P3M`: one when the phase starts, then one per period.
 * `on_event`: a standing procedure whose occurrences are logged as events happen.
 */
export type Cadence = 'once' | 'on_event' | Period | `once+${Period}`;
export const CADENCES: readonly Cadence[] = ['once', 'on_event', ...PERIODS, ...PERIODS.map((p) => `once+${p}` as const)];

export const RACI_LETTERS = ['R', 'A', 'C', 'I'] as const;
export type RaciMap = Record<string, string>;

export const CUSTOMER = 'customer';

/** Customer duty: the customer is Responsible or Accountable. */
export function isCustomerDuty(raci: RaciMap): boolean {
  return /[RA]/.test(raci[CUSTOMER] ?? '');
}

/** Sorts letters into canonical R, A, C, I order. */
export function canonicalLetters(letters: string): string {
  return RACI_LETTERS.filter((l) => letters.includes(l)).join('');
}
