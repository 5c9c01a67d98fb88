/**
 * Waiting on a condition with a deadline: functional tests never sleep a fixed time and never measure speed.
 */

export interface WaitForOptions {
  /** Give up after this many milliseconds. @defaultValue 30 000 */
  timeout?: number;
  /** Milliseconds between checks. @defaultValue 25 */
  interval?: number;
  /** Named in the error when the deadline passes. */
  what?: string;
}

/**
 * Resolves with the first truthy value `cond` returns; rejects when `timeout` ms pass first (the message
 * names `what`). A `cond` that throws rejects at once.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeout = 30_000, interval = 25, what = 'condition' } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await cond();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} not met within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
