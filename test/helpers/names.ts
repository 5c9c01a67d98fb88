import { randomBytes } from 'node:crypto';

/** `prefix-<12 hex>`: a fresh queue name or job id per test (both must match `[A-Za-z0-9_-]+`). */
export function uniqueName(prefix: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`uniqueName: prefix must match [A-Za-z0-9_-]+, got ${JSON.stringify(prefix)}`);
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
