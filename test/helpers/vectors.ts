/**
 * The golden vectors: test/vectors in this repository (see its README for how they are recorded).
 * RQTS_VECTORS points the tests at another folder of the same layout, e.g. a fresh recording to check
 * before committing it. A missing folder is an error, never a skipped test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const VECTORS_DIR = resolve(process.env.RQTS_VECTORS ?? join(REPO_ROOT, 'test/vectors'));

if (!existsSync(VECTORS_DIR)) {
  throw new Error(`Golden vectors not found at ${VECTORS_DIR}`);
}

/** Every folder of recordings, one per RQ version (whatever test/vectors holds). */
export function vectorVersions(): string[] {
  return readdirSync(VECTORS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

/** The scenario files of one version folder. */
export function vectorFiles(version: string): string[] {
  return readdirSync(join(VECTORS_DIR, version)).filter((f) => f.endsWith('.json')).sort();
}

/** Parses vector JSON. Python wrote bare `Infinity`/`NaN` for zset scores; they become strings. */
export function parseVector(text: string): any {
  return JSON.parse(text.replace(/(?<=[:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '"$1"'));
}

/** One vector file, parsed: `readVector('1.13.0', 'plain__pickle.json')`, or a top-level file. */
export function readVector(version: string, file?: string): any {
  const path = file === undefined ? join(VECTORS_DIR, version) : join(VECTORS_DIR, version, file);
  return parseVector(readFileSync(path, 'utf8'));
}
