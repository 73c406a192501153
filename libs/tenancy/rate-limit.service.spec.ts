import { secondsUntilBelow, slidingCount } from './rate-limit.service';

const W = 900;

describe('slidingCount', () => {
  it('weights the previous window by how much of it the sliding window still covers', () => {
    expect(slidingCount({ current: 2, previous: 10, elapsed: 0, sinceLast: 1 }, W)).toBe(12);
    expect(slidingCount({ current: 2, previous: 10, elapsed: 450, sinceLast: 1 }, W)).toBe(7);
    expect(slidingCount({ current: 2, previous: 10, elapsed: 899, sinceLast: 1 }, W)).toBe(2);
  });

  it('a burst at the end of one window and another at the start of the next do not pass twice the limit', () => {
    // Fixed windows would see 10 in each; the sliding count sees (almost) all 20.
    expect(slidingCount({ current: 10, previous: 10, elapsed: 1, sinceLast: 0 }, W)).toBe(19);
  });

  it('is 0 once a whole window has passed without a hit', () => {
    expect(slidingCount({ current: 0, previous: 50, elapsed: 10, sinceLast: 900 }, W)).toBe(0);
  });
});

describe('secondsUntilBelow', () => {
  it('waits until the previous window has slid far enough out', () => {
    // 5 + 10 * (1 - (450 + t) / 900) < 10  <=>  t > 0: one second.
    expect(secondsUntilBelow({ current: 5, previous: 10, elapsed: 450, sinceLast: 1 }, W, 10)).toBe(1);
    // 8 + 10 * (1 - (100 + t) / 900) < 10  <=>  t > 620.
    expect(secondsUntilBelow({ current: 8, previous: 10, elapsed: 100, sinceLast: 1 }, W, 10)).toBe(621);
  });

  it('never asks for more than a window after the last hit', () => {
    const state = { current: 30, previous: 0, elapsed: 100, sinceLast: 0 };
    expect(secondsUntilBelow(state, W, 10)).toBe(900);
    expect(slidingCount({ ...state, sinceLast: 900 }, W)).toBe(0);
  });
});
