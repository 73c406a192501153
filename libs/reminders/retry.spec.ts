import { GIVE_UP_AFTER_MS, nextAttemptAt } from './retry';

const created = new Date('2026-04-03T10:00:00Z');
const at = (ms: number): Date => new Date(created.getTime() + ms);
const MIN = 60_000;

describe('nextAttemptAt', () => {
  it('backs off 1, 2, 4 ... minutes, then hourly', () => {
    expect(nextAttemptAt(created, 1, created)).toEqual(at(MIN));
    expect(nextAttemptAt(created, 2, at(MIN))).toEqual(at(3 * MIN));
    expect(nextAttemptAt(created, 3, at(3 * MIN))).toEqual(at(7 * MIN));
    expect(nextAttemptAt(created, 7, at(100 * MIN))).toEqual(at(160 * MIN));
    expect(nextAttemptAt(created, 30, at(600 * MIN))).toEqual(at(660 * MIN));
  });

  it('makes the last try exactly 24 hours after the notification was written, then gives up', () => {
    expect(nextAttemptAt(created, 20, at(GIVE_UP_AFTER_MS - 10 * MIN))).toEqual(at(GIVE_UP_AFTER_MS));
    expect(nextAttemptAt(created, 21, at(GIVE_UP_AFTER_MS))).toBeNull();
    expect(nextAttemptAt(created, 21, at(GIVE_UP_AFTER_MS + 1))).toBeNull();
  });

  it('tries within a day, about 30 times in all', () => {
    let now = created;
    let attempts = 0;
    for (let next = nextAttemptAt(created, 1, now); next; next = nextAttemptAt(created, ++attempts + 1, now)) now = next;
    expect(now).toEqual(at(GIVE_UP_AFTER_MS));
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(35);
  });
});
