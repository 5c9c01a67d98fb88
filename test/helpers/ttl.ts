/**
 * Exact expiry checks read from Redis. A TTL set with `EXPIRE key n` during an interval [t0, t1] of Redis's
 * clock makes the key expire at a moment in [t0 + n s, t1 + n s]; PEXPIRETIME (Redis 7) reads that moment,
 * so a test gets a lower and an upper bound without any tolerance: a missing TTL (-1), a TTL one second too
 * long or too short all fall outside.
 */
import { expect } from 'vitest';
import type { Connection } from '../../src/connection.js';

/** Redis's clock in milliseconds (fractional: TIME has microseconds). */
export async function redisNowMs(connection: Connection): Promise<number> {
  const [seconds, micros] = (await connection.command(['TIME'])) as Buffer[];
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

/** Unix milliseconds at which `key` expires; -1 = no expiry, -2 = no such key. */
export async function expiresAtMs(connection: Connection, key: string): Promise<number> {
  return Number(await connection.command(['PEXPIRETIME', key]));
}

/** An interval of Redis time around an action (see {@link timeWindow}). */
export interface TimeWindow {
  /** Redis ms before the action (floored). */
  from: number;
  /** Redis ms after the action (ceiled). */
  to: number;
}

export async function timeWindow<T>(connection: Connection, action: () => Promise<T>): Promise<[T, TimeWindow]> {
  const from = Math.floor(await redisNowMs(connection));
  const value = await action();
  const to = Math.ceil(await redisNowMs(connection));
  return [value, { from, to }];
}

/** Asserts that `key` expires exactly `ttlSeconds` after some moment inside `window`. */
export async function expectExpiry(connection: Connection, key: string, ttlSeconds: number, window: TimeWindow): Promise<void> {
  const actual = await expiresAtMs(connection, key);
  const min = window.from + ttlSeconds * 1000;
  const max = window.to + ttlSeconds * 1000;
  expect(actual, `${key} expires at ${actual}, expected ${ttlSeconds} s after [${window.from}, ${window.to}]`).toBeGreaterThanOrEqual(min);
  expect(actual, `${key} expires at ${actual}, expected ${ttlSeconds} s after [${window.from}, ${window.to}]`).toBeLessThanOrEqual(max);
}
