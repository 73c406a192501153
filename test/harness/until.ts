/**
 * Polls `probe` until it answers something other than `undefined`, and returns that.
 *
 * Background work settles in steps another process takes on its own clock: a mail reaches
 * the sink before pg-boss marks its job completed, a file goes before the job that removed
 * it is recorded. A test that checks the later step right after seeing the earlier one races
 * it; it waits here instead, and fails with `what` when the step never comes.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
