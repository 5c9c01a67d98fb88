import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../../src/deadlines.js';

const never = <T>(): Promise<T> => new Promise<T>(() => {});
const later = <T>(value: T, ms: number): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

describe('DeadlineQueue (one timer for a connection\'s command deadlines)', () => {
  it('passes settled commands through and forgets them', async () => {
    const q = new DeadlineQueue(1_000, () => new Error('expired'));
    await expect(q.track(Promise.resolve(1))).resolves.toBe(1);
    await expect(q.track(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(q.size).toBe(0);
  });

  it('rejects what has not settled by its deadline, in order, and keeps serving later commands', async () => {
    const q = new DeadlineQueue(40, () => new Error('expired'));
    const hung = q.track(never());
    const quick = q.track(later('ok', 5));
    const alsoHung = q.track(never());
    await expect(quick).resolves.toBe('ok');
    await expect(hung).rejects.toThrow('expired');
    await expect(alsoHung).rejects.toThrow('expired');
    expect(q.size).toBe(0);
    // After the queue emptied, a new command gets a fresh deadline.
    const next = q.track(never());
    const fine = q.track(later('fine', 5));
    await expect(fine).resolves.toBe('fine');
    await expect(next).rejects.toThrow('expired');
  });

  it('a command that settles after its deadline changes nothing (it was already rejected)', async () => {
    const q = new DeadlineQueue(10, () => new Error('expired'));
    const slow = q.track(later('too late', 60));
    await expect(slow).rejects.toThrow('expired');
    await later(null, 70);
    expect(q.size).toBe(0);
  });

  it('stays small under many commands in order', async () => {
    const q = new DeadlineQueue(5_000, () => new Error('expired'));
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => q.track(Promise.resolve(i))));
    expect(q.size).toBe(0);
  });
});
